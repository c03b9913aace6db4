/**
 * A role's trust policy, read into the parts IAM evaluates for `sts:AssumeRoleWithWebIdentity`.
 * Anything this module cannot evaluate exactly is refused with a `PolicyReadError`, never guessed.
 */

import { ConditionOperator, parseOperator } from './conditions';
import { PolicyReadError } from './errors';

/** One key under one operator, with the values the policy lists for it. */
export interface KeyCondition {
  readonly operator: ConditionOperator;
  /** The key as the policy spells it (IAM compares key names case-insensitively). */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  /** `Sid`, else `statement <n>` counting from 1, for reasons. */
  readonly label: string;
  readonly effect: 'Allow' | 'Deny';
  /** Action patterns; with `notAction` the statement covers every action they do not match. */
  readonly actions: readonly string[];
  readonly notAction: boolean;
  /** Federated principals the statement names; `'*'` for `"Principal": "*"`. */
  readonly federated: readonly string[] | '*';
  /** Every key of every operator: all must hold (IAM ANDs operators and keys). */
  readonly conditions: readonly KeyCondition[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** IAM accepts a single value or a list wherever a list is meant. */
function asList(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function asStrings(value: Json | undefined, what: string): string[] {
  return asList(value).map((v) => {
    if (typeof v === 'string') return v;
    // IAM reads `true` and `1` in a condition as the strings "true" and "1".
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    throw new PolicyReadError(`${what} holds ${JSON.stringify(v)}, which is not a string`);
  });
}

/** The `Condition` block of a statement: operator → key → value or values. */
export function readConditionBlock(block: unknown, where = 'Condition'): KeyCondition[] {
  if (block === undefined || block === null) return [];
  if (!isObject(block)) throw new PolicyReadError(`${where} is not an object`);
  const conditions: KeyCondition[] = [];
  for (const [name, keys] of Object.entries(block)) {
    const operator = parseOperator(name);
    if (!isObject(keys)) throw new PolicyReadError(`${where}.${name} is not an object of keys`);
    for (const [key, values] of Object.entries(keys)) {
      const listed = asStrings(values, `${where}.${name}["${key}"]`);
      // Under Version 2012-10-17 `${...}` is a policy variable, filled from the request.
      if (listed.some((v) => v.includes('${'))) {
        throw new PolicyReadError(`${where}.${name}["${key}"] uses a policy variable (\${...}), which this check does not evaluate`);
      }
      conditions.push({ operator, key, values: listed });
    }
  }
  return conditions;
}

function readPrincipal(statement: Record<string, Json>, label: string): readonly string[] | '*' {
  if ('NotPrincipal' in statement) throw new PolicyReadError(`${label} uses NotPrincipal, which this check does not evaluate`);
  const principal = statement.Principal;
  if (principal === '*') return '*';
  if (!isObject(principal)) throw new PolicyReadError(`${label} has no Principal object`);
  // A web identity call is made by the Federated principal; AWS or Service principals never match it.
  return asStrings(principal.Federated, `${label} Principal.Federated`);
}

function readStatement(raw: Json, index: number): Statement {
  if (!isObject(raw)) throw new PolicyReadError(`statement ${index + 1} is not an object`);
  const label = typeof raw.Sid === 'string' && raw.Sid !== '' ? `statement ${JSON.stringify(raw.Sid)}` : `statement ${index + 1}`;
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw new PolicyReadError(`${label} has Effect ${JSON.stringify(raw.Effect)}, not Allow or Deny`);
  const notAction = 'NotAction' in raw;
  const actions = asStrings(notAction ? raw.NotAction : raw.Action, `${label} Action`);
  if (actions.length === 0) throw new PolicyReadError(`${label} has no Action`);
  return {
    label,
    effect: raw.Effect,
    actions,
    notAction,
    federated: readPrincipal(raw, label),
    conditions: readConditionBlock(raw.Condition, `${label} Condition`),
  };
}

/** Reads a trust policy given as JSON text or as a parsed document. */
export function readPolicy(policy: unknown): Statement[] {
  let doc: unknown = policy;
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy);
    } catch {
      throw new PolicyReadError('the trust policy is not JSON');
    }
  }
  if (!isObject(doc)) throw new PolicyReadError('the trust policy is not a JSON object');
  const statements = asList(doc.Statement);
  if (statements.length === 0) throw new PolicyReadError('the trust policy has no Statement');
  return statements.map(readStatement);
}
