/**
 * The access command at scale, for `npm run bench`: an account of N web-identity roles, made
 * from the audit fixture's roles (each kind of trust it holds, repeated under new names).
 */
import * as fs from 'fs';
import * as path from 'path';

const FIXTURE = path.resolve(__dirname, '..', '..', '__tests__', 'fixtures', 'account', 'account-details.json');

/** Writes an account details file of `roles` roles to `file`. */
export function writeAccount(file: string, roles: number): void {
  const base = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')).RoleDetailList as { RoleName: string; Arn: string }[];
  const list = Array.from({ length: roles }, (_, i) => {
    const role = base[i % base.length];
    const name = `${role.RoleName}-${i}`;
    return { ...role, RoleName: name, Arn: role.Arn.replace(/[^/]+$/, name) };
  });
  fs.writeFileSync(file, JSON.stringify({ RoleDetailList: list }));
}

/** The account fixture itself, for one decision. */
export const ACCOUNT_FIXTURE = FIXTURE;
