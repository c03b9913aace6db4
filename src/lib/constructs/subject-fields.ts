import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { refuse } from '../guardrails/prop-checks';
import { hclOf, literalOf } from '../hcl/expression';
import { SUBJECT_FIELD_NAMES, SUB_COMPONENTS, SubjectFields } from '../trust/sub-claim';

/**
 * Structured subjects in a construct's props: `subjects` may mix `sub` strings with fields
 * (`{ projectId: 4242, ref: 'main' }`). The fields go to the role map as HCL objects, where
 * they are rendered for the role's components (see `renderSubjectHcl`), like those of tfvars.
 */

/** One structured subject and its place in `subjects`, for messages. */
export interface PlacedFields {
  readonly index: number;
  readonly fields: SubjectFields;
}

/** `subjects` split into its strings (or the token that stands for them) and its structured subjects. */
export function splitSubjects(subjects: readonly (string | SubjectFields)[] | undefined): { strings: string[] | undefined; fields: PlacedFields[] } {
  if (subjects === undefined || Token.isUnresolved(subjects) || !Array.isArray(subjects)) return { strings: subjects as string[] | undefined, fields: [] };
  const fields = subjects.flatMap((subject, index) => (typeof subject === 'object' && subject !== null ? [{ index, fields: subject as SubjectFields }] : []));
  return { strings: subjects.filter((subject): subject is string => typeof subject === 'string'), fields };
}

/** HCL object of a structured subject with every field of `SUBJECT_FIELDS_TYPE`, null where left out. */
export function subjectFieldsHcl(scope: Construct, fields: SubjectFields): string {
  const entries = Object.entries(SUBJECT_FIELD_NAMES) as [keyof SubjectFields, string][];
  return `{ ${entries.map(([field, name]) => `${name} = ${hclOf(scope, fields[field])}`).join(', ')} }`;
}

/** What a literal field must be: the value GitLab mints for its component, or a pattern the component allows. */
function fieldProblem(field: keyof SubjectFields, value: unknown): string | undefined {
  const component = SUB_COMPONENTS.find((c) => c.name === SUBJECT_FIELD_NAMES[field])!;
  if (field === 'refProtected' || field === 'environmentProtected') return typeof value === 'boolean' ? undefined : 'give true or false';
  if (field === 'projectId') return Number.isSafeInteger(value) && (value as number) > 0 ? undefined : "give the project's number, e.g. 4242 (Settings > General shows it)";
  if (typeof value !== 'string') return 'give a string';
  if (component.values) return component.values.includes(value) ? undefined : `give one of ${component.values.map((v) => `'${v}'`).join(', ')}`;
  if (field === 'ref' && /^refs\/(heads|tags)\//.test(value)) return "GitLab's ref is the bare branch or tag name: 'main', not 'refs/heads/main'";
  return new RegExp(`^${component.value}$`, 'u').test(value)
    ? undefined
    : `give ${component.placeholder}${field === 'projectPath' ? ', with the top-level group literal' : ''} (no ':')`;
}

/** Refuses, at synth, a literal structured subject with an unknown field or a value GitLab never mints. */
export function checkSubjectFields(scope: Construct, placed: PlacedFields): void {
  const at = `subjects[${placed.index}]`;
  const literal = literalOf(scope, placed.fields);
  if (literal === undefined) return;
  for (const [field, value] of Object.entries(literal)) {
    if (value === undefined) continue;
    const problem = field in SUBJECT_FIELD_NAMES ? fieldProblem(field as keyof SubjectFields, value) : `a structured subject takes ${Object.keys(SUBJECT_FIELD_NAMES).join(', ')}`;
    if (problem) refuse(scope, `${at}.${field} ${JSON.stringify(value)} is refused: ${problem}.`);
  }
}
