import { LEADING_COMPONENTS, SUB_COMPONENT_NAMES, subjectProjectHcl } from '../trust/sub-claim';
import { RoleCheck, noneFound, unless } from './check';
import {
  CLAIM_VALUE_RULES,
  GITLAB_COM_CLAIM,
  GITLAB_COM_EXTRA_CLAIMS,
  GITLAB_SUBJECT,
  SUB_COMPONENTS_LIST_RULE,
  Validation,
  breaksAny,
  firstFixHcl,
  subjectProblemHcl,
} from './rules';
import { HclString } from '../hcl/expression';

/** What the checks read, as HCL expressions. */
export interface RoleCheckInputs {
  /**
   * The role's entry in the role map: `label`, `subject_input`, `trust_claims` (its `sub` with the
   * structured subjects rendered), `subject_fields`, `sub_components`, `sub_components_input`.
   */
  readonly role: string;
  /** The issuer host that prefixes condition keys. */
  readonly issuerHost: HclString;
  /** The audiences the OIDC provider lists. */
  readonly providerAudiences: string;
  /** Where the provider's audiences are set, for the fix (plain text). */
  readonly audienceInput: string;
  /** The map from each project structured subjects name to its roles' component lists (see `projectComponentsExpression`). */
  readonly projectComponents: string;
}

/** The components that may follow the project, as an HCL list. */
const OPTIONAL_COMPONENTS = JSON.stringify(SUB_COMPONENT_NAMES.filter((c) => !LEADING_COMPONENTS.includes(c)));

/**
 * Checks on a whole trust, across inputs; Terraform runs them as resource preconditions
 * at plan time. The article's role and every role of `roles` get the same.
 */
export function trustChecks(t: RoleCheckInputs): RoleCheck[] {
  const claims = `${t.role}.trust_claims`;
  const who = `\${${t.role}.label}`;
  const subjects = `${t.role}.subjects`;
  const audiences = `${t.role}.audiences`;
  const extraClaims = `setsubtract(keys(${claims}), ["sub", "aud"])`;
  const fields = `${t.role}.subject_fields`;
  const components = `${t.role}.sub_components`;
  const componentsInput = `\${${t.role}.sub_components_input}`;
  const lead = `try(${components}[0], "")`;
  const lostComponents = `distinct(flatten([\nfor f in ${fields} : [\nfor c in ${OPTIONAL_COMPONENTS} : c if f[c] != null && !contains(${components}, c)\n]\n]))`;
  const unnamedProject = `!try(f[${components}[0]] != null, false)`;
  return [
    unless(
      `length(${subjects}) > 0`,
      `${who} has no 'sub' condition, so any project on the GitLab instance could assume it (a job chooses its own aud). ` +
        `Set \${${t.role}.subject_input} to values such as project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>, or give structured subjects.`,
    ),
    noneFound(
      `[for s in ${subjects} : s if ${GITLAB_SUBJECT.rejects('s')}]`,
      `${who} has sub value(s) that no GitLab token carries or that reach too far: \${join("; ", [for s in found : "\${jsonencode(s)}: \${${subjectProblemHcl('s')}}"])}.`,
    ),
    noneFound(
      `[for v in flatten([for claim, values in ${claims} : values if !contains(["sub", "aud"], claim)]) : v if ${breaksAny(CLAIM_VALUE_RULES, 'v')}]`,
      `${who} checks claim value(s) that no token carries or that let in too much (set in \${${t.role}.claims_input}): ` +
        `\${join("; ", [for v in found : "\${jsonencode(v)}: \${${firstFixHcl(CLAIM_VALUE_RULES, 'v')}}"])}.`,
    ),
    // IAM would drop nothing, but the condition the list stands for would be gone from the policy.
    noneFound(
      `[for claim, values in ${claims} : claim if length(values) == 0 && claim != "sub"]`,
      `${who} lists no values for claim(s) \${jsonencode(found)} (aud: its audiences; the others: its claims): an empty list would drop that condition and let in ` +
        'every value of the claim. List the values to allow, or leave the key out.',
    ),
    noneFound(
      `[for a in ${audiences} : a if !contains(${t.providerAudiences}, a)]`,
      `${who} checks aud value(s) \${jsonencode(found)} that the OIDC provider does not list \${jsonencode(${t.providerAudiences})}; ` +
        `AWS would reject every token with 'Incorrect token audience'. Use an audience of the provider, or add it to ${t.audienceInput}.`,
    ),
    noneFound(
      unevaluatedClaims(extraClaims, t.issuerHost),
      `${who} checks claim(s) \${jsonencode(found)} of issuer ${t.issuerHost.inTemplate}: AWS evaluates only sub and aud for an OIDC provider, ` +
        `plus ${GITLAB_COM_EXTRA_CLAIMS.join(', ')} for gitlab.com. Any other condition key never matches. ` +
        `To pin a project by id or require protected refs or environments on another instance, put them in sub: set the project's ci_id_token_sub_claim_components ` +
        `and ${componentsInput} to \${jsonencode(${componentsFor(components, 'found')})}, and ask for them in structured subjects (e.g. ref_protected = true).`,
    ),
    unless(
      `length(${fields}) == 0 || ${SUB_COMPONENTS_LIST_RULE.accepts(`join(",", ${components})`)}`,
      `${who} renders its structured subjects for the sub components \${jsonencode(${components})} (${componentsInput}): ${SUB_COMPONENTS_LIST_RULE.fix}.`,
    ),
    noneFound(
      `[for f in ${fields} : { for k, v in f : k => v if v != null } if ${unnamedProject}]`,
      `${who} has structured subject(s) that do not name the project by \${${lead}}, the first of its sub components \${jsonencode(${components})} (${componentsInput}): ` +
        `\${jsonencode(found)}. Give \${${lead}} in each, or lead the components with the field they give.`,
    ),
    noneFound(
      `distinct([\nfor p in [for f in ${fields} : ${subjectProjectHcl('f')}] : p\nif try(length(${t.projectComponents}[p]) != 1, false)\n])`,
      `${who} renders structured subjects for the sub components \${jsonencode(${components})} (${componentsInput}), but other roles render subjects of the same ` +
        `project for other components: \${jsonencode({ for project in found : project => ${t.projectComponents}[project] })}. ` +
        "A project builds its sub from one list: give every role of it the project's ci_id_token_sub_claim_components.",
    ),
    noneFound(
      lostComponents,
      `${who} asks in structured subjects for \${jsonencode(found)}, which its sub components \${jsonencode(${components})} (${componentsInput}) leave out: ` +
        `GitLab would not put them in sub, so the requirement would be lost. Set the project's ci_id_token_sub_claim_components and ${componentsInput} to ` +
        `\${jsonencode(concat(${components}, found))}.`,
    ),
  ];
}

