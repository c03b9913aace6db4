import { GITLAB_COM_CLAIM, GITLAB_COM_EXTRA_CLAIMS, GITLAB_SUBJECT, Validation } from './rules';

/**
 * A check on one role of the role map (see `src/trust/role-model.ts`): an HCL boolean that
 * is true when the role is acceptable, and the message Terraform shows when it is not.
 */
export interface RoleCheck {
  readonly holds: string;
  readonly message: string;
}

/** What the checks read, as HCL expressions. */
export interface RoleCheckInputs {
  /** The role's entry in the role map: `label`, `subject_input`, `trust_claims`, `managed_policy_arns`. */
  readonly role: string;
  /** The issuer host that prefixes condition keys. */
  readonly issuerHost: string;
  /** The audiences the OIDC provider lists. */
  readonly providerAudiences: string;
  /** Where the provider's audiences are set, for the fix (plain text). */
  readonly audienceInput: string;
}

/**
 * Checks on a whole trust, across inputs; Terraform runs them as resource preconditions
 * at plan time. The article's role and every role of `roles` get the same.
 */
export function trustChecks(t: RoleCheckInputs): RoleCheck[] {
  const claims = `${t.role}.trust_claims`;
  const who = `\${${t.role}.label}`;
  const subjects = `lookup(${claims}, "sub", [])`;
  const audiences = `lookup(${claims}, "aud", [])`;
  const extraClaims = `setsubtract(keys(${claims}), ["sub", "aud"])`;
  return [
    {
      holds: `length(${subjects}) > 0`,
      message:
        `${who} has no 'sub' condition, so any project on the GitLab instance could assume it (a job chooses its own aud). ` +
        `Set \${${t.role}.subject_input} to project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref> values.`,
    },
    {
      holds: `alltrue([for s in ${subjects} : ${GITLAB_SUBJECT.accepts('s')}])`,
      message: `${who} has sub value(s) \${jsonencode([for s in ${subjects} : s if !(${GITLAB_SUBJECT.accepts('s')})])} that no GitLab token carries or that reach too far: ${GITLAB_SUBJECT.fix}.`,
    },
    {
      holds: `alltrue([for a in ${audiences} : contains(${t.providerAudiences}, a)])`,
      message:
        `${who} checks aud value(s) \${jsonencode([for a in ${audiences} : a if !contains(${t.providerAudiences}, a)])} that the OIDC provider does not list \${jsonencode(${t.providerAudiences})}; ` +
        `AWS would reject every token with 'Incorrect token audience'. Use an audience of the provider, or add it to ${t.audienceInput}.`,
    },
    {
      holds: `length(${extraClaims}) == 0 || (\n${t.issuerHost} == "gitlab.com" && alltrue([for c in ${extraClaims} : ${GITLAB_COM_CLAIM.accepts('c')}])\n)`,
      message:
        `${who} checks claim(s) \${jsonencode(${extraClaims})} of issuer \${${t.issuerHost}}: AWS evaluates only sub and aud for an OIDC provider, ` +
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
