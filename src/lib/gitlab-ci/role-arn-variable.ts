/**
 * The names a role takes in GitLab, derived once in HCL, for the role map: the CI/CD
 * variable that holds its ARN, and the hidden job its jobs extend.
 */

/** The article's role keeps the article's variable name. */
export const ARTICLE_ROLE_ARN_VARIABLE = 'ROLE_ARN';

/** Hidden jobs are named after their role: `.aws-oidc-<role>`. */
export const CI_JOB_PREFIX = '.aws-oidc-';

/**
 * HCL expression of the variable of the role named by the HCL expression `roleName`:
 * `web-production` → `ROLE_ARN_WEB_PRODUCTION`, one variable per role, so that a project
 * can use several.
 */
export function roleArnVariableExpression(roleName: string): string {
  // The same name as roleArnVariable, derived in Terraform for a role named at plan.
  return `"ROLE_ARN_\${upper(replace(${roleName}, "/[^A-Za-z0-9]/", "_"))}"`;
}

/** `roleArnVariableExpression` for a role name known at synth. */
export const roleArnVariable = (roleName: string): string => `ROLE_ARN_${roleName.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;

/**
 * HCL expression: the distinct projects that a list of subjects names without wildcards, by path
 * or by id as the subject leads (GitLab's API takes either).
 */
export function exactProjectsExpression(subjects: string): string {
  const project = '^project_(?:path|id):([^:*?]+)(?::|$)';
  // regexall: each subject's capture where it matches, none where it does not (one regex, not a test and a match).
  return `distinct(flatten([for s in ${subjects} : regexall(${JSON.stringify(project)}, s)]))`;
}
