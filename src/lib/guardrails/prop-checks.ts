import { Construct } from 'constructs';
import { Annotations, Fn, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { hclOf, literalOf, readsOf } from '../hcl/expression';
import { Validation, ValueRule, readable, validateElements, validateExpression } from './rules';

/**
 * A construct prop checked by a rule. Each rule is applied where the value becomes known:
 * - a literal is checked at synth, and a bad one fails synth through `Annotations`, naming
 *   the construct path (cdktf prefixes it), the prop, the value and the fix;
 * - a token is checked by Terraform at plan with the same rule: as a validation of the
 *   variable when the prop is a variable (written once, however many constructs read it),
 *   else as a precondition of the construct's resource, which the construct adds.
 */

/** How messages name the construct: its class and its path. */
export const describe = (construct: Construct): string => `${construct.constructor.name} '${construct.node.path}'`;

/** Fails synth with `message`, after the construct's name (see `describe`). */
export const refuse = (construct: Construct, message: string): void => {
  Annotations.of(construct).addError(`${describe(construct)}: ${message}`);
};

/**
 * Where the value of a prop is set, for a fix: the variables it reads, or the prop of the
 * construct.
 */
export function setIn(construct: Construct, prop: string, value: unknown): string {
  const { variables } = variablesRead(construct, value);
  return variables.length > 0 ? variables.map((v) => v.friendlyUniqueId).join(' or ') : `${prop} of ${describe(construct)}`;
}

/**
 * A components list as the one string `SUB_COMPONENTS_LIST_RULE` reads: joined with ',', as a
 * literal where the list is one, else as the HCL expression that joins it.
 */
export function joinedComponents(construct: Construct, components: string[] | undefined): string | undefined {
  if (components === undefined) return undefined;
  const literal = literalOf(construct, components);
  return literal === undefined ? Fn.join(',', components) : literal.join(',');
}

/** What of a value a rule applies to: the value itself, or each of its parts. */
export type PropParts = 'value' | 'elements' | 'keys' | 'values' | 'list values';

export interface PropCheck {
  /** The prop's name, as users write it. */
  readonly prop: string;
  /** Its value: a literal, a token or a `${…}` expression; undefined when not set. */
  readonly value: unknown;
  /** The rules, most specific first: a literal is refused with the first it breaks. */
  readonly rules: readonly ValueRule[];
  /**
   * What the rules apply to: the value, the elements of a list, the keys or values of a
   * record, or the elements of a record's list values.
   * @default 'value'
   */
  readonly parts?: PropParts;
  /**
   * Whether a token is checked at plan here. False where a broader check at plan covers it.
   * @default true
   */
  readonly atPlan?: boolean;
  /**
   * Whether a literal is checked at synth here. False where another check of the same prop does.
   * @default true
   */
  readonly atSynth?: boolean;
}

/** The parts of a literal value, each with how a message names it. */
function partsOf(prop: string, value: unknown, parts: PropParts): { at: string; part: unknown }[] {
  // A token (a variable's list or map) stands for the whole value, checked at plan.
  if (parts === 'value' || Token.isUnresolved(value) || typeof value !== 'object' || value === null) return [{ at: prop, part: value }];
  if (parts === 'elements') return Array.isArray(value) ? value.map((part, i) => ({ at: `${prop}[${i}]`, part })) : [{ at: prop, part: value }];
  const entries = Object.entries(value as Record<string, unknown>);
  if (parts === 'keys') return entries.map(([key]) => ({ at: `${prop} key`, part: key }));
  if (parts === 'values') return entries.map(([key, part]) => ({ at: `${prop}[${JSON.stringify(key)}]`, part }));
  return entries.flatMap(([key, list]) =>
    Array.isArray(list) && !Token.isUnresolved(list)
      ? list.map((part, i) => ({ at: `${prop}[${JSON.stringify(key)}][${i}]`, part }))
      : [{ at: `${prop}[${JSON.stringify(key)}]`, part: list }],
  );
}

/** The HCL list of the parts a rule applies to, for a check at plan. */
const PART_LIST: Record<Exclude<PropParts, 'value'>, (expression: string) => string> = {
  elements: (e) => e,
  keys: (e) => `keys(${e})`,
  values: (e) => `values(${e})`,
  'list values': (e) => `flatten(values(${e}))`,
};

/** What a value reads of the stack's variables, and whether it reads nothing else (no local, no resource). */
interface VariablesRead {
  readonly variables: TerraformVariable[];
  readonly nothingElse: boolean;
}

/** The stack's variables by the expression that reads each (`var.<name>`). */
function stackVariables(construct: Construct): Map<string, TerraformVariable> {
  const found = new Map<string, TerraformVariable>();
  for (const c of TerraformStack.of(construct).node.findAll()) {
    if (c instanceof TerraformVariable) found.set(hclOf(construct, c.value), c);
  }
  return found;
}

/** The variables the value reads, told by its tokens (see `readsOf`). */
function variablesRead(construct: Construct, value: unknown): VariablesRead {
  const reads = readsOf(construct, value);
  // A literal reads nothing: no need to look through the stack (a role per construct would make that quadratic).
  if (reads.length === 0) return { variables: [], nothingElse: true };
  const byExpression = stackVariables(construct);
  const variables = reads.flatMap((expression) => byExpression.get(expression) ?? []);
  return { variables, nothingElse: variables.length === reads.length };
}

/** The rules each variable's validations apply, and to what (see `Validation.applies`), as `addValidations` wrote them. */
const APPLIED = new WeakMap<TerraformVariable, NonNullable<Validation['applies']>>();

/**
 * Adds the validations to the variable, as they read in the output, and records the rules they
 * apply: a construct that reads the variable then knows its value is checked where it is set.
 */
export function addValidations(variable: TerraformVariable, validations: readonly Validation[]): void {
  for (const validation of validations) {
    variable.addValidation(readable(validation));
    APPLIED.set(variable, [...(APPLIED.get(variable) ?? []), ...(validation.applies ?? [])]);
  }
}

/** True when a validation of the variable applies the rule to the expression (or to its elements). */
const validatedBy = (variable: TerraformVariable, rule: ValueRule, expression: string): boolean =>
  (APPLIED.get(variable) ?? []).some((applied) => applied.rule === rule && applied.to === expression);

/**
 * True when the expression reads only variables and functions, and each variable already
 * carries the rule: the value is then checked where it is set, and a second check would
 * only repeat it.
 */
function checkedAtItsVariables(construct: Construct, expression: string, { variables, nothingElse }: VariablesRead, rule: ValueRule): boolean {
  // A variable may carry the rule on an expression of itself (its list joined, say): the same expression is then checked.
  const sameExpressionValidated = variables.some((v) => validatedBy(v, rule, expression));
  return variables.length > 0 && nothingElse && (variables.every((v) => validatedBy(v, rule, hclOf(construct, v.value))) || sameExpressionValidated);
}

/**
 * Applies each check: literals now, tokens at plan. Returns the preconditions the construct
 * must put on its resource, for tokens that are not plain variables.
 */
export function checkProps(construct: Construct, checks: readonly PropCheck[]): Validation[] {
  const preconditions: Validation[] = [];
  for (const { prop, value, rules, parts = 'value', atPlan = true, atSynth = true } of checks) {
    if (value === undefined) continue;
    const literals = partsOf(prop, value, parts).map(({ at, part }) => ({ at, literal: literalOf(construct, part) }));
    for (const { at, literal } of atSynth ? literals : []) {
      const broken = literal === undefined || literal === null ? undefined : rules.find((rule) => !rule.test(literal));
      if (broken) refuse(construct, `${at} ${JSON.stringify(literal)} is refused: ${broken.fix}.`);
    }
    if (!atPlan || literals.every(({ literal }) => literal !== undefined)) continue;

    const expression = hclOf(construct, value);
    const read = variablesRead(construct, value);
    // The value is the variable itself, not an expression of it.
    const variable = read.variables.find((v) => hclOf(construct, v.value) === expression);
    const label = variable ? variable.friendlyUniqueId : `${prop} of ${describe(construct)}`;
    for (const rule of rules) {
      if (checkedAtItsVariables(construct, expression, read, rule)) continue;
      const validation =
        parts === 'value'
          ? validateExpression(label, expression, rule, { nullable: true })
          : validateElements(label, PART_LIST[parts](`(${expression} == null ? ${parts === 'elements' ? '[]' : '{}'} : ${expression})`), rule);
      // A variable gets the check itself, so that it fails where it is set, once for all its readers.
      if (variable) addValidations(variable, [validation]);
      else preconditions.push(validation);
    }
  }
  return preconditions;
}
