import { hasWildcard, holdsWildcard } from '../guardrails/rules';
import { HclString } from '../hcl/expression';
import { escapeTemplateSequences } from '../hcl/render-hcl';

/**
 * The trust policy of a GitLab CI role, as Terraform expressions.
 *
 * It is built with `jsonencode` rather than the `aws_iam_policy_document` data
 * source so that the exact document appears in `terraform plan` and can be
 * evaluated offline by `terraform test`.
 */

/**
 * Host (and path) of the issuer, as IAM prefixes condition keys: `https://gitlab.com/` → `gitlab.com`.
 * Derived from the input rather than the provider's `url` attribute, which is unknown until the provider exists.
 */
export function issuerHostExpression(issuerUrl: string): string {
  return `trimsuffix(trimprefix(${issuerUrl}, "https://"), "/")`;
}

/** The same host of an issuer URL known at synth. */
export const issuerHostOf = (issuerUrl: string): string => issuerUrl.replace(/^https:\/\//, '').replace(/\/$/, '');

/**
 * The `Condition` block of one role. Each claim key goes under exactly one operator:
 * `StringLike` when any of its values holds `*` or `?`, else `StringEquals`. IAM ANDs
 * operators, so a key split across both would need a token equal to one value and like
 * another: no token is. `StringLike` matches a value without wildcards literally, so
 * moving a key's exact values along with its patterns changes no decision. Operators with
 * no keys are dropped. A key with no values is kept, under `StringEquals`, so that it matches
 * nothing: dropping it would let in every value of the claim (the role's checks refuse it).
 *
 * @param issuerHost the issuer host, a literal or an expression (see `issuerHostExpression`)
 * @param claimValues HCL expression of a map from claim name (`sub`, `aud`, …) to a list of allowed values
 */
export function conditionExpression(issuerHost: HclString, claimValues: string): string {
  const keysWhere = (patterns: boolean) =>
    `{ for claim, values in ${claimValues} : "${issuerHost.inTemplate}:\${claim}" => values\nif ${patterns ? '' : '!'}anytrue([for v in values : ${hasWildcard('v')}])\n}`;
  return `{ for operator, keys in {\nStringEquals = ${keysWhere(false)}\nStringLike = ${keysWhere(true)}\n} : operator => keys if length(keys) > 0 }`;
}

/** A `Condition` block: operator to condition key to the values allowed. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

/**
 * `conditionExpression` for claims known at synth: the same block, by the same rule, keys in
 * the lexical order Terraform's `for` gives them.
 */
export function conditionBlock(issuerHost: string, claimValues: Readonly<Record<string, readonly string[]>>): ConditionBlock {
  const keysWhere = (patterns: boolean) =>
    Object.fromEntries(
      Object.keys(claimValues)
        .sort()
        .filter((claim) => claimValues[claim].some(holdsWildcard) === patterns)
        .map((claim) => [`${issuerHost}:${claim}`, [...claimValues[claim]]]),
    );
  const operators: ConditionBlock = { StringEquals: keysWhere(false), StringLike: keysWhere(true) };
  return Object.fromEntries(Object.entries(operators).filter(([, keys]) => Object.keys(keys).length > 0));
}

/**
 * `trustPolicyExpression` for a condition block known at synth: the policy as a JSON document
 * in the order people write one. `providerArn` is the ARN itself or a `${...}` reference to it.
 */
export function trustPolicyDocument(providerArn: string, condition: ConditionBlock): string {
  // Terraform reads every string of its JSON as a template.
  const values = JSON.parse(JSON.stringify(condition), (_key, value) => (typeof value === 'string' ? escapeTemplateSequences(value) : value)) as ConditionBlock;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: providerArn }, Condition: values }],
  });
}

/**
 * The whole trust policy: `sts:AssumeRoleWithWebIdentity` for the OIDC provider, under the given conditions.
 *
 * @param providerArn HCL expression of the OIDC provider's ARN
 * @param condition HCL expression of the `Condition` block (see `conditionExpression`)
 */
export function trustPolicyExpression(providerArn: string, condition: string): string {
  return (
    `jsonencode({\nVersion = "2012-10-17"\nStatement = [{\nEffect = "Allow"\nAction = "sts:AssumeRoleWithWebIdentity"\n` +
    `Principal = { Federated = ${providerArn} }\nCondition = ${condition}\n}]\n})`
  );
}
