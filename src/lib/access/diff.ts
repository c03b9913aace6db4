/**
 * Who gets in now that did not before: two trusts (saved plans' JSON or account details files)
 * compared by their decisions on the same tokens. The tokens probe both sides' patterns (see
 * `probeTokens`), so a widening shows as a token AFTER lets in and BEFORE refused.
 */

import { AccountRole, issuerHostOfProviderArn, readAccountDetails } from './account';
import { decideAccountRole, issuersOf, probeTokens, shownClaims } from './audit';
import { ASSUME_ROLE_WITH_WEB_IDENTITY, coversAction } from './decide';
import { GitlabClaims } from './gitlab-token';
import { TerraformJsonError, readJsonFile, readTerraformShow } from './terraform-show';

/** One side of a diff: its web-identity roles, and its providers' client IDs where the file says. */
export interface TrustSide {
  readonly roles: readonly AccountRole[];
  readonly audiences: ReadonlyMap<string, readonly string[]>;
}

export type Change = 'added' | 'removed' | 'widened' | 'narrowed' | 'changed' | 'same';

export interface RoleChange {
  readonly role: string;
  readonly change: Change;
  /** Tokens BEFORE refuses and AFTER lets in. */
  readonly newly_allowed: readonly GitlabClaims[];
  /** Tokens BEFORE lets in and AFTER refuses. */
  readonly newly_refused: readonly GitlabClaims[];
}

/** A plan's roles in the form an account's take: each role with the providers its web-identity statements trust, by host. */
function planSide(json: unknown): TrustSide {
  const configuration = readTerraformShow(json);
  const hostOf = new Map(configuration.providers.map((p) => [p.arn, p.issuerHost]));
  const roles = configuration.roles.map((r): AccountRole => {
    const arns = r.statements
      .filter((s) => s.effect === 'Allow' && s.federated !== '*' && coversAction(s, ASSUME_ROLE_WITH_WEB_IDENTITY))
      .flatMap((s) => s.federated as readonly string[]);
    const providers = [...new Set(arns)].flatMap((arn) => {
      const host = hostOf.get(arn) ?? issuerHostOfProviderArn(arn);
      return host === undefined ? [] : [{ host, arn }];
    });
    return { name: r.name, arn: r.address, statements: r.statements, providers };
  });
  const audiences = new Map(configuration.providers.flatMap((p) => (p.audiences ? [[p.issuerHost.toLowerCase(), p.audiences] as const] : [])));
  return { roles: roles.filter((r) => r.providers.length > 0), audiences };
}

/** Reads either kind of file: `terraform show -json` output, or `aws iam get-account-authorization-details`. */
export function readTrustSide(file: string): TrustSide {
  const json = readJsonFile(file, "give a saved plan's terraform show -json, or aws iam get-account-authorization-details output");
  if (typeof json === 'object' && json !== null && 'format_version' in json) return planSide(json);
  if (typeof json === 'object' && json !== null && 'RoleDetailList' in json) return { roles: readAccountDetails(json, file), audiences: new Map() };
  throw new TerraformJsonError(`${file} is neither terraform show -json output nor account details: give a saved plan's JSON, or aws iam get-account-authorization-details output`);
}

/** Every role of either side, with the tokens whose decision changed. */
export function diffRoles(before: TrustSide, after: TrustSide): RoleChange[] {
  const issuers = issuersOf([...before.roles, ...after.roles]);
  const names = [...new Set([...after.roles.map((r) => r.name), ...before.roles.map((r) => r.name)])];
  return names.map((name): RoleChange => {
    const was = before.roles.find((r) => r.name === name);
    const is = after.roles.find((r) => r.name === name);
    const seen = new Map<string, GitlabClaims>();
    for (const token of [...(was ? probeTokens(was) : []), ...(is ? probeTokens(is) : [])]) seen.set(JSON.stringify(token), token);
    const lets = (side: TrustSide, role: AccountRole | undefined, token: GitlabClaims) =>
      role !== undefined && decideAccountRole(role, token, issuers, side.audiences).decision === 'allow';
    const statements = [...(was?.statements ?? []), ...(is?.statements ?? [])];
    const show = (tokens: GitlabClaims[]) => [...new Map(tokens.map((t) => shownClaims(statements, t)).map((t) => [JSON.stringify(t), t])).values()];
    const tokens = [...seen.values()];
    const newlyAllowed = show(tokens.filter((t) => lets(after, is, t) && !lets(before, was, t)));
    const newlyRefused = show(tokens.filter((t) => lets(before, was, t) && !lets(after, is, t)));
    const change: Change = !was
      ? 'added'
      : !is
        ? 'removed'
        : newlyAllowed.length && newlyRefused.length
          ? 'changed'
          : newlyAllowed.length
            ? 'widened'
            : newlyRefused.length
              ? 'narrowed'
              : 'same';
    return { role: name, change, newly_allowed: newlyAllowed, newly_refused: newlyRefused };
  });
}

/** A change as a merge request comment reads it: a table, with one token of each kind. */
export function diffMarkdown(changes: readonly RoleChange[]): string {
  const example = (tokens: readonly GitlabClaims[]) =>
    tokens.length === 0
      ? ''
      : `${tokens.length}, e.g. \`${tokens[0].sub}\` (aud \`${tokens[0].aud}\`${tokens[0].ref_protected ? `, ref_protected ${tokens[0].ref_protected}` : ''})`;
  return [
    '| Role | Change | Newly allowed | Newly refused |',
    '|---|---|---|---|',
    ...changes.map((c) => `| ${c.role} | ${c.change} | ${example(c.newly_allowed)} | ${example(c.newly_refused)} |`),
  ].join('\n');
}
