import { Construct } from 'constructs';
import { Lazy, TerraformLocal } from 'cdktf';

/**
 * A Terraform local named `name` (its address is `local.<name>`), holding the HCL expression
 * `expression`, or the one that function returns at synth.
 */
export function hclLocal(scope: Construct, name: string, expression: string | (() => string)): TerraformLocal {
  const value = typeof expression === 'string' ? `\${${expression}}` : Lazy.stringValue({ produce: () => `\${${expression()}}` });
  const local = new TerraformLocal(scope, name, value);
  local.overrideLogicalId(name);
  return local;
}
