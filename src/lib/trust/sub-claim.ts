/**
 * GitLab's `sub` claim, modelled once. Everything else that reads or writes a `sub` derives
 * from this table: the guardrails' grammar (a Terraform predicate and the same test in
 * TypeScript), the rendering of structured subjects (HCL), and the `sub` a token carries for
 * the access decisions (TypeScript).
 *
 * GitLab builds `sub` from the project's ordered list `ci_id_token_sub_claim_components`
 * (a project setting since GitLab 17.10): for each component that has a value for the job,
 * `<name>:<value>`, joined by `:`; a component without a value (an environment component of
 * a job without an environment) is left out. The first component must be `project_path` or
 * `project_id`; GitLab checks neither repeats nor the order after the first.
 * (gitlabhq `lib/gitlab/ci/jwt_v2.rb`, `app/models/project_ci_cd_setting.rb`; gitlab!160562.)
 */

import { HclString } from '../hcl/expression';

/** One component GitLab can put in `sub`. */
export interface SubComponent {
  readonly name: string;
  /** Whether it may come first: the project, by path or by id. */
  readonly leads: boolean;
  /**
   * What its value looks like in a role's `sub` value, as a regular expression without anchors
   * (read alike by Terraform's RE2 and JavaScript). Never `:`: a GitLab value holds none (Git
   * refs cannot, project paths do not), so `:` always separates components.
   */
  readonly value: string;
  /** The values GitLab mints, where they are a closed set. */
  readonly values?: readonly string[];
  /** Whether a role may give `*` as the whole value: any value of the set. */
  readonly anyValue?: boolean;
  /** Whether it has a value only in a job with an `environment`. */
  readonly environmentOnly: boolean;
  /** The GitLab version from which a project can put it in `sub`. */
  readonly since: string;
  /** How a fix writes its value. */
  readonly placeholder: string;
}

const WILDCARD_VALUE = '[*]';
const oneOf = (values: readonly string[], anyValue: boolean) => `(${[...values, ...(anyValue ? [WILDCARD_VALUE] : [])].join('|')})`;

const enumerated = (name: string, values: readonly string[], options: { anyValue: boolean; environmentOnly: boolean; since: string }): SubComponent => ({
  name,
  leads: false,
  value: oneOf(values, options.anyValue),
  values,
  anyValue: options.anyValue,
  environmentOnly: options.environmentOnly,
  since: options.since,
  placeholder: `<${values.join('|')}>`,
});

/** Every component, in the order the GitLab docs list them. */
export const SUB_COMPONENTS: readonly SubComponent[] = [
  // The top-level group is literal: a wildcard before the first '/' reaches other owners' projects.
  { name: 'project_path', leads: true, value: '[^*?/:]+/[^:]+', environmentOnly: false, since: '17.10', placeholder: '<group>/<project>' },
  // A number, never a wildcard: project_id:* lets in every project of the instance.
  { name: 'project_id', leads: true, value: '[0-9]+', environmentOnly: false, since: '17.10', placeholder: '<number>' },
  // Literal: a wildcard over ref_type lets in tags named like the branch (or the reverse).
  enumerated('ref_type', ['branch', 'tag'], { anyValue: false, environmentOnly: false, since: '17.10' }),
  { name: 'ref', leads: false, value: '[^:]+', environmentOnly: false, since: '17.10', placeholder: '<branch or tag name>' },
  enumerated('ref_protected', ['true', 'false'], { anyValue: true, environmentOnly: false, since: '17.10' }),
  enumerated('environment_protected', ['true', 'false'], { anyValue: true, environmentOnly: true, since: '18.7' }),
  enumerated('deployment_tier', ['production', 'staging', 'testing', 'development', 'other'], { anyValue: true, environmentOnly: true, since: '18.7' }),
];

export const SUB_COMPONENT_NAMES: readonly string[] = SUB_COMPONENTS.map((c) => c.name);
export const LEADING_COMPONENTS: readonly string[] = SUB_COMPONENTS.filter((c) => c.leads).map((c) => c.name);
export const ENVIRONMENT_COMPONENTS: readonly string[] = SUB_COMPONENTS.filter((c) => c.environmentOnly).map((c) => c.name);

/** GitLab's default list, which gives `project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>`. */
export const DEFAULT_SUB_COMPONENTS: readonly string[] = ['project_path', 'ref_type', 'ref'];

