import { GITLAB_COM_EXTRA_CLAIMS, GITLAB_SUBJECT, Validation } from './rules';

/** Where a role's trust inputs come from, for messages that point at the input to change. */
export interface TrustInputs {
  /** Who is checked, as users name it, e.g. `aws_iam_role.gitlab_ci`. May hold an interpolation. */
  readonly role: string;
  /** HCL expression of the map from claim name to allowed values. */
  readonly claims: string;
  /** HCL expression of the issuer host that prefixes condition keys. */
  readonly issuerHost: string;
  /** HCL expression of the audiences the OIDC provider lists. */
  readonly providerAudiences: string;
  /** Where the subjects are set, for the fix. */
  readonly subjectInput: string;
  /** Where the provider's audiences are set, for the fix. */
  readonly audienceInput: string;
}

/**
 * Checks on a whole trust policy, across inputs; Terraform runs them as resource
 * preconditions at plan time. The article's role and every role of `roles` get the same.
 */
export function trustPreconditions(t: TrustInputs): Validation[] {
  const subjects = `lookup(${t.claims}, "sub", [])`;
  const audiences = `lookup(${t.claims}, "aud", [])`;
  const extraClaims = `setsubtract(keys(${t.claims}), ["sub", "aud"])`;
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
    {
      condition: `\${length(${extraClaims}) == 0 || (${t.issuerHost} == "gitlab.com" && alltrue([for c in ${extraClaims} : contains(${JSON.stringify(GITLAB_COM_EXTRA_CLAIMS)}, c)]))}`,
      errorMessage:
        `${t.role} checks claim(s) \${jsonencode(${extraClaims})} of issuer \${${t.issuerHost}}: AWS evaluates only sub and aud for an OIDC provider, ` +
        `plus ${GITLAB_COM_EXTRA_CLAIMS.join(', ')} for gitlab.com. Any other condition key never matches; bind the role with sub values instead.`,
    },
  ];
}

/** An existing provider must be the one for this issuer, or no token would match its trust. */
export function existingProviderPrecondition(existingProviderArn: string, issuerHost: string): Validation {
  return {
    condition: `\${${existingProviderArn} == null || endswith(coalesce(${existingProviderArn}, "-"), ":oidc-provider/\${${issuerHost}}")}`,
    errorMessage:
      `existing_provider_arn \${jsonencode(${existingProviderArn})} is not the OIDC provider of \${${issuerHost}}: ` +
      `its ARN must end in ':oidc-provider/\${${issuerHost}}'. Give that provider's ARN, or leave existing_provider_arn null to create it.`,
  };
}
