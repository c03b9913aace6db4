import { Construct } from 'constructs';
import { HclString } from '../hcl/expression';
import { hclLocal } from '../constructs/hcl-local';
import { QuotaLimits, quotaChecks } from '../guardrails/quotas';
import { Validation } from '../guardrails/rules';
import { problemsExpression } from '../guardrails/check';
import { trustChecks } from '../guardrails/trust-checks';
import { KnownProvider, KnownRole, KnownRoleRegistry } from '../guardrails/known-role-checks';
import { CiInputs, ciChecks, ciOwnersExpression, ciProjectsExpression, ciSnippetExpression, jobAudienceExpression } from '../gitlab-ci/ci-snippets';
import { projectComponentsExpression, projectSettingsExpression, renderSubjectsHcl } from './sub-claim';
import { conditionExpression, trustPolicyExpression } from './trust-policy';
import { protectedRefsOnlyExpression, trustSummaryExpression } from './trust-summary';

/**
 * One model of every role: a Terraform map from role name to what its trust is made of.
 * Each derivation (the `Condition` block, the trust policy, its length, the guardrails and
 * the reviewer's summary) is written once here, as a local over that map, and the role
 * resources read their entry by name. So the article's role and the roles of `roles`
 * cannot drift apart.
 */

/** The article's role in the role map: the name reviewers and `npm run access` use for it. */
export const ARTICLE_ROLE_NAME = 'gitlab_ci';

/**
 * The attributes of a role map entry, each an HCL expression over the entry's source. The map
 * adds `subjects` and `audiences`, the `sub` and `aud` values of `trust_claims` (empty where absent).
 */
export interface RoleEntry {
  /** How messages name the role, e.g. `aws_iam_role.gitlab_ci`. */
  readonly label: string;
  /** Where its subjects are set, for the fix. */
  readonly subjectInput: string;
  /** Where the values of its other claims are set, for the fix. */
  readonly claimsInput: string;
  /**
   * Map from claim name (`sub`, `aud`, …) to the values allowed; its `sub` holds the rendered
   * structured subjects too (see `subjectClaimExpression`).
   */
  readonly trustClaims: string;
  /** The structured subjects, each an object of every field of `SUBJECT_FIELDS_TYPE`, for the checks. */
  readonly subjectFields: string;
  /** The sub components the structured subjects are rendered for (the project's `ci_id_token_sub_claim_components`). */
  readonly subComponents: string;
  /** Where those components are set, for the fix. */
  readonly subComponentsInput: string;
  /** Managed policy ARNs attached. */
  readonly managedPolicyArns: string;
  /** The GitLab CI/CD variable that holds the role's ARN (see `roleArnVariableExpression`). */
  readonly arnVariable: string;
  /** The hidden job that GitLab jobs extend to assume the role, e.g. `.aws-oidc-deploy`. */
  readonly ciJob: string;
}

/** A role map entry as an HCL object (terraform fmt indents it). */
const entry = (e: RoleEntry) =>
  `{\nlabel = ${e.label}\nsubject_input = ${e.subjectInput}\nclaims_input = ${e.claimsInput}\ntrust_claims = ${e.trustClaims}\n` +
  `subject_fields = ${e.subjectFields}\nsub_components = ${e.subComponents}\nsub_components_input = ${e.subComponentsInput}\nmanaged_policy_arns = ${e.managedPolicyArns}\n` +
  `arn_variable = ${e.arnVariable}\nci_job = ${e.ciJob}\n}`;

/**
 * HCL: a role's `sub` values, its plain `subjects` (an HCL list of strings) followed by its
 * structured subjects (an HCL list of objects) rendered for `components`.
 */
export const subjectClaimExpression = (subjects: string, fields: string, components: string): string => `concat(${subjects}, ${renderSubjectsHcl(fields, components)})`;

/** One role's part of the role map: `{ <name> = <entry> }`, kept only while `enabled` (an HCL boolean) holds. */
export function singleRoleSource(name: string, role: RoleEntry, enabled?: string): string {
  const key = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
  const map = `{ ${key} = ${entry(role)} }`;
  return enabled === undefined ? map : `{ for name, role in ${map} : name => role if ${enabled} }`;
}

/** The roles of a map: one entry per element of `source`, whose entry expressions read the element as `name` and `role`. */
export const roleMapSource = (source: string, role: RoleEntry): string => `{ for name, role in ${source} : name => ${entry(role)} }`;

