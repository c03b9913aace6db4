/**
 * A reviewer's view of one role's trust, as a Terraform expression: who can assume it and
 * with what. Terraform cannot emit warnings, so legal but dangerous choices are listed
 * here, in an output that `terraform plan` shows.
 *
 * @param claims HCL expression of the map from claim name to allowed values
 * @param policyArns HCL expression of the managed policy ARNs attached
 */
export function trustSummaryExpression(claims: string, policyArns: string): string {
  const subjects = `lookup(${claims}, "sub", [])`;
  const protectedOnly = `contains(lookup(${claims}, "ref_protected", []), "true")`;
  const warnings = [
    `[\nfor arn in ${policyArns} : "attaches \${arn}: administrator-level access to the account"\nif endswith(arn, ":policy/AdministratorAccess") || endswith(arn, ":policy/IAMFullAccess")\n]`,
    `[\nfor s in ${subjects} : "\${s} matches every branch, unprotected ones included: pin the branch, or on gitlab.com add claims.ref_protected = ['true']"\n` +
      `if can(regex(":ref_type:branch:ref:.*[*?]", s)) && !${protectedOnly}\n]`,
    `[\nfor s in ${subjects} : "\${s} matches every project it names with a wildcard, including ones created later"\nif can(regex("^project_path:[^:]*[*?]", s))\n]`,
  ];
  return (
    `{\nsubjects = ${subjects}\naudiences = lookup(${claims}, "aud", [])\n` +
    `other_claims = { for k, v in ${claims} : k => v if !contains(["sub", "aud"], k) }\n` +
    `managed_policy_arns = ${policyArns}\nwarnings = concat(\n${warnings.join(',\n')},\n)\n}`
  );
}
