import {
  AUDIENCE,
  AWS_REGION,
  CLAIM_NAME,
  ISSUER_URL,
  MANAGED_POLICY_ARN,
  PERMISSIONS_BOUNDARY,
  ROLE_DESCRIPTION,
  ROLE_NAME,
  ROLE_NAME_PREFIX,
  ROLE_PATH,
  ROLE_TAGS,
  SESSION_DURATION,
  validateEach,
  validateNotEmpty,
  validateValue,
} from '../../lib/guardrails/rules';
import { IAM_QUOTAS } from '../../lib/guardrails/quotas';

import { VariableSpec } from './variable-spec';

/** The article role's trust inputs: all null for no article role, all set for one. */
const ARTICLE_ROLE_DEFAULT = 'Null, with the other gitlab_ci inputs, for none.';

const claimValues = (name: string, claim: string): VariableSpec => ({
  name,
  type: 'list(string)',
  description: `Values of the claim in ${claim}, any one to match; with * or ? in any, all go under StringLike, else StringEquals. ${ARTICLE_ROLE_DEFAULT}`,
  default: null,
  validations: [validateNotEmpty(name, `a condition with no values matches no token; list at least one value for the claim in ${claim}`, { nullable: true })],
});

/** `aws_region` in a module export, whose caller configures the aws provider: only the region the CI snippets set, and optional. */
export const MODULE_CI_REGION: VariableSpec = {
  name: 'aws_region',
  type: 'string',
  description: 'The AWS_DEFAULT_REGION the CI snippets set for the AWS CLI and SDKs. Null: none; jobs set their own.',
  default: null,
  validations: [validateValue('aws_region', AWS_REGION, { nullable: true })],
};

/**
 * The variables of the hand-written setup, with the same names and types, so existing
 * `terraform.tfvars` files keep working. The provider needs the first three; the other
 * five make the article's role, and may all be left out for a stack of `roles` only.
 */
export const ARTICLE_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'aws_region',
    type: 'string',
    description: 'AWS region of the aws provider (IAM is global; this only picks the API endpoint), and the AWS_DEFAULT_REGION the CI snippets set.',
    validations: [validateValue('aws_region', AWS_REGION)],
  },
  {
    name: 'mygitlab',
    type: 'string',
    description: 'Issuer URL of the GitLab instance, e.g. https://gitlab.com. Becomes the OIDC provider URL; its host prefixes the condition keys.',
    validations: [validateValue('mygitlab', ISSUER_URL)],
  },
  {
    name: 'mygitlab_aud_value',
    type: 'string',
    description: 'Audience registered on the OIDC provider (client ID): the aud that jobs request in id_tokens.',
    validations: [validateValue('mygitlab_aud_value', AUDIENCE)],
  },
  {
    name: 'mygitlab_match_field',
    type: 'string',
    description: `ID token claim checked against mygitlab_match_value, usually "sub". ${ARTICLE_ROLE_DEFAULT}`,
    default: null,
    validations: [validateValue('mygitlab_match_field', CLAIM_NAME, { nullable: true })],
  },
  {
    name: 'mygitlab_match_field1',
    type: 'string',
    description: `ID token claim checked against mygitlab_match_value1, usually "aud". ${ARTICLE_ROLE_DEFAULT}`,
    default: null,
    validations: [validateValue('mygitlab_match_field1', CLAIM_NAME, { nullable: true })],
  },
  claimValues('mygitlab_match_value', 'mygitlab_match_field'),
  claimValues('mygitlab_match_value1', 'mygitlab_match_field1'),
  {
    name: 'role_arn',
    type: 'list(string)',
    description: `ARNs of the IAM managed policies attached to the gitlab_ci role. ${ARTICLE_ROLE_DEFAULT}`,
    default: null,
    validations: [validateEach('role_arn', MANAGED_POLICY_ARN, { nullable: true })],
  },
];

/** The article role's inputs: it exists when any is set, and all must then be set. */
export const ARTICLE_ROLE_INPUTS = ['mygitlab_match_field', 'mygitlab_match_field1', 'mygitlab_match_value', 'mygitlab_match_value1', 'role_arn'] as const;

/** The hand-written setup's name prefix. */
export const ROLE_NAME_PREFIX_DEFAULT = 'GitLabCI';

/**
 * Name and shape of the gitlab_ci role, so that state of a hand-written setup that named or
 * shaped its role differently is picked up without replacing it. At their defaults the
 * role is what the hand-written setup wrote.
 */
export const ARTICLE_ROLE_SHAPE_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'role_name',
    type: 'string',
    description: 'Fixed name of the gitlab_ci role, for a setup that named it. Null: AWS names it from role_name_prefix.',
    default: null,
    validations: [validateValue('role_name', ROLE_NAME, { nullable: true })],
  },
  {
    name: 'role_name_prefix',
    type: 'string',
    description: 'Name prefix of the gitlab_ci role when role_name is null; AWS appends a unique suffix. The hand-written setup uses GitLabCI.',
    default: ROLE_NAME_PREFIX_DEFAULT,
    validations: [validateValue('role_name_prefix', ROLE_NAME_PREFIX)],
  },
  {
    name: 'role_path',
    type: 'string',
    description: "IAM path of the gitlab_ci role, e.g. '/ci/'.",
    default: '/',
    validations: [validateValue('role_path', ROLE_PATH)],
  },
  {
    name: 'role_description',
    type: 'string',
    description: 'Description of the gitlab_ci role. Null: none.',
    default: null,
    validations: [validateValue('role_description', ROLE_DESCRIPTION)],
  },
  {
    name: 'role_max_session_duration',
    type: 'number',
    description: 'Longest session, in seconds, that the gitlab_ci role grants (3600 to 43200).',
    default: IAM_QUOTAS.sessionDuration.min,
    validations: [validateValue('role_max_session_duration', SESSION_DURATION)],
  },
  {
    name: 'role_permissions_boundary',
    type: 'string',
    description: 'ARN of the managed policy that bounds the gitlab_ci role. Null: none.',
    default: null,
    validations: [validateValue('role_permissions_boundary', PERMISSIONS_BOUNDARY)],
  },
  {
    name: 'role_tags',
    type: 'map(string)',
    description: 'Tags of the gitlab_ci role.',
    default: {},
    validations: [validateValue('role_tags', ROLE_TAGS)],
  },
];
