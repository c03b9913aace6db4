import { textExpression } from '../hcl/text';
import { HclString } from '../hcl/expression';

/**
 * HCL: whether only jobs on protected refs get in: every subject holds `ref_protected:true`, or
 * (gitlab.com) `claims.ref_protected` is `["true"]`.
 */
export const protectedRefsOnlyExpression = (role: string): string => requiredEverywhere(role, 'ref_protected', 'ref_protected');

/** HCL: every subject of the role-map entry `role` holds `<component>:true`, or the role requires the claim (gitlab.com) in its `claims`. */
function requiredEverywhere(role: string, component: string, claim?: string): string {
  const subjects = `${role}.subjects`;
  const inClaims = claim ? `contains(lookup(${role}.trust_claims, "${claim}", []), "true") || ` : '';
  return `${inClaims}(\nlength(${subjects}) > 0 && alltrue([for s in ${subjects} : strcontains(s, ":${component}:true")])\n)`;
}

/**
 * A reviewer's view of one role's trust, as a Terraform expression: who can assume it and
 * with what. Terraform cannot emit warnings, so legal but dangerous choices, and trusts that
 * may never match, are listed here, in an output that `terraform plan` shows.
 *
 * @param role HCL expression of the role's entry in the role map (`trust_claims`, `subjects`, `audiences`, `managed_policy_arns`)
 * @param issuerHost the issuer host (`gitlab.com` or a self-managed instance), a literal or an expression
 * @param protectedOnly HCL boolean: whether only jobs on protected refs get in (see `protectedRefsOnlyExpression`)
 */
export function trustSummaryExpression(role: string, issuerHost: HclString, protectedOnly: string): string {
  const claims = `${role}.trust_claims`;
  const subjects = `${role}.subjects`;
  const policyArns = `${role}.managed_policy_arns`;
  const claimIsTrue = (claim: string) => `contains(lookup(${claims}, "${claim}", []), "true")`;
  const warnings = [
    `[\nfor arn in ${policyArns} : "attaches \${arn}: administrator-level access to the account"\nif endswith(arn, ":policy/AdministratorAccess") || endswith(arn, ":policy/IAMFullAccess")\n]`,
    // Any ref: a wildcard in the ref, or no ref component at all; unless only protected refs or environments get in.
    `[\nfor s in ${subjects} : ${textExpression(
      '${s} matches every branch, unprotected ones included (and, before GitLab 18.2.2, merge requests from forks): ' +
        "pin the branch, or require protected refs (ref_protected in the project's sub components, or on gitlab.com claims.ref_protected = ['true'])",
    )}\n` +
      `if !strcontains(s, ":ref_type:tag") && (can(regex(":ref:[^:]*[*?]", s)) || !strcontains(s, ":ref:"))\n` +
      `&& !strcontains(s, ":ref_protected:true") && !strcontains(s, ":environment_protected:true") && !(${claimIsTrue('ref_protected')})\n]`,
    `[\nfor s in ${subjects} : ${textExpression(
      "${s} matches every project it names with a wildcard, including ones created later and forks made there (a fork's merge-request jobs carry the fork's path since GitLab 18.2.2)",
    )}\nif can(regex("^project_path:[^:]*[*?]", s))\n]`,
    // gitlab.com keeps a project's path from being reclaimed: the warning is for other instances.
    ...(issuerHost.literal === 'gitlab.com'
      ? []
      : [
          `[\nfor s in ${subjects} : ${textExpression(
            '${s} pins the project by path: a project created at that path after a rename or deletion would get in. ' +
              "Lead the project's sub components with project_id (GitLab 19.1 issues no token for a reclaimed path unless sub starts with project_id)",
          )}\n` + `if ${issuerHost.literal === undefined ? `${issuerHost.hcl} != "gitlab.com" && ` : ''}startswith(s, "project_path:")\n]`,
        ]),
    `[\nfor s in ${subjects} : ${textExpression(
      '${s} needs environment_protected:true, which only GitLab Premium and Ultimate mint: on the free edition every job reports false, and none gets in',
    )}\n` + `if strcontains(s, ":environment_protected:true")\n]`,
  ];
  return (
    `{\nsubjects = ${subjects}\naudiences = ${role}.audiences\n` +
    `other_claims = { for k, v in ${claims} : k => v if !contains(["sub", "aud"], k) }\n` +
    `protected_refs_only = ${protectedOnly}\n` +
    `protected_environments_only = ${requiredEverywhere(role, 'environment_protected')}\n` +
    `projects_pinned_by_id = length(lookup(${claims}, "project_id", [])) > 0 || (\nlength(${subjects}) > 0 && alltrue([for s in ${subjects} : startswith(s, "project_id:")])\n)\n` +
    `managed_policy_arns = ${policyArns}\nwarnings = concat(\n${warnings.join(',\n')},\n)\n}`
  );
}
