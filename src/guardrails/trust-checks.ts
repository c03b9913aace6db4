import { GITLAB_SUBJECT, Validation } from './rules';

/** Where a role's trust inputs come from, for messages that point at the input to change. */
export interface TrustInputs {
  /** Who is checked, as users name it, e.g. `aws_iam_role.gitlab_ci`. */
  readonly role: string;
  /** HCL expression of the map from claim name to allowed values. */
  readonly claims: string;
  /** HCL expression of the audiences the OIDC provider lists. */
  readonly providerAudiences: string;
  /** Where the subjects are set, for the fix: e.g. `mygitlab_match_field = "sub" and mygitlab_match_value`. */
  readonly subjectInput: string;
  /** Where the provider's audiences are set, for the fix. */
  readonly audienceInput: string;
}

/**
 * Checks on a whole trust policy, across inputs; Terraform runs them as resource
 * preconditions at plan time.
 */
export function trustPreconditions(t: TrustInputs): Validation[] {
  const subjects = `lookup(${t.claims}, "sub", [])`;
  const audiences = `lookup(${t.claims}, "aud", [])`;
  return [
    {
      condition: `\${length(${subjects}) > 0}`,
      errorMessage:
        `${t.role} has no 'sub' condition, so any project on the GitLab instance could assume it (a job chooses its own aud). ` +
        `Set ${t.subjectInput} to project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref> values.`,
    },
    {
      condition: `\${alltrue([for s in ${subjects} : ${GITLAB_SUBJECT.accepts('s')}])}`,
      errorMessage: `${t.role} has sub value(s) \${jsonencode([for s in ${subjects} : s if !(${GITLAB_SUBJECT.accepts('s')})])} that no GitLab token carries or that reach too far: ${GITLAB_SUBJECT.fix}.`,
    },
    {
      condition: `\${alltrue([for a in ${audiences} : contains(${t.providerAudiences}, a)])}`,
      errorMessage:
        `${t.role} checks aud value(s) \${jsonencode([for a in ${audiences} : a if !contains(${t.providerAudiences}, a)])} that the OIDC provider does not list \${jsonencode(${t.providerAudiences})}; ` +
        `AWS would reject every token with 'Incorrect token audience'. Use an audience of the provider, or add it to ${t.audienceInput}.`,
    },
  ];
}