export interface RoleTrustModelProps {
  /** Prefix of the locals' names, so that several models coexist in a stack. */
  readonly prefix: string;
  /** The issuer host that prefixes condition keys. */
  readonly issuerHost: HclString;
  /** HCL expression of the OIDC provider's ARN. */
  readonly providerArn: string;
  /** HCL expression of an ARN as long as the provider's, known at plan time, to measure trust policies. */
  readonly providerArnForSizing: string;
  /** HCL expression of the audiences the provider lists. */
  readonly providerAudiences: string;
  /** Where the provider's audiences are set, for messages (plain text). */
  readonly audienceInput: string;
  /** The account's quotas the roles are checked against. */
  readonly limits: QuotaLimits;
  /** Checks of the provider's own inputs that its roles run, for a provider with no resource to hold them (one made elsewhere). */
  readonly providerPreconditions?: readonly Validation[];
  /** The provider's side of the checks, where all of it is known at synth: its roles known too are checked there. */
  readonly known?: KnownProvider;
  /**
   * The provider's ARN as a trust policy written at synth holds it: the ARN itself, or the
   * reference to the provider's resource; undefined where it may be null at plan (an optional
   * provider, a variable), so that roles take their policy from the map.
   */
  readonly policyArn?: string;
  /** The GitLab side: the audience jobs request (HCL, null for each role's first), where it is set, and the region the AWS CLI uses (HCL). */
  readonly ci: { readonly audience?: string; readonly audienceInput: string; readonly region?: string };
}

/**
 * The role map of one OIDC provider, and its derivations as locals. Roles add their part
 * with `addRoles`; the map is written at synth, once every role is known. Each local is
 * written when something first reads it (a role's precondition or policy, an output), with
 * the locals it reads: roles whose trust is known at synth are checked there and carry
 * their policy as a document, so a stack of such roles, with no output of the map, gets no
 * local at all.
 */
export class RoleTrustModel extends Construct {
  /** Checks of the provider's inputs that every role of the map runs (see `RoleTrustModelProps.providerPreconditions`). */
  public readonly providerPreconditions: readonly Validation[];
  private readonly sources: string[] = [];
  private readonly written = new Set<string>();
  private readonly definitions: Record<string, () => string | (() => string)>;
  private readonly prefix: string;
  private readonly known?: KnownProvider;
  /** See `RoleTrustModelProps.policyArn`. */
  public readonly policyArn?: string;
  private readonly knownRoles = new KnownRoleRegistry();

  constructor(scope: Construct, id: string, props: RoleTrustModelProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.known = props.known;
    this.policyArn = props.policyArn;
    this.providerPreconditions = props.providerPreconditions ?? [];
    const ci: CiInputs = { role: 'role', name: 'name', providerAudiences: props.providerAudiences, audience: props.ci.audience, audienceInput: props.ci.audienceInput };

    // Each definition reads the locals it needs through `this`, which writes them too.
    this.definitions = {
      // Each entry as its source gives it, with the subjects and audiences every check reads.
      roles: () => () =>
        `{ for name, role in merge(\n${this.sources.map((source) => `${source},\n`).join('')}) : name => merge(role, {\n` +
        'subjects = lookup(role.trust_claims, "sub", [])\naudiences = lookup(role.trust_claims, "aud", [])\n}) }',
      trust_conditions: () => `{ for name, role in ${this.roles} : name => ${conditionExpression(props.issuerHost, 'role.trust_claims')} }`,
      trust_policies: () => `{ for name, condition in ${this.conditions} : name => ${trustPolicyExpression(props.providerArn, 'condition')} }`,
      // IAM counts a policy without whitespace, as jsonencode writes it. A policy is its envelope
      // plus its Condition block, so the length is known at plan even while the provider's ARN
      // is not: the envelope is measured once, with an ARN as long as the provider's.
      trust_policy_envelope_length: () => `length(${trustPolicyExpression(props.providerArnForSizing, '{}')}) - length("{}")`,
      trust_policy_lengths: () => `{ for name, condition in ${this.conditions} : name => ${this.local('trust_policy_envelope_length')} + length(jsonencode(condition)) }`,
      // The GitLab side: which roles share a CI/CD variable or hidden job, and the audience jobs request.
      ci_variable_roles: () => ciOwnersExpression(this.roles, 'arn_variable'),
      ci_job_roles: () => ciOwnersExpression(this.roles, 'ci_job'),
      ci_audiences: () => `{ for name, role in ${this.roles} : name => ${jobAudienceExpression(ci)} }`,
      ci_projects: () => `{ for name, role in ${this.roles} : name => ${ciProjectsExpression('role')} }`,
      project_components: () => projectComponentsExpression(this.roles),
      project_settings: () => projectSettingsExpression(this.projectComponents, props.issuerHost),
      role_problems: () => {
        const checks = [
          ...trustChecks({
            role: 'role',
            issuerHost: props.issuerHost,
            providerAudiences: props.providerAudiences,
            audienceInput: props.audienceInput,
            projectComponents: this.projectComponents,
          }),
          ...quotaChecks(
            { role: 'role', trustPolicyLength: `${this.local('trust_policy_lengths')}[name]`, managedPolicyCount: 'length(toset(role.managed_policy_arns))' },
            props.limits,
          ),
          ...ciChecks(ci, { variables: this.local('ci_variable_roles'), jobs: this.local('ci_job_roles') }),
        ];
        return `{ for name, role in ${this.roles} : name => ${problemsExpression(checks)} }`;
      },
      // Whether only jobs on protected refs get in: the summary, the snippets and the CI/CD variables say it.
      protected_refs_only: () => `{ for name, role in ${this.roles} : name => ${protectedRefsOnlyExpression('role')} }`,
      trust_summary: () => `{ for name, role in ${this.roles} : name => ${trustSummaryExpression('role', props.issuerHost, `${this.protectedRefsOnly}[name]`)} }`,
      ci_snippets: () =>
        `{ for name, role in ${this.roles} : name => ${ciSnippetExpression('role', `${this.local('ci_audiences')}[name]`, `${this.ciProjects}[name]`, props.ci.region, `${this.protectedRefsOnly}[name]`)} }`,
    };
  }

