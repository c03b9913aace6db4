import { LEADING_COMPONENTS, SUBJECT_FIELD_OF, SUB_COMPONENT_NAMES, SubjectFields } from '../trust/sub-claim';
import { IAM_QUOTAS } from './quotas';
import { subjectProblem } from './rules';

/**
 * The checks of the role map (`trustChecks`, `quotaChecks`, `ciChecks`) that a role whose
 * every input is known at synth does not already get from its props' rules: the same
 * questions, asked in TypeScript, so that such a role needs no precondition and no local.
 * A role with a token anywhere in its trust is checked at plan instead, by the map.
 */

/** What the provider's side of the checks reads, all known at synth. */
export interface KnownProvider {
  /** An ARN as long as the provider's, to measure trust policies (see `RoleTrustModelProps.providerArnForSizing`). */
  readonly arnForSizing: string;
  readonly trustPolicyMaxLength: { readonly value: number; readonly setIn: string };
  readonly maxManagedPoliciesPerRole: { readonly value: number; readonly setIn: string };
  /** The audience every job requests, where one is set. */
  readonly ciAudience?: { readonly value: string; readonly setIn: string };
}

/** One role's trust, all known at synth. */
export interface KnownRole {
  /** The claims of its Condition block, `sub` with its structured subjects rendered. */
  readonly claims: Readonly<Record<string, readonly string[]>>;
  readonly fields: readonly SubjectFields[];
  /** The `sub` values its structured subjects render to (its `sub` strings are checked as props). */
  readonly renderedSubjects: readonly string[];
  readonly components: readonly string[];
  /** Where the components are set, for the fix. */
  readonly componentsInput: string;
  readonly managedPolicyArns: readonly string[];
  readonly arnVariable: string;
  readonly ciJob: string;
  /** The length of its trust policy with `KnownProvider.arnForSizing` as the provider's ARN. */
  readonly trustPolicyLength: number;
}

/** What the roles of one provider checked so far have taken, for the checks across roles. */
export class KnownRoleRegistry {
  private readonly variables = new Map<string, string>();
  private readonly jobs = new Map<string, string>();
  private readonly projectComponents = new Map<string, { role: string; components: readonly string[] }>();

  /** The problems of the role named `who`, after which its names and projects are taken. */
  public check(who: string, role: KnownRole, provider: KnownProvider): string[] {
    const problems = [...ownProblems(role, provider), ...this.clashes(role)];
    if (!this.variables.has(role.arnVariable)) this.variables.set(role.arnVariable, who);
    if (!this.jobs.has(role.ciJob)) this.jobs.set(role.ciJob, who);
    for (const project of projectsOf(role.fields)) {
      if (!this.projectComponents.has(project)) this.projectComponents.set(project, { role: who, components: role.components });
    }
    return problems;
  }

  private clashes(role: KnownRole): string[] {
    const problems: string[] = [];
    const variableOwner = this.variables.get(role.arnVariable);
    if (variableOwner) {
      problems.push(
        `its ARN goes in the CI/CD variable ${role.arnVariable}, and so does that of ${variableOwner}: their jobs could not tell the roles apart. Give one arnVariable.`,
      );
    }
    const jobOwner = this.jobs.get(role.ciJob);
    if (jobOwner) problems.push(`its hidden job ${role.ciJob} is the hidden job of ${jobOwner} too. Give one ciJobName.`);
    for (const project of projectsOf(role.fields)) {
      const other = this.projectComponents.get(project);
      if (other && other.components.join(',') !== role.components.join(',')) {
        problems.push(
          `it renders structured subjects of project ${project} for the sub components ${JSON.stringify(role.components)} (${role.componentsInput}), ` +
            `but ${other.role} renders them for ${JSON.stringify(other.components)}. A project builds its sub from one list: ` +
            "give every role of it the project's ci_id_token_sub_claim_components.",
        );
      }
    }
    return problems;
  }
}

/** The projects that structured subjects name: the id where given, else the path (as `subjectProjectHcl`). */
const projectsOf = (fields: readonly SubjectFields[]): string[] => [
  ...new Set(fields.flatMap((f) => (f.projectId !== undefined ? [String(f.projectId)] : f.projectPath !== undefined ? [f.projectPath] : []))),
];

function ownProblems(role: KnownRole, provider: KnownProvider): string[] {
  const problems: string[] = [];
  const components = JSON.stringify(role.components);
  const lead = role.components[0];
  const leadField = SUBJECT_FIELD_OF[lead];
  const unnamed = role.fields.filter((f) => leadField === undefined || f[leadField] === undefined);
  if (unnamed.length) {
    problems.push(
      `it has structured subject(s) that do not name the project by ${lead}, the first of its sub components ${components} (${role.componentsInput}): ` +
        `${JSON.stringify(unnamed)}. Give ${lead} in each, or lead the components with the field they give.`,
    );
  }
  const optional = SUB_COMPONENT_NAMES.filter((c) => !LEADING_COMPONENTS.includes(c));
  const lost = optional.filter((c) => !role.components.includes(c) && role.fields.some((f) => f[SUBJECT_FIELD_OF[c]] !== undefined));
  if (lost.length) {
    problems.push(
      `it asks in structured subjects for ${JSON.stringify(lost)}, which its sub components ${components} (${role.componentsInput}) leave out: ` +
        "GitLab would not put them in sub, so the requirement would be lost. Set the project's ci_id_token_sub_claim_components and " +
        `${role.componentsInput} to ${JSON.stringify([...role.components, ...lost])}.`,
    );
  }
  // Checked for every value as the role map checks them: a rendering no token carries would let no job in, or the wrong ones.
  const unminted = role.renderedSubjects.filter((sub) => subjectProblem(sub) !== undefined);
  if (unminted.length) {
    problems.push(`its structured subjects render to sub value(s) no GitLab token carries: ${unminted.map((sub) => `${JSON.stringify(sub)}: ${subjectProblem(sub)}`).join('; ')}.`);
  }
  const length = provider.trustPolicyMaxLength;
  if (role.trustPolicyLength > length.value) {
    problems.push(
      `its trust policy has ${role.trustPolicyLength} characters; IAM accepts ${length.value} (${length.setIn}). Use fewer or broader subjects, split the role, ` +
        `or request a quota increase (up to ${IAM_QUOTAS.trustPolicyLength.max}) and raise ${length.setIn}.`,
    );
  }
  const policies = provider.maxManagedPoliciesPerRole;
  const attached = new Set(role.managedPolicyArns).size;
  if (attached > policies.value) {
    problems.push(
      `it attaches ${attached} managed policies; IAM allows ${policies.value} per role (${policies.setIn}). Combine policies, ` +
        `or request a quota increase (up to ${IAM_QUOTAS.managedPoliciesPerRole.max}) and raise ${policies.setIn}.`,
    );
  }
  const accepted = role.claims.aud ?? [];
  if (provider.ciAudience && accepted.length && !accepted.includes(provider.ciAudience.value)) {
    problems.push(
      `GitLab jobs would request aud ${JSON.stringify(provider.ciAudience.value)} (${provider.ciAudience.setIn}), but the role accepts ${JSON.stringify(accepted)}: ` +
        `AWS would refuse every job with 'Incorrect token audience'. Set ${provider.ciAudience.setIn} to an audience the role trusts, or add it to the role's audiences.`,
    );
  }
  return problems;
}
