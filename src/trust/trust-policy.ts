import { hasWildcard } from '../guardrails/rules';

/**
 * The trust policy of a GitLab CI role, as a Terraform expression.
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

/**
 * The `Condition` block: exact values under `StringEquals`, values with `*` or `?`
 * under `StringLike` (under `StringEquals` a wildcard is compared literally and never
 * matches). Operators and keys left without values are dropped.
 *
 * @param issuerHost HCL expression of the issuer host (see `issuerHostExpression`)
 * @param claimValues HCL expression of a map from claim name (`sub`, `aud`, …) to a list of allowed values
 */
export function conditionExpression(issuerHost: string, claimValues: string): string {
  const valuesWhere = (keep: string) =>
    `{ for key, values in { for claim, values in ${claimValues} : "\${${issuerHost}}:\${claim}" => [for v in values : v if ${keep}] } : key => values if length(values) > 0 }`;
  const exact = valuesWhere(`!${hasWildcard('v')}`);
  const patterns = valuesWhere(hasWildcard('v'));
  return `{ for operator, keys in { StringEquals = ${exact}, StringLike = ${patterns} } : operator => keys if length(keys) > 0 }`;
}

/**
 * The whole trust policy: `sts:AssumeRoleWithWebIdentity` for the OIDC provider, under the given conditions.
 *
 * @param providerArn HCL expression of the OIDC provider's ARN
 * @param condition HCL expression of the `Condition` block (see `conditionExpression`)
 */
export function trustPolicyExpression(providerArn: string, condition: string): string {
  return `jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = ${providerArn} }, Condition = ${condition} }] })`;
}