  /** HCL expression of the role map. */
  public get roles(): string {
    return this.local('roles');
  }

  /** HCL expression of the map from role name to its `Condition` block: known at plan, even before the provider exists. */
  public get conditions(): string {
    return this.local('trust_conditions');
  }

  /** HCL expression of the map from role name to the reviewer's summary of its trust. */
  public get summary(): string {
    return this.local('trust_summary');
  }

  /** HCL expression of the map from role name to whether only jobs on protected refs get in. */
  public get protectedRefsOnly(): string {
    return this.local('protected_refs_only');
  }

  /** HCL expression of the map from role name to its GitLab CI snippet (YAML). */
  public get ciSnippets(): string {
    return this.local('ci_snippets');
  }

  /** HCL expression of the map from role name to the projects its subjects name exactly. */
  public get ciProjects(): string {
    return this.local('ci_projects');
  }

  /**
   * HCL expression of the map from each project a structured subject names (its id, else its
   * path) to the component lists its roles render subjects for: one list each, or a role fails.
   */
  public get projectComponents(): string {
    return this.local('project_components');
  }

  /**
   * HCL expression of the map from each such project to the components its roles assume and
   * the GitLab API call that sets them (`set_with`).
   */
  public get projectSettings(): string {
    return this.local('project_settings');
  }

  /**
   * Adds roles to the map: an HCL map expression from role name to entry (see
   * `singleRoleSource` and `roleMapSource`). A role's name is its Terraform name, which
   * `terraformName` keeps unique in the stack.
   */
  public addRoles(source: string): void {
    this.sources.push(source);
  }

  /**
   * The map's checks for a role whose trust is known at synth, named `who` in messages:
   * its problems, or undefined when the provider's side is not known (a token), so that the
   * role must be checked at plan with `preconditionOf`.
   */
  public checkKnownRole(who: string, role: KnownRole): string[] | undefined {
    return this.known && this.knownRoles.check(who, role, this.known);
  }

  /** The provider's side of the checks, where it is known at synth. */
  public get knownProvider(): KnownProvider | undefined {
    return this.known;
  }

  /** HCL expression of the trust policy of the role named by the HCL expression `name`. */
  public policyOf(name: string): string {
    return `${this.policies()}[${name}]`;
  }

  /** HCL expression of the map from role name to its trust policy, as Terraform derives it from the role map. */
  public policies(): string {
    return this.local('trust_policies');
  }

  /** HCL expression of the problems (guardrail messages) of the role named by the HCL expression `name`. */
  public problemsOf(name: string): string {
    return `${this.local('role_problems')}[${name}]`;
  }

  /** The one precondition that holds every check of the role named by `name`, with all its problems as the message. */
  public preconditionOf(name: string): Validation {
    return problemsPrecondition(this.problemsOf(name));
  }

  /** The address of one of the model's locals, written (with the locals it reads) the first time it is asked for. */
  private local(local: string): string {
    if (!this.written.has(local)) {
      this.written.add(local);
      hclLocal(this, `${this.prefix}${local}`, this.definitions[local]());
    }
    return `local.${this.prefix}${local}`;
  }
}

/** The precondition that a role's list of problems (an HCL expression) is empty, with the problems as its message. */
export function problemsPrecondition(problems: string): Validation {
  return {
    condition: `\${length(${problems}) == 0}`,
    errorMessage: `\${join("\\n", ${problems})}`,
  };
}
