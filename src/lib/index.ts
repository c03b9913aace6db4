/**
 * The public API of gitlab-aws-oidc-cdktf: constructs for keyless AWS access from GitLab
 * CI/CD in a CDKTF app, the guardrail rules they apply, and the access decision to test
 * roles against GitLab ID tokens. Anything not exported here may change without notice.
 */

// Constructs: the OIDC provider of a GitLab instance, and the roles its jobs assume.
export {
  GitlabOidcProvider,
  type GitlabOidcProviderImportProps,
  type GitlabOidcProviderProps,
  type IGitlabOidcProvider,
  type ThumbprintSource,
} from './constructs/gitlab-oidc-provider';
export { DEFAULT_ROLE_NAME_PREFIX, GitlabCiRole, type GitlabCiRoleProps, type TrustClaims } from './constructs/gitlab-ci-role';
export type { GitlabClaimConditions } from './trust/claim-conditions';
export { GitlabCiRoleFleet, type GitlabCiRoleFleetProps, ROLES_TYPE } from './constructs/gitlab-ci-role-fleet';
export type { Move } from './constructs/move';

// Guardrails: each rule once, as data, with its Terraform predicate and its TypeScript test.
import * as rules from './guardrails/rules';
export { type Check, holds, toHcl } from './guardrails/check';
export { type PropCheck, type PropParts, checkProps } from './guardrails/prop-checks';
export { IAM_QUOTAS } from './guardrails/quotas';
export { GITLAB_COM_EXTRA_CLAIMS, subjectProblem, type Validation, type ValueRule } from './guardrails/rules';

/**
 * Every guardrail rule, by name: each a check (data) with its Terraform predicate (`accepts`),
 * the same test in TypeScript (`test`) and the fix a message gives (`fix`), or a list of them.
 */
export const Rules = {
  AUDIENCE: rules.AUDIENCE,
  AWS_REGION: rules.AWS_REGION,
  CI_HIDDEN_JOB: rules.CI_HIDDEN_JOB,
  CI_VARIABLE_NAME: rules.CI_VARIABLE_NAME,
  CLAIM_NAME: rules.CLAIM_NAME,
  CLAIM_VALUE_LITERAL_START: rules.CLAIM_VALUE_LITERAL_START,
  CLAIM_VALUE_RULES: rules.CLAIM_VALUE_RULES,
  GITLAB_COM_CLAIM: rules.GITLAB_COM_CLAIM,
  GITLAB_SUBJECT: rules.GITLAB_SUBJECT,
  INLINE_POLICY_NAME: rules.INLINE_POLICY_NAME,
  ISSUER_URL: rules.ISSUER_URL,
  JSON_DOCUMENT: rules.JSON_DOCUMENT,
  MANAGED_POLICY_ARN: rules.MANAGED_POLICY_ARN,
  NOT_EMPTY_VALUE: rules.NOT_EMPTY_VALUE,
  NOT_GITHUB_SUBJECT: rules.NOT_GITHUB_SUBJECT,
  NOT_GIT_REF_PATH: rules.NOT_GIT_REF_PATH,
  NOT_OPEN_TO_OTHER_OWNERS: rules.NOT_OPEN_TO_OTHER_OWNERS,
  OIDC_PROVIDER_ARN: rules.OIDC_PROVIDER_ARN,
  PERMISSIONS_BOUNDARY: rules.PERMISSIONS_BOUNDARY,
  QUOTA_MANAGED_POLICIES: rules.QUOTA_MANAGED_POLICIES,
  QUOTA_TRUST_POLICY_LENGTH: rules.QUOTA_TRUST_POLICY_LENGTH,
  ROLE_DESCRIPTION: rules.ROLE_DESCRIPTION,
  ROLE_NAME: rules.ROLE_NAME,
  ROLE_NAME_PREFIX: rules.ROLE_NAME_PREFIX,
  ROLE_PATH: rules.ROLE_PATH,
  ROLE_TAGS: rules.ROLE_TAGS,
  SESSION_DURATION: rules.SESSION_DURATION,
  SUBJECT_RULES: rules.SUBJECT_RULES,
  SUB_COMPONENTS_LIST_RULE: rules.SUB_COMPONENTS_LIST_RULE,
  SUB_COMPONENTS_ONLY: rules.SUB_COMPONENTS_ONLY,
  SUB_LEADS_WITH_PROJECT: rules.SUB_LEADS_WITH_PROJECT,
  SUB_NUMERIC_PROJECT_ID: rules.SUB_NUMERIC_PROJECT_ID,
} as const;

