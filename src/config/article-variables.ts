import {
  AUDIENCE,
  AWS_REGION,
  CLAIM_NAME,
  CLAIM_VALUE_RULES,
  ISSUER_URL,
  MANAGED_POLICY_ARN,
  validateEach,
  validateNotEmpty,
  validateValue,
} from '../guardrails/rules';

import { VariableSpec } from './variable-spec';

const claimValues = (name: string, claim: string): VariableSpec => ({
  name,
  type: 'list(string)',
  description: `Values allowed for the claim named in ${claim}; any one of them must match. If any value has * or ?, all are matched with StringLike, else with StringEquals.`,
  validations: [
    validateNotEmpty(name, `a condition with no values matches no token; list at least one value for the claim in ${claim}`),
    ...CLAIM_VALUE_RULES.map((rule) => validateEach(name, rule)),
  ],
});

/**
 * The variables of the hand-written setup, with the same names and types, so existing
 * `terraform.tfvars` files keep working.
 */
export const ARTICLE_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'aws_region',
    type: 'string',
    description: 'AWS region of the aws provider (IAM is global; this only picks the API endpoint).',
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
    description: 'ID token claim checked against mygitlab_match_value, usually "sub".',
    validations: [validateValue('mygitlab_match_field', CLAIM_NAME)],
  },
  {
    name: 'mygitlab_match_field1',
    type: 'string',
    description: 'ID token claim checked against mygitlab_match_value1, usually "aud".',
    validations: [validateValue('mygitlab_match_field1', CLAIM_NAME)],
  },
  claimValues('mygitlab_match_value', 'mygitlab_match_field'),
  claimValues('mygitlab_match_value1', 'mygitlab_match_field1'),
  {
    name: 'role_arn',
    type: 'list(string)',
    description: 'ARNs of the IAM managed policies attached to the role.',
    validations: [validateEach('role_arn', MANAGED_POLICY_ARN)],
  },
];
