/**
 * The roles of an AWS account as `aws iam get-account-authorization-details` prints them
 * (whole, or with `--filter Role`), for access decisions: only the roles that some statement
 * lets call `sts:AssumeRoleWithWebIdentity` through an IAM OIDC provider.
 */

import { ASSUME_ROLE_WITH_WEB_IDENTITY, coversAction } from './decide';
import { PolicyReadError } from './errors';
import { Statement, readPolicy } from './policy';

/** A file that is not the account details JSON, or a role in it that cannot be read. */
export class AccountJsonError extends Error {}

const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider\/(.+)$/;

export interface AccountRole {
  readonly name: string;
  readonly arn: string;
  readonly statements: readonly Statement[];
  /** The OIDC providers its web-identity statements trust, by issuer host (`gitlab.com`, `gitlab.example.com/gitlab`). */
  readonly providers: readonly { readonly host: string; readonly arn: string }[];
}

/** The issuer host of an OIDC provider's ARN, or undefined for another principal. */
export const issuerHostOfProviderArn = (arn: string): string | undefined => OIDC_PROVIDER_ARN.exec(arn)?.[1];

/** A role's trust document: an object as the AWS CLI prints it, or URL-encoded JSON as the API returns it. */
function trustDocument(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw.trimStart().startsWith('{') ? raw : decodeURIComponent(raw));
  } catch {
    throw new PolicyReadError('AssumeRolePolicyDocument is neither a JSON object nor URL-encoded JSON');
  }
}

/**
 * The web-identity roles of an account details document. A role whose trust cannot be read is
 * an error naming it: leaving it out would hide a role that might let jobs in.
 */
export function readAccountDetails(json: unknown, where: string): AccountRole[] {
  const list = (json as { RoleDetailList?: unknown })?.RoleDetailList;
  if (typeof json !== 'object' || json === null || !Array.isArray(list)) {
    throw new AccountJsonError(`${where} has no RoleDetailList: give the output of aws iam get-account-authorization-details (whole, or with --filter Role)`);
  }
  const roles: AccountRole[] = [];
  for (const [index, raw] of list.entries()) {
    const role = raw as { RoleName?: unknown; Arn?: unknown; AssumeRolePolicyDocument?: unknown };
    const name = typeof role.RoleName === 'string' ? role.RoleName : `RoleDetailList[${index}]`;
    let statements: Statement[];
    try {
      statements = readPolicy(trustDocument(role.AssumeRolePolicyDocument));
    } catch (error) {
      if (!(error instanceof PolicyReadError)) throw error;
      // A role that names no OIDC provider anywhere (a service or cross-account role) is none of
      // this audit's, whatever operators it uses; one that does is an error, never skipped.
      if (
        !JSON.stringify(role.AssumeRolePolicyDocument ?? '').includes(encodeURIComponent(':oidc-provider/')) &&
        !JSON.stringify(role.AssumeRolePolicyDocument ?? '').includes(':oidc-provider/')
      )
        continue;
      throw new AccountJsonError(`role ${name} in ${where}: ${error.message}`);
    }
    const providers = new Map<string, { host: string; arn: string }>();
    for (const s of statements) {
      if (s.effect !== 'Allow' || s.federated === '*' || !coversAction(s, ASSUME_ROLE_WITH_WEB_IDENTITY)) continue;
      for (const arn of s.federated) {
        const host = issuerHostOfProviderArn(arn);
        if (host !== undefined && !providers.has(host.toLowerCase())) providers.set(host.toLowerCase(), { host, arn });
      }
    }
    if (providers.size === 0) continue;
    roles.push({ name, arn: typeof role.Arn === 'string' ? role.Arn : '', statements, providers: [...providers.values()] });
  }
  return roles;
}