/** The list GitLab 19.1 advises, pinning the project by an id a reclaimed path cannot pass on. */
export const ADVISED_SUB_COMPONENTS: readonly string[] = ['project_id', 'ref_type', 'ref'];

const alternatives = (components: readonly SubComponent[]) => `(${components.map((c) => `${c.name}:${c.value}`).join('|')})`;

/**
 * A `sub` value a role may list, as one regular expression: a leading component, then any
 * components, each with a value of its kind. `*` and `?` may stand inside values where the
 * component's pattern allows them.
 */
export const SUB_GRAMMAR = `^${alternatives(SUB_COMPONENTS.filter((c) => c.leads))}(:${alternatives(SUB_COMPONENTS)})*$`;

/** A `sub` value whose first component is the project, by path or id. */
export const SUB_LEAD = `^(${LEADING_COMPONENTS.join('|')}):`;

/** A `sub` value made only of known component names, each with a value (any value, checked apart). */
export const SUB_KNOWN_NAMES = `^[^:]*:[^:]*(:(${SUB_COMPONENT_NAMES.join('|')}):[^:]*)*$`;

/** A `project_id` value that is not a plain number (a wildcard, a name, or nothing). */
export const SUB_NON_NUMERIC_PROJECT_ID = '(^|:)project_id:([^:]*[^0-9:]|$|:)';

/** A components list, joined with `,`: a leading component first, then known components. */
export const SUB_COMPONENTS_LIST = `^(${LEADING_COMPONENTS.join('|')})(,(${SUB_COMPONENT_NAMES.join('|')}))*$`;

/** How a fix describes a valid `sub`. */
export const SUB_FORMAT = `${LEADING_COMPONENTS.map((name) => `${name}:${SUB_COMPONENTS.find((c) => c.name === name)!.placeholder}`).join(' or ')} first, then any of ${SUB_COMPONENTS.filter(
  (c) => !c.leads,
)
  .map((c) => `${c.name}:${c.placeholder}`)
  .join(', ')}, in the order of the project's ci_id_token_sub_claim_components`;

/** A job's claims by name, as GitLab puts them in the token (`true`/`false` as text). */
export type JobClaims = Readonly<Record<string, string | undefined>>;

/** The `sub` GitLab mints for a job: each component of the list that has a value, as `<name>:<value>`, joined by `:`. */
export function mintSub(components: readonly string[], claims: JobClaims): string {
  return components
    .filter((name) => claims[name] !== undefined && claims[name] !== '')
    .map((name) => `${name}:${claims[name]}`)
    .join(':');
}

/**
 * A subject given as fields rather than as a `sub` string: the project (by path or id) and,
 * optionally, what the job must be. Rendered in the order of the project's components.
 */
export interface SubjectFields {
  /** `<group>/<project>`; a wildcard only after the top-level group. */
  readonly projectPath?: string;
  /** The project's number: a path a project gave up cannot pass it on. */
  readonly projectId?: number;
  /** @default 'branch' */
  readonly refType?: 'branch' | 'tag';
  /** The bare branch or tag name (`main`, `v*`). @default '*': any ref of the ref type */
  readonly ref?: string;
  /** @default any: protected and unprotected refs */
  readonly refProtected?: boolean;
  /** @default any, and jobs without an environment too */
  readonly environmentProtected?: boolean;
  /** @default any, and jobs without an environment too */
  readonly deploymentTier?: 'production' | 'staging' | 'testing' | 'development' | 'other';
}

/** The field of `SubjectFields` that gives each component, in the snake case of tfvars. */
export const SUBJECT_FIELD_NAMES: Readonly<Record<keyof SubjectFields, string>> = {
  projectPath: 'project_path',
  projectId: 'project_id',
  refType: 'ref_type',
  ref: 'ref',
  refProtected: 'ref_protected',
  environmentProtected: 'environment_protected',
  deploymentTier: 'deployment_tier',
};

/** The other way round: the field of a structured subject that gives each component. */
export const SUBJECT_FIELD_OF: Readonly<Record<string, keyof SubjectFields>> = Object.fromEntries(
  Object.entries(SUBJECT_FIELD_NAMES).map(([field, component]) => [component, field as keyof SubjectFields]),
);

/** The Terraform type of a structured subject in tfvars: every field optional. */
export const SUBJECT_FIELDS_TYPE = `object({
    project_path          = optional(string)
    project_id            = optional(number)
    ref_type              = optional(string)
    ref                   = optional(string)
    ref_protected         = optional(bool)
    environment_protected = optional(bool)
    deployment_tier       = optional(string)
  })`;

