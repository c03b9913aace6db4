/**
 * The CI/CD variable that holds a role's ARN in GitLab, written once in JavaScript (for the
 * generated CI snippets) and once in HCL (for the gitlab_project_variable resources); a
 * test checks the two agree.
 */

/** The article's role keeps the article's name for it. */
export const ARTICLE_ROLE_ARN_VARIABLE = 'ROLE_ARN';

/** `web-production` → `ROLE_ARN_WEB_PRODUCTION`: one variable per role, so a project can use several. */
export function roleArnVariable(roleName: string): string {
  return `ROLE_ARN_${roleName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** HCL expression of `roleArnVariable` for a role name expression. */
export function roleArnVariableExpression(roleName: string): string {
  return `"ROLE_ARN_\${upper(replace(${roleName}, "/[^A-Za-z0-9]/", "_"))}"`;
}

/** HCL expression: the distinct project paths that a list of subjects names without wildcards. */
export function exactProjectsExpression(subjects: string): string {
  return `distinct([\nfor s in ${subjects} : regex("^project_path:([^:]+):", s)[0]\nif can(regex("^project_path:[^:*?]+:", s))\n])`;
}

/** The projects that subjects name without wildcards, as `exactProjectsExpression` computes them. */
export function exactProjects(subjects: readonly string[]): string[] {
  const projects = subjects.map((s) => /^project_path:([^:*?]+):/.exec(s)?.[1]).filter((p): p is string => Boolean(p));
  return [...new Set(projects)];
}
