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
export { GitlabCiRoleFleet, type GitlabCiRoleFleetProps, ROLES_TYPE } from './constructs/gitlab-ci-role-fleet';
export type { Move } from './constructs/move';

// Guardrails: each rule once, as data, with its Terraform predicate and its TypeScript test.
export { type Check, holds, toHcl } from './guardrails/check';
export { type PropCheck, type PropParts, checkProps } from './guardrails/prop-checks';
export { IAM_QUOTAS } from './guardrails/quotas';
export {
  AUDIENCE,
  AWS_REGION,
  CLAIM_NAME,
  CLAIM_VALUE_RULES,
  GITLAB_COM_CLAIM,
  GITLAB_COM_EXTRA_CLAIMS,
  GITLAB_SUBJECT,
  INLINE_POLICY_NAME,
  ISSUER_URL,
  JSON_DOCUMENT,
  MANAGED_POLICY_ARN,
  NOT_EMPTY_VALUE,
  NOT_GITHUB_SUBJECT,
  NOT_GIT_REF_PATH,
  NOT_OPEN_TO_OTHER_OWNERS,
  OIDC_PROVIDER_ARN,
  PERMISSIONS_BOUNDARY,
  QUOTA_MANAGED_POLICIES,
  QUOTA_TRUST_POLICY_LENGTH,
  ROLE_DESCRIPTION,
  ROLE_NAME,
  ROLE_NAME_PREFIX,
  ROLE_PATH,
  ROLE_TAGS,
  SESSION_DURATION,
  SUBJECT_RULES,
  SUB_COMPONENTS_LIST_RULE,
  SUB_COMPONENTS_ONLY,
  SUB_LEADS_WITH_PROJECT,
  SUB_NUMERIC_PROJECT_ID,
  subjectProblem,
  type Validation,
  type ValueRule,
} from './guardrails/rules';

// Who gets in: IAM's decision on a GitLab job's token, offline.
export { type Decision, decide } from './access/decide';
export { type GitlabClaims, type ProviderView, decideToken, gitlabSubject } from './access/gitlab-token';
export { PolicyReadError } from './access/errors';

// GitLab's sub, modelled once: its components, their order and values.
export { DEFAULT_SUB_COMPONENTS, SUB_COMPONENTS, type SubComponent, type SubjectFields, mintSub } from './trust/sub-claim';
export { readPolicy, type Statement } from './access/policy';
