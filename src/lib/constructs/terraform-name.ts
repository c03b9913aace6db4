import { Construct } from 'constructs';
import { refuse } from '../guardrails/prop-checks';
import { takeOnce } from './unique-in-stack';

/**
 * The Terraform name of the construct's resources of the given types: its construct id.
 * So an address reads as the construct that made it, and several constructs of one kind
 * coexist in a stack under different ids. An id Terraform cannot take as a name, or one that
 * another construct of this stack already gave to a resource of the same type, fails synth.
 */
export function terraformName(construct: Construct, types: readonly string[]): string {
  const name = construct.node.id;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
    refuse(construct, `construct id ${JSON.stringify(name)} is not a Terraform name; use letters, digits, '_' and '-', starting with a letter or '_'.`);
  }
  for (const type of types) {
    const other = takeOnce(construct, 'address', `${type}.${name}`);
    if (other) refuse(construct, `${type}.${name} is already the address of '${other.node.path}'; give one of them another construct id.`);
  }
  return name;
}
