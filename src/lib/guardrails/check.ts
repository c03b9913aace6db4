import { textExpression } from '../hcl/text';

/**
 * A guardrail's test on one value, written once as data. From it come both the Terraform
 * predicate (`toHcl`, for variable validations and preconditions, checked at plan) and the
 * same test in TypeScript (`holds`, for a literal value, checked at synth). Regular
 * expressions are read alike by Terraform (RE2) and JavaScript: they use only classes,
 * ranges, groups, alternation, anchors and counted repeats.
 */

export type Check =
  /**
   * The value matches the regular expression (anywhere; anchor it with ^ and $). Terraform
   * compiles the expression at every call, at a cost that grows with its counted repeats: so a
   * length limit is an `atMost` beside it, not a repeat such as `{1,64}`, and a plain
   * substring test is a `containsAny`.
   */
  | { readonly matches: string }
  /** The value does not match the regular expression. */
  | { readonly notMatches: string }
  /** A string that contains at least one of the substrings. */
  | { readonly containsAny: readonly string[] }
  /** A string that contains none of the substrings. */
  | { readonly containsNone: readonly string[] }
  /** A number from min to max, both included. */
  | { readonly between: readonly [min: number, max: number] }
  /** A string with something other than whitespace. */
  | { readonly notBlank: true }
  /** A string that does not start with the prefix. */
  | { readonly notStartsWith: string }
  /** One of the listed strings. */
  | { readonly oneOf: readonly string[] }
  /** A string that parses as JSON. */
  | { readonly json: true }
  /** A string or collection of at most this length. */
  | { readonly atMost: number }
  /** Null, or a value that passes the check. */
  | { readonly nullOr: Check }
  /** A value that passes every check. */
  | { readonly allOf: readonly Check[] }
  /** A map of IAM tags: how many, key and value lengths, and a reserved key prefix (case-insensitive). */
  | { readonly tags: { readonly most: number; readonly keyLength: number; readonly valueLength: number; readonly reservedPrefix: string } };

/** Longest line of values an HCL list is written with. */
const LIST_LINE = 100;

/** An HCL list of strings: on one line when short, else a few values per line. */
export function hclList(values: readonly string[]): string {
  const lines: string[] = [];
  for (const value of values.map((v) => `${JSON.stringify(v)},`)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + value.length <= LIST_LINE) lines[last] += ` ${value}`;
    else lines.push(value);
  }
  return lines.length === 1 ? `[${lines[0].slice(0, -1)}]` : `[\n${lines.join('\n')}\n]`;
}

/** HCL: the string `v` contains one of the substrings (strcontains: Terraform 1.5). */
const containsAnyHcl = (substrings: readonly string[], v: string) => `(${substrings.map((s) => `strcontains(${v}, ${JSON.stringify(s)})`).join(' || ')})`;

/** Longest piece of a pattern on one line of the output; a longer pattern is joined from pieces cut after a `|`. */
const PATTERN_PIECE = 120;

/** HCL string of a regular expression: a literal, or `join("", [...])` of pieces for a long one, so no line runs past the page. */
function patternHcl(pattern: string): string {
  if (pattern.length <= PATTERN_PIECE) return JSON.stringify(pattern);
  const pieces: string[] = [''];
  for (const part of pattern.split(/(?<=\|)/)) {
    if (pieces[pieces.length - 1].length + part.length > PATTERN_PIECE && pieces[pieces.length - 1] !== '') pieces.push('');
    pieces[pieces.length - 1] += part;
  }
  return `join("", [\n${pieces.map((p) => `${JSON.stringify(p)},`).join('\n')}\n])`;
}

/** The Terraform predicate: an HCL boolean expression over the HCL expression `v`. */
export function toHcl(check: Check, v: string): string {
  if ('matches' in check) return `can(regex(${patternHcl(check.matches)}, ${v}))`;
  if ('notMatches' in check) return `!can(regex(${patternHcl(check.notMatches)}, ${v}))`;
  if ('containsAny' in check) return containsAnyHcl(check.containsAny, v);
  if ('containsNone' in check) return `!${containsAnyHcl(check.containsNone, v)}`;
  if ('between' in check) return `(${v} >= ${check.between[0]} && ${v} <= ${check.between[1]})`;
  if ('notBlank' in check) return `length(trimspace(${v})) > 0`;
  if ('notStartsWith' in check) return `!startswith(${v}, ${JSON.stringify(check.notStartsWith)})`;
  if ('oneOf' in check) return `contains(${hclList(check.oneOf)}, ${v})`;
  if ('json' in check) return `can(jsondecode(${v}))`;
  if ('atMost' in check) return `length(${v}) <= ${check.atMost}`;
  // A conditional, not ||: Terraform evaluates both sides of ||, and length(null) fails.
  if ('nullOr' in check) return `(${v} == null ? true : ${toHcl(check.nullOr, v)})`;
  if ('allOf' in check) return `(${check.allOf.map((c) => toHcl(c, v)).join(' && ')})`;
  const t = check.tags;
  return (
    `(length(${v}) <= ${t.most} && alltrue([for k, t in ${v} : ` +
    `length(k) >= 1 && length(k) <= ${t.keyLength} && length(t) <= ${t.valueLength} && !startswith(lower(k), ${JSON.stringify(t.reservedPrefix)})]))`
  );
}

