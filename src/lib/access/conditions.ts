/**
 * IAM condition operators, evaluated as the IAM User Guide describes them:
 * "IAM JSON policy elements: Condition operators" and "Single-valued vs. multivalued
 * context keys". Only the operators listed here are known; any other name is refused.
 */

import { PolicyReadError } from './errors';

/** The request's context keys, lower-cased (IAM compares key names case-insensitively), to their values. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

const BASES = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike', 'Null'] as const;
type Base = (typeof BASES)[number];

export interface ConditionOperator {
  /** The name as the policy writes it, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly name: string;
  readonly base: Base;
  readonly set?: 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
}

/** Reads an operator name; an operator this module does not know is a `PolicyReadError`. */
export function parseOperator(name: string): ConditionOperator {
  const match = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/.exec(name);
  const base = BASES.find((b) => b === match?.[2]);
  // Null tests presence itself: IAM has no NullIfExists or set form of it.
  if (!match || !base || (base === 'Null' && (match[1] || match[3]))) {
    throw new PolicyReadError(
      `condition operator ${JSON.stringify(name)} is not one this check knows (${BASES.join(', ')}, with ForAnyValue:/ForAllValues: and IfExists); it does not guess`,
    );
  }
  return { name, base, set: match[1] as ConditionOperator['set'], ifExists: Boolean(match[3]) };
}

/** `*` matches any run of characters (also `/` and `:`), `?` exactly one; everything else literally, case-sensitive. */
export function stringLike(value: string, pattern: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${source}$`, 's').test(value);
}

const negated = (base: Base) => base.includes('Not');

/** Whether one request value matches one listed value, before negation. */
function matches(base: Base, value: string, listed: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return value === listed;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return value.toLowerCase() === listed.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return stringLike(value, listed);
    case 'Null':
      throw new Error('Null has no value match');
  }
}

/**
 * Whether one request value satisfies the operator against all listed values: values are
 * ORed for a positive operator, NORed for a negated one.
 */
function valueHolds(base: Base, value: string, listed: readonly string[]): boolean {
  const any = listed.some((l) => matches(base, value, l));
  return negated(base) ? !any : any;
}

/**
 * Whether a key holds, given the request's values for it (`undefined` when the key is absent).
 * - Absent key: a positive operator is false, a negated one true, `…IfExists` true,
 *   `ForAllValues:` true (the known foot-gun) and `ForAnyValue:` false.
 * - `Null`: `"true"` holds when the key is absent, `"false"` when it is present.
 * - Without a set operator a request value must satisfy the operator; for a multivalued
 *   key this reads as "some value" (GitLab's claims are single-valued).
 */
export function keyHolds(operator: ConditionOperator, listed: readonly string[], requestValues: readonly string[] | undefined): boolean {
  const absent = requestValues === undefined || requestValues.length === 0;
  if (operator.base === 'Null') {
    return listed.some((l) => {
      if (l !== 'true' && l !== 'false') throw new PolicyReadError(`Null lists ${JSON.stringify(l)}; it takes "true" or "false"`);
      return (l === 'true') === absent;
    });
  }
  if (absent) {
    if (operator.ifExists || operator.set === 'ForAllValues') return true;
    if (operator.set === 'ForAnyValue') return false;
    return negated(operator.base);
  }
  if (operator.set === 'ForAllValues') return requestValues.every((v) => valueHolds(operator.base, v, listed));
  if (operator.set === 'ForAnyValue') return requestValues.some((v) => valueHolds(operator.base, v, listed));
  return negated(operator.base) ? requestValues.every((v) => valueHolds(operator.base, v, listed)) : requestValues.some((v) => valueHolds(operator.base, v, listed));
}
