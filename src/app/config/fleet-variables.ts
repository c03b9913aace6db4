import {
  AUDIENCE,
  OIDC_PROVIDER_ARN,
  QUOTA_MANAGED_POLICIES,
  QUOTA_TRUST_POLICY_LENGTH,
  ROLE_NAME,
  SUB_COMPONENTS_LIST_RULE,
  validateExpression,
  validateEach,
  validateRoleNames,
  validateValue,
} from '../../lib/guardrails/rules';
import { ARTICLE_ROLE_NAME } from '../../lib/trust/role-model';
import { DEFAULT_SUB_COMPONENTS } from '../../lib/trust/sub-claim';
import { IAM_QUOTAS } from '../../lib/guardrails/quotas';
import { VariableSpec } from './variable-spec';
import { ROLES_TYPE } from '../../lib/constructs/gitlab-ci-role-fleet';

/** Inputs that go beyond the hand-written setup; their defaults leave the article's role exactly as it was. */
export const FLEET_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'roles',
    type: ROLES_TYPE,
    description:
      'More roles under the same OIDC provider, keyed by role name: subjects (GitLab sub values), audiences, claims (gitlab.com only), ' + 'policies and IAM attributes.',
    default: {},
    validations: [
      validateRoleNames('roles', ROLE_NAME),
      {
        condition: `\${!contains(keys(var.roles), "${ARTICLE_ROLE_NAME}")}`,
        errorMessage: `roles has a role named '${ARTICLE_ROLE_NAME}': that name is the hand-written setup's role (aws_iam_role.gitlab_ci) in trust_summary, trust_conditions and npm run access. Rename the role.`,
      },
      // Each role's trust is checked by the role map, and its other attributes by the fleet (ROLE_ATTRIBUTE_RULES), at plan.
    ],
  },
  {
    name: 'ci_id_token_sub_claim_components',
    type: 'list(string)',
    description:
      "The ci_id_token_sub_claim_components of the GitLab projects that roles' subject_fields name: the components GitLab builds their sub from, in order. " +
      'A role may set its own.',
    default: [...DEFAULT_SUB_COMPONENTS],
    validations: [validateExpression('ci_id_token_sub_claim_components', 'join(",", var.ci_id_token_sub_claim_components)', SUB_COMPONENTS_LIST_RULE)],
  },
  {
    name: 'additional_audiences',
    type: 'list(string)',
    description:
      'Audiences (client IDs) the OIDC provider lists besides mygitlab_aud_value, for roles whose audiences name them. ' +
      'A role without audiences still trusts only mygitlab_aud_value.',
    default: [],
    validations: [validateEach('additional_audiences', AUDIENCE)],
  },
  {
    name: 'existing_provider_arn',
    type: 'string',
    description:
      "ARN of this GitLab instance's IAM OIDC provider if it already exists in the account (one per issuer URL); null creates it. " +
      'mygitlab_aud_value must be an audience it lists.',
    default: null,
    validations: [validateValue('existing_provider_arn', OIDC_PROVIDER_ARN)],
  },
  {
    name: 'ci_id_token_audience',
    type: 'string',
    description:
      "The aud every GitLab job requests in the CI snippets (output gitlab_ci_snippets). Null: each role's first audience. A role that does not accept it fails the plan.",
    default: null,
    validations: [validateValue('ci_id_token_audience', AUDIENCE, { nullable: true })],
  },
  {
    name: 'trust_policy_max_length',
    type: 'number',
    description: `Longest trust policy IAM accepts in this account, counted as IAM does (without whitespace). Default ${IAM_QUOTAS.trustPolicyLength.default}; up to ${IAM_QUOTAS.trustPolicyLength.max} after a quota increase.`,
    default: IAM_QUOTAS.trustPolicyLength.default,
    validations: [validateValue('trust_policy_max_length', QUOTA_TRUST_POLICY_LENGTH)],
  },
  {
    name: 'max_managed_policies_per_role',
    type: 'number',
    description: `Managed policies IAM lets one role hold in this account. Default ${IAM_QUOTAS.managedPoliciesPerRole.default}; up to ${IAM_QUOTAS.managedPoliciesPerRole.max} after a quota increase.`,
    default: IAM_QUOTAS.managedPoliciesPerRole.default,
    validations: [validateValue('max_managed_policies_per_role', QUOTA_MANAGED_POLICIES)],
  },
];