// The rules one by one, as earlier releases exported them.
/** @deprecated Use `Rules.AUDIENCE`. */
export const AUDIENCE = Rules.AUDIENCE;
/** @deprecated Use `Rules.AWS_REGION`. */
export const AWS_REGION = Rules.AWS_REGION;
/** @deprecated Use `Rules.CLAIM_NAME`. */
export const CLAIM_NAME = Rules.CLAIM_NAME;
/** @deprecated Use `Rules.CLAIM_VALUE_RULES`. */
export const CLAIM_VALUE_RULES = Rules.CLAIM_VALUE_RULES;
/** @deprecated Use `Rules.GITLAB_COM_CLAIM`. */
export const GITLAB_COM_CLAIM = Rules.GITLAB_COM_CLAIM;
/** @deprecated Use `Rules.GITLAB_SUBJECT`. */
export const GITLAB_SUBJECT = Rules.GITLAB_SUBJECT;
/** @deprecated Use `Rules.INLINE_POLICY_NAME`. */
export const INLINE_POLICY_NAME = Rules.INLINE_POLICY_NAME;
/** @deprecated Use `Rules.ISSUER_URL`. */
export const ISSUER_URL = Rules.ISSUER_URL;
/** @deprecated Use `Rules.JSON_DOCUMENT`. */
export const JSON_DOCUMENT = Rules.JSON_DOCUMENT;
/** @deprecated Use `Rules.MANAGED_POLICY_ARN`. */
export const MANAGED_POLICY_ARN = Rules.MANAGED_POLICY_ARN;
/** @deprecated Use `Rules.NOT_EMPTY_VALUE`. */
export const NOT_EMPTY_VALUE = Rules.NOT_EMPTY_VALUE;
/** @deprecated Use `Rules.NOT_GITHUB_SUBJECT`. */
export const NOT_GITHUB_SUBJECT = Rules.NOT_GITHUB_SUBJECT;
/** @deprecated Use `Rules.NOT_GIT_REF_PATH`. */
export const NOT_GIT_REF_PATH = Rules.NOT_GIT_REF_PATH;
/** @deprecated Use `Rules.NOT_OPEN_TO_OTHER_OWNERS`. */
export const NOT_OPEN_TO_OTHER_OWNERS = Rules.NOT_OPEN_TO_OTHER_OWNERS;
/** @deprecated Use `Rules.OIDC_PROVIDER_ARN`. */
export const OIDC_PROVIDER_ARN = Rules.OIDC_PROVIDER_ARN;
/** @deprecated Use `Rules.PERMISSIONS_BOUNDARY`. */
export const PERMISSIONS_BOUNDARY = Rules.PERMISSIONS_BOUNDARY;
/** @deprecated Use `Rules.QUOTA_MANAGED_POLICIES`. */
export const QUOTA_MANAGED_POLICIES = Rules.QUOTA_MANAGED_POLICIES;
/** @deprecated Use `Rules.QUOTA_TRUST_POLICY_LENGTH`. */
export const QUOTA_TRUST_POLICY_LENGTH = Rules.QUOTA_TRUST_POLICY_LENGTH;
/** @deprecated Use `Rules.ROLE_DESCRIPTION`. */
export const ROLE_DESCRIPTION = Rules.ROLE_DESCRIPTION;
/** @deprecated Use `Rules.ROLE_NAME`. */
export const ROLE_NAME = Rules.ROLE_NAME;
/** @deprecated Use `Rules.ROLE_NAME_PREFIX`. */
export const ROLE_NAME_PREFIX = Rules.ROLE_NAME_PREFIX;
/** @deprecated Use `Rules.ROLE_PATH`. */
export const ROLE_PATH = Rules.ROLE_PATH;
/** @deprecated Use `Rules.ROLE_TAGS`. */
export const ROLE_TAGS = Rules.ROLE_TAGS;
/** @deprecated Use `Rules.SESSION_DURATION`. */
export const SESSION_DURATION = Rules.SESSION_DURATION;
/** @deprecated Use `Rules.SUBJECT_RULES`. */
export const SUBJECT_RULES = Rules.SUBJECT_RULES;
/** @deprecated Use `Rules.SUB_COMPONENTS_LIST_RULE`. */
export const SUB_COMPONENTS_LIST_RULE = Rules.SUB_COMPONENTS_LIST_RULE;
/** @deprecated Use `Rules.SUB_COMPONENTS_ONLY`. */
export const SUB_COMPONENTS_ONLY = Rules.SUB_COMPONENTS_ONLY;
/** @deprecated Use `Rules.SUB_LEADS_WITH_PROJECT`. */
export const SUB_LEADS_WITH_PROJECT = Rules.SUB_LEADS_WITH_PROJECT;
/** @deprecated Use `Rules.SUB_NUMERIC_PROJECT_ID`. */
export const SUB_NUMERIC_PROJECT_ID = Rules.SUB_NUMERIC_PROJECT_ID;

// Who gets in: IAM's decision on a GitLab job's token, offline.
export { type Decision, type WebIdentityRequest, decide, decideStatements } from './access/decide';
export { type GitlabClaims, type ProviderView, decideToken, decideTokenAmong, gitlabSubject, providerForIssuer } from './access/gitlab-token';
export { DecisionInputError, PolicyReadError } from './access/errors';
// The plan reader: the providers and roles of `terraform show -json` output, for those decisions.
export { type ReviewedConfiguration, type ReviewedProvider, type ReviewedRole, TerraformJsonError, readTerraformJson, readTerraformShow } from './access/terraform-show';

// GitLab's sub, modelled once: its components, their order and values.
export { DEFAULT_SUB_COMPONENTS, SUB_COMPONENTS, type SubComponent, type SubjectFields, mintSub } from './trust/sub-claim';
export { readPolicy, type Statement } from './access/policy';