/**
 * The Terraform predicate that the value fails the check: the negation of `toHcl`, written
 * directly for each kind of check (`length(v) > 64`, not `!(length(v) <= 64)`), so that no
 * refusal reads as a negated acceptance. rules.test.ts has Terraform evaluate both on every sample.
 */
export function failsHcl(check: Check, v: string): string {
  if ('matches' in check) return `!can(regex(${patternHcl(check.matches)}, ${v}))`;
  if ('notMatches' in check) return `can(regex(${patternHcl(check.notMatches)}, ${v}))`;
  if ('notStartsWith' in check) return `startswith(${v}, ${JSON.stringify(check.notStartsWith)})`;
  if ('containsNone' in check) return containsAnyHcl(check.containsNone, v);
  if ('notBlank' in check) return `length(trimspace(${v})) == 0`;
  if ('atMost' in check) return `length(${v}) > ${check.atMost}`;
  if ('between' in check) return `(${v} < ${check.between[0]} || ${v} > ${check.between[1]})`;
  if ('oneOf' in check || 'json' in check) return `!${toHcl(check, v)}`;
  // A conditional, not &&: Terraform evaluates both sides, and the check may not take null.
  if ('nullOr' in check) return `(${v} == null ? false : ${failsHcl(check.nullOr, v)})`;
  if ('allOf' in check) return `(${check.allOf.map((c) => failsHcl(c, v)).join(' || ')})`;
  // containsAny and tags: their predicate is one call or one parenthesized conjunction.
  return `!${toHcl(check, v)}`;
}

const isString = (value: unknown): value is string => typeof value === 'string';
/** Terraform's length counts characters (grapheme clusters); code points are close enough for these limits. */
const length = (value: string) => [...value].length;

/** The same test on a literal value, in TypeScript. */
export function holds(check: Check, value: unknown): boolean {
  if ('matches' in check) return isString(value) && new RegExp(check.matches, 'u').test(value);
  if ('notMatches' in check) return isString(value) && !new RegExp(check.notMatches, 'u').test(value);
  if ('containsAny' in check) return isString(value) && check.containsAny.some((s) => value.includes(s));
  if ('containsNone' in check) return isString(value) && !check.containsNone.some((s) => value.includes(s));
  if ('between' in check) return typeof value === 'number' && value >= check.between[0] && value <= check.between[1];
  if ('notBlank' in check) return isString(value) && value.trim().length > 0;
  if ('notStartsWith' in check) return isString(value) && !value.startsWith(check.notStartsWith);
  if ('oneOf' in check) return isString(value) && check.oneOf.includes(value);
  if ('json' in check) {
    if (!isString(value)) return false;
    try {
      JSON.parse(value);
      return true;
    } catch {
      return false;
    }
  }
  if ('atMost' in check) return (isString(value) ? length(value) : Array.isArray(value) ? value.length : Infinity) <= check.atMost;
  if ('nullOr' in check) return value === null || value === undefined || holds(check.nullOr, value);
  if ('allOf' in check) return check.allOf.every((c) => holds(c, value));
  const t = check.tags;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value as Record<string, unknown>);
  return (
    entries.length <= t.most &&
    entries.every(([k, v]) => length(k) >= 1 && length(k) <= t.keyLength && isString(v) && length(v) <= t.valueLength && !k.toLowerCase().startsWith(t.reservedPrefix))
  );
}

/**
 * A check on one role (see `src/lib/trust/role-model.ts`), as Terraform runs it: a one-element
 * `for` binds what the check computes (`binding`, e.g. `found in [<list>]`), `fails` tests it,
 * and `message` (a template that may read the bound name) is built only when it fails. So the
 * test is written once, and no message is built for a role that passes. Not as
 * `holds ? [] : [message]`: Terraform evaluates both branches of a conditional.
 */
export interface RoleCheck {
  readonly binding: string;
  readonly fails: string;
  readonly message: string;
}

/** A check that fails when the HCL boolean `holds` is false. */
export const unless = (holds: string, message: string): RoleCheck => ({ binding: `holds in [${holds}]`, fails: '!holds', message });

/** A check that fails when the HCL list `found` (what is wrong) has elements; the message reads them as `found`. */
export const noneFound = (found: string, message: string): RoleCheck => ({ binding: `found in [${found}]`, fails: 'length(found) > 0', message });

/** A check on one HCL value, bound as `name`, that fails when `fails` (over `name`) holds. */
export const refusing = (name: string, value: string, fails: string, message: string): RoleCheck => ({ binding: `${name} in [${value}]`, fails, message });

/** Longest first line of a check in the output before its message moves to a line of its own. */
const CHECK_LINE = 150;

/** HCL: the list of the messages of the checks that fail, in order. */
export function problemsExpression(checks: readonly RoleCheck[]): string {
  const lines = checks.map((c) => {
    const message = textExpression(c.message);
    const head = `[for ${c.binding} :`;
    const long = head.length + 1 + message.split('\n')[0].length > CHECK_LINE;
    return long ? `${head}\n${message}\nif ${c.fails}],` : `${head} ${message} if ${c.fails}],`;
  });
  return `concat(\n${lines.join('\n')}\n)`;
}