/** What a structured subject renders for a component it leaves out (the project has no default). */
const OMITTED: Readonly<Record<string, string>> = {
  project_path: '',
  project_id: '',
  ref_type: 'branch',
  ref: '*',
  ref_protected: '*',
  environment_protected: '*',
  deployment_tier: '*',
};

/**
 * HCL: every `sub` value of a list of structured subjects `fieldsList` (HCL objects with every
 * field of `SUBJECT_FIELDS_TYPE`), rendered for the components list `components`. A left-out
 * field renders as `OMITTED` says: `ref_type` as `branch`, the others as `*`. Where a subject
 * leaves out every environment component, a job without an environment is let in too, so it
 * renders twice: without the environment components (such a job's `sub`) and with them as `*`.
 */
export function renderSubjectsHcl(fieldsList: string, components: string): string {
  const value = (name: string) => {
    const field = `f.${name}`;
    const text = SUB_COMPONENTS.find((c) => c.name === name)!.values || name === 'project_id' ? `tostring(${field})` : field;
    return `${name} = ${field} == null ? ${JSON.stringify(OMITTED[name])} : ${text}`;
  };
  const environmentOmitted = ENVIRONMENT_COMPONENTS.map((name) => `f.${name} == null`).join(' && ');
  const withoutOmittedEnvironment = `[for c in list : c if !(${environmentOmitted} && contains(${JSON.stringify(ENVIRONMENT_COMPONENTS)}, c))]`;
  return [
    'flatten([',
    `for f in ${fieldsList} : [`,
    `for list in [${components}] : [`,
    `for values in [{\n${SUB_COMPONENT_NAMES.map(value).join('\n')}\n}] : distinct([`,
    `for components in [${withoutOmittedEnvironment}, list] :`,
    'join(":", [for c in components : "${c}:${lookup(values, c, "")}"])',
    '])',
    ']',
    ']',
    '])',
  ].join('\n');
}

/** `renderSubjectsHcl` for one structured subject and a components list known at synth: the same values, in the same order. */
export function renderSubjects(fields: SubjectFields, components: readonly string[]): string[] {
  const valueOf = (component: string) => {
    const value = fields[SUBJECT_FIELD_OF[component]];
    return value === undefined ? OMITTED[component] : String(value);
  };
  const environmentOmitted = ENVIRONMENT_COMPONENTS.every((component) => fields[SUBJECT_FIELD_OF[component]] === undefined);
  const lists = [components.filter((c) => !(environmentOmitted && ENVIRONMENT_COMPONENTS.includes(c))), components];
  return [...new Set(lists.map((list) => list.map((c) => `${c}:${SUB_COMPONENT_NAMES.includes(c) ? valueOf(c) : ''}`).join(':')))];
}

/** HCL: the project a structured subject `f` names, as its key: the id where given, else the path. */
export const subjectProjectHcl = (f: string): string => `(${f}.project_id != null ? tostring(${f}.project_id) : ${f}.project_path)`;

/**
 * HCL: from the role map, each project that a structured subject names (see `subjectProjectHcl`)
 * to the distinct component lists its roles render subjects for. A project has one list, so
 * more than one means some role's subjects can never match.
 */
export function projectComponentsExpression(roles: string): string {
  const uses = `flatten([\nfor name, role in ${roles} : [\nfor f in role.subject_fields : { project = ${subjectProjectHcl('f')}, components = role.sub_components }\n]\n])`;
  return `{ for project, lists in { for use in ${uses} : use.project => use.components... if use.project != null } : project => distinct(lists) }`;
}

/**
 * HCL: for each project of `projectComponents`, the components its roles assume (the first
 * list; more than one fails those roles) and the call to GitLab's projects API that sets them.
 */
export function projectSettingsExpression(projectComponents: string, issuerHost: HclString): string {
  const call = [
    '"curl --request PUT"',
    '"--header \\"PRIVATE-TOKEN: $GITLAB_TOKEN\\" --header \\"Content-Type: application/json\\""',
    `"--data '\${jsonencode({ ci_id_token_sub_claim_components = lists[0] })}'"`,
    `"https://${issuerHost.inTemplate}/api/v4/projects/\${urlencode(project)}"`,
  ];
  return `{ for project, lists in ${projectComponents} : project => {\ncomponents = lists[0]\nset_with = join(" ", [\n${call.map((part) => `${part},`).join('\n')}\n])\n} }`;
}
