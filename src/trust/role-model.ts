import { Construct } from 'constructs';
import { hclLocal } from '../constructs/hcl-local';
import { quotaChecks } from '../guardrails/quotas';
import { Validation } from '../guardrails/rules';
import { trustChecks } from '../guardrails/trust-checks';
import { textExpression } from '../hcl/text';
import { conditionExpression, trustPolicyExpression } from './trust-policy';
import { trustSummaryExpression } from './trust-summary';

/**
 * One model of every role: a Terraform map from role name to what its trust is made of.
 * Each derivation (the `Condition` block, the trust policy, its length, the guardrails and
 * the reviewer's summary) is written once here, as a local over that map, and the role
 * resources read their entry by name. So the article's role and the roles of `roles`
 * cannot drift apart.
 */

/** The article's role in the role map: the name reviewers and `npm run access` use for it. */
export const ARTICLE_ROLE_NAME = 'gitlab_ci';

/** The attributes of a role map entry, each an HCL expression over the entry's source. */
export interface RoleEntry {
  /** How messages name the role, e.g. `aws_iam_role.gitlab_ci`. */
  readonly label: string;
  /** Where its subjects are set, for the fix. */
  readonly subjectInput: string;
  /** Map from claim name (`sub`, `aud`, …) to the values allowed. */
  readonly trustClaims: string;
  /** Managed policy ARNs attached. */
  readonly managedPolicyArns: string;
}

/** A role map entry as an HCL object (terraform fmt indents it). */
const entry = (e: RoleEntry) =>
  `{\nlabel = ${e.label}\nsubject_input = ${e.subjectInput}\ntrust_claims = ${e.trustClaims}\nmanaged_policy_arns = ${e.managedPolicyArns}\n}`;

/**
 * HCL expression of the role map: the article's role under `ARTICLE_ROLE_NAME` while
 * `articleEnabled` (an HCL boolean) holds, then one entry per element of the map
 * `fleet.source` (`var.roles`), whose entry expressions read the element as `name` and `role`.
 */
export function roleMapExpression(articleEnabled: string, article: RoleEntry, fleet: { readonly source: string; readonly entry: RoleEntry }): string {
  return (
    `merge(\n{ for name, role in { ${ARTICLE_ROLE_NAME} = ${entry(article)} } : name => role if ${articleEnabled} },\n` +
    `{ for name, role in ${fleet.source} : name => ${entry(fleet.entry)} },\n)`
  );
}

export interface RoleTrustModelProps {
  /** HCL expression of the role map (see `roleMapExpression`). */
  readonly roles: string;
  /** HCL expression of the issuer host that prefixes condition keys. */
  readonly issuerHost: string;
  /** HCL expression of the OIDC provider's ARN. */
  readonly providerArn: string;
  /** HCL expression of an ARN as long as the provider's, known at plan time, to measure trust policies. */
  readonly providerArnForSizing: string;
  /** HCL expression of the audiences the provider lists. */
  readonly providerAudiences: string;
  /** Where the provider's audiences are set, for messages (plain text). */
  readonly audienceInput: string;
}

/** The derivations of the role map, as locals. */
export class RoleTrustModel extends Construct {
  /** HCL expression of the map from role name to its `Condition` block: known at plan, even before the provider exists. */
  public readonly conditions = 'local.trust_conditions';
  /** HCL expression of the map from role name to the reviewer's summary of its trust. */
  public readonly summary = 'local.trust_summary';

  constructor(scope: Construct, id: string, props: RoleTrustModelProps) {
    super(scope, id);
    const local = (name: string, expression: string) => hclLocal(this, name, expression);

    local('trust_conditions', `{ for name, role in ${props.roles} : name => ${conditionExpression(props.issuerHost, 'role.trust_claims')} }`);
    local('trust_policies', `{ for name, condition in local.trust_conditions : name => ${trustPolicyExpression(props.providerArn, 'condition')} }`);

    // IAM counts a policy without whitespace, as jsonencode writes it. A policy is its envelope
    // plus its Condition block, so the length is known at plan even while the provider's ARN
    // is not: the envelope is measured once, with an ARN as long as the provider's.
    local('trust_policy_envelope_length', `length(${trustPolicyExpression(props.providerArnForSizing, '{}')}) - length("{}")`);
    local('trust_policy_lengths', '{ for name, condition in local.trust_conditions : name => local.trust_policy_envelope_length + length(jsonencode(condition)) }');

    const checks = [
      ...trustChecks({ role: 'role', issuerHost: props.issuerHost, providerAudiences: props.providerAudiences, audienceInput: props.audienceInput }),
      ...quotaChecks({ role: 'role', trustPolicyLength: 'local.trust_policy_lengths[name]', managedPolicyCount: 'length(toset(role.managed_policy_arns))' }),
    ];
    local(
      'role_problems',
      `{ for name, role in ${props.roles} : name => concat(\n${checks.map((c) => `${c.holds} ? [] : [${textExpression(c.message)}],`).join('\n')}\n) }`,
    );

    local('trust_summary', `{ for name, role in ${props.roles} : name => ${trustSummaryExpression('role.trust_claims', 'role.managed_policy_arns')} }`);
  }

  /** HCL expression of the trust policy of the role named by the HCL expression `name`. */
  public policyOf(name: string): string {
    return `local.trust_policies[${name}]`;
  }

  /** The one precondition that holds every check of the role named by `name`, with all its problems as the message. */
  public preconditionOf(name: string): Validation {
    return {
      condition: `\${length(local.role_problems[${name}]) == 0}`,
      errorMessage: `\${join("\\n", local.role_problems[${name}])}`,
    };
  }
}
