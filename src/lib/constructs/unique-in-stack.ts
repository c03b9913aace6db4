import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';

/** Per stack, by kind and literal value, the construct that took the value first. */
const taken = new WeakMap<TerraformStack, Map<string, Construct>>();

/**
 * Takes a literal value that must be unique within its stack (a stack is one AWS account):
 * an account holds one OIDC provider per issuer and one role per name. Returns the construct
 * that took the same value first, or undefined when it is the first.
 */
export function takeOnce(construct: Construct, kind: string, value: string): Construct | undefined {
  const stack = TerraformStack.of(construct);
  const values = taken.get(stack) ?? new Map<string, Construct>();
  taken.set(stack, values);
  const key = `${kind}\n${value}`;
  const first = values.get(key);
  if (first === undefined) values.set(key, construct);
  return first;
}
