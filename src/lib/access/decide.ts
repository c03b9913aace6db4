/**
 * Whether a call to `sts:AssumeRoleWithWebIdentity` is allowed by a role's trust policy,
 * decided as IAM decides it ("Policy evaluation logic" in the IAM User Guide): an explicit
 * Deny that applies wins; otherwise some Allow statement must apply, which means its
 * Action covers the call, its Principal names the caller's OIDC provider, and every key of
 * every condition operator holds.
 */

import { RequestContext, keyHolds, stringLike } from './conditions';
import { KeyCondition, Statement, readPolicy } from './policy';

export const ASSUME_ROLE_WITH_WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';

/** A web identity call as IAM sees it. */
export interface WebIdentityRequest {
  /** The ARN of the OIDC provider that issued the token. */
  readonly providerArn: string;
  /** Context keys (lower-case) to their values, e.g. `gitlab.com:sub`. */
  readonly context: RequestContext;
  /** @default sts:AssumeRoleWithWebIdentity */
  readonly action?: string;
}

export interface Decision {
  readonly decision: 'allow' | 'deny';
  /** For a deny, the first thing that failed, with the token's value and the listed values. */
  readonly reason: string;
}

const quote = (values: readonly string[]) => JSON.stringify(values.length === 1 ? values[0] : values);

/** How one key fared, in a reviewer's words. */
function describeKey(c: KeyCondition, context: RequestContext): string {
  const token = context.get(c.key.toLowerCase());
  const has = token === undefined || token.length === 0 ? 'the token has no such claim' : `the token has ${quote(token)}`;
  return `${c.operator.name} ${c.key}: ${has}, the role lists ${JSON.stringify(c.values)}`;
}

/** The first key that does not hold, or undefined when every key holds. */
export function firstFailingCondition(conditions: readonly KeyCondition[], context: RequestContext): KeyCondition | undefined {
  return conditions.find((c) => !keyHolds(c.operator, c.values, context.get(c.key.toLowerCase())));
}

export function coversAction(statement: Statement, action: string): boolean {
  // Action names are case-insensitive and may hold wildcards (sts:*, *).
  const hit = statement.actions.some((pattern) => stringLike(action.toLowerCase(), pattern.toLowerCase()));
  return statement.notAction ? !hit : hit;
}

function namesProvider(statement: Statement, providerArn: string): boolean {
  return statement.federated === '*' || statement.federated.includes(providerArn);
}

/** Decides a request against a trust policy, given as JSON text or a parsed document. */
export function decide(policy: unknown, request: WebIdentityRequest): Decision {
  return decideStatements(readPolicy(policy), request);
}

/** Decides a request against statements already read. */
export function decideStatements(statements: readonly Statement[], request: WebIdentityRequest): Decision {
  const action = request.action ?? ASSUME_ROLE_WITH_WEB_IDENTITY;
  const reaching = statements.filter((s) => coversAction(s, action) && namesProvider(s, request.providerArn));
  const applies = (s: Statement) => firstFailingCondition(s.conditions, request.context) === undefined;

  const deny = reaching.find((s) => s.effect === 'Deny' && applies(s));
  if (deny) return { decision: 'deny', reason: `explicit Deny in ${deny.label}` };

  const allows = reaching.filter((s) => s.effect === 'Allow');
  const allow = allows.find(applies);
  if (allow) {
    const held = allow.conditions.map((c) => `${c.operator.name} ${c.key}`);
    return { decision: 'allow', reason: held.length ? `${allow.label}: ${held.join(', ')} hold` : `${allow.label} has no condition` };
  }
  if (allows.length === 0) {
    const named = statements.filter((s) => s.effect === 'Allow' && coversAction(s, action)).flatMap((s) => (s.federated === '*' ? [] : s.federated));
    return {
      decision: 'deny',
      reason: named.length ? `no Allow statement trusts the provider ${request.providerArn} (they trust ${JSON.stringify(named)})` : `no Allow statement covers ${action}`,
    };
  }
  const failed = firstFailingCondition(allows[0].conditions, request.context)!;
  return { decision: 'deny', reason: `${allows.length > 1 ? `${allows[0].label}: ` : ''}${describeKey(failed, request.context)}` };
}
