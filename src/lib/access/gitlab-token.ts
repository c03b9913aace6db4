/**
 * A GitLab job's ID token as AWS STS sees it when the job calls
 * `sts:AssumeRoleWithWebIdentity`: which claims become condition keys, and the audience
 * check STS makes before any trust policy is read.
 */

import { GITLAB_COM_EXTRA_CLAIMS } from '../guardrails/rules';
import { Decision, WebIdentityRequest, decideStatements } from './decide';
import { Statement } from './policy';
import { DEFAULT_SUB_COMPONENTS, mintSub } from '../trust/sub-claim';
import { issuerHostOf } from '../trust/trust-policy';
import { DecisionInputError } from './errors';

/** The claims of an ID token: `sub`, `aud`, and on gitlab.com `project_id`, `ref_protected`, … */
export type GitlabClaims = Readonly<Record<string, string>>;

/** The OIDC provider the token is presented to. */
export interface ProviderView {
  readonly arn: string;
  /** The issuer as IAM prefixes condition keys: `gitlab.com`, `gitlab.example.com/gitlab`. */
  readonly issuerHost: string;
  /**
   * Client IDs the provider lists. Undefined when unknown (a provider the file does not hold):
   * every token is then refused, since STS would refuse any aud the provider does not list.
   */
  readonly audiences?: readonly string[];
}

/** GitLab's default `sub`: `project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>`. */
export function gitlabSubject(project: string, ref: string, refType: 'branch' | 'tag' = 'branch'): string {
  return mintSub(DEFAULT_SUB_COMPONENTS, { project_path: project, ref_type: refType, ref });
}

/** Claims AWS turns into condition keys for this issuer: sub and aud, plus its documented extra keys for gitlab.com. */
export function evaluatedClaims(issuerHost: string): readonly string[] {
  return issuerHost === 'gitlab.com' ? ['sub', 'aud', ...GITLAB_COM_EXTRA_CLAIMS] : ['sub', 'aud'];
}

/** The request context of a token: `<issuer host>:<claim>` for every claim AWS evaluates; other claims are not there. */
export function requestContext(issuerHost: string, claims: GitlabClaims): Map<string, string[]> {
  const context = new Map<string, string[]>();
  for (const claim of evaluatedClaims(issuerHost)) {
    if (claims[claim] !== undefined) context.set(`${issuerHost}:${claim}`.toLowerCase(), [claims[claim]]);
  }
  return context;
}

/**
 * The decision for a token presented to `provider` for a role whose trust is `statements`.
 * STS refuses a token whose aud the provider does not list before it reads the trust policy.
 */
export function decideToken(provider: ProviderView, claims: GitlabClaims, statements: readonly Statement[]): Decision {
  if (provider.audiences === undefined) {
    return { decision: 'deny', reason: `the audiences of the provider ${provider.arn} are not known, and STS refuses a token whose aud it does not list: give them` };
  }
  if (!provider.audiences.includes(claims.aud)) {
    return {
      decision: 'deny',
      reason: `InvalidIdentityToken: Incorrect token audience: the token has aud ${JSON.stringify(claims.aud ?? null)}, the provider lists ${JSON.stringify(provider.audiences)}`,
    };
  }
  const request: WebIdentityRequest = { providerArn: provider.arn, context: requestContext(provider.issuerHost, claims) };
  return decideStatements(statements, request);
}

/**
 * The provider a token is presented to: the one whose issuer is the token's `iss`
 * (`https://gitlab.com`), or with no `iss` the only one. Undefined when none is for `iss`.
 */
export function providerForIssuer<P extends ProviderView>(providers: readonly P[], iss: string | undefined): P | undefined {
  if (iss === undefined) {
    if (providers.length === 1) return providers[0];
    throw new DecisionInputError(
      `the roles trust ${providers.length} OIDC issuers (${providers.map((p) => p.issuerHost).join(', ')}): give the token's iss, e.g. https://${providers[0]?.issuerHost ?? 'gitlab.com'}`,
    );
  }
  const host = issuerHostOf(iss).toLowerCase();
  return providers.find((p) => p.issuerHost.toLowerCase() === host);
}

/**
 * The decision for a token whose `iss` picks its provider among `providers` (see
 * `providerForIssuer`): a role trusts only the providers its statements name, so a token of
 * another issuer is refused.
 */
export function decideTokenAmong(providers: readonly ProviderView[], claims: GitlabClaims, statements: readonly Statement[]): Decision {
  const provider = providerForIssuer(providers, claims.iss);
  if (provider === undefined) {
    return {
      decision: 'deny',
      reason: `no OIDC provider is for the token's issuer ${JSON.stringify(claims.iss)}: the roles trust ${providers.map((p) => p.issuerHost).join(', ')}`,
    };
  }
  return decideToken(provider, claims, statements);
}
