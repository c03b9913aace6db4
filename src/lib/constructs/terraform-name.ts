import { Construct } from 'constructs';
import { Annotations, TerraformStack } from 'cdktf';
import { describe } from '../guardrails/prop-checks';

/** Terraform names in use, per stack, by resource type: the path of the construct that took each. */
const taken = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * The Terraform name of the construct's resources of the given types: its construct id.
 * So an address reads as the construct that made it, and several constructs of one kind
 * coexist in a stack under different ids. An id Terraform cannot take as a name, or one that
 * another construct of this stack already gave to a resource of the same type, fails synth.
 */
export function terraformName(construct: Construct, types: readonly string[]): string {
  const name = construct.node.id;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
    Annotations.of(construct).addError(
      `${describe(construct)}: construct id ${JSON.stringify(name)} is not a Terraform name; use letters, digits, '_' and '-', starting with a letter or '_'.`,
    );
  }
  const stack = TerraformStack.of(construct);
  const names = taken.get(stack) ?? new Map<string, string>();
  taken.set(stack, names);
  for (const type of types) {
    const other = names.get(`${type}.${name}`);
    if (other !== undefined) {
      Annotations.of(construct).addError(
        `${describe(construct)}: ${type}.${name} is already the address of '${other}'; give one of them another construct id.`,
      );
    }
    names.set(`${type}.${name}`, construct.node.path);
  }
  return name;
}