/**
 * HCL: the components list that puts the claims `claims` (an HCL list) in `sub`, from the list
 * `components`: `project_id` leads where it is asked for (the list GitLab 19.1 advises), and the
 * other claims that are components join the end. Claims that are no component add nothing.
 */
function componentsFor(components: string, claims: string): string {
  const lead = `contains(${claims}, "project_id") ? "project_id" : try(${components}[0], "project_path")`;
  return `concat(\n[${lead}],\n[for c in ${components} : c if !contains(${JSON.stringify(LEADING_COMPONENTS)}, c)],\n[\nfor c in ${claims} : c\nif contains(${OPTIONAL_COMPONENTS}, c) && !contains(${components}, c)\n]\n)`;
}

/**
 * HCL: the claims of `extraClaims` (a role's claims other than sub and aud) that AWS never
 * evaluates for the issuer: on gitlab.com those outside its list, elsewhere all. A literal
 * host decides which at synth.
 */
function unevaluatedClaims(extraClaims: string, issuerHost: HclString): string {
  const outsideGitlabCom = GITLAB_COM_CLAIM.rejects('c');
  if (issuerHost.literal === undefined) return `[for c in ${extraClaims} : c if ${issuerHost.hcl} != "gitlab.com" || ${outsideGitlabCom}]`;
  return issuerHost.literal === 'gitlab.com' ? `[for c in ${extraClaims} : c if ${outsideGitlabCom}]` : `[for c in ${extraClaims} : c]`;
}

/**
 * An existing provider must be the one for this issuer, or no token would match its trust.
 * `input` names where the ARN is set, for the message.
 */
export function existingProviderPrecondition(existingProviderArn: string, issuerHost: HclString, input = 'existing_provider_arn'): Validation {
  return {
    condition: `\${${existingProviderArn} == null || endswith(coalesce(${existingProviderArn}, "-"), ":oidc-provider/${issuerHost.inTemplate}")}`,
    errorMessage:
      `${input} \${jsonencode(${existingProviderArn})} is not the OIDC provider of ${issuerHost.inTemplate}: ` +
      `its ARN must end in ':oidc-provider/${issuerHost.inTemplate}'. Give that provider's ARN${input === 'existing_provider_arn' ? ', or leave existing_provider_arn null to create it' : ''}.`,
  };
}
