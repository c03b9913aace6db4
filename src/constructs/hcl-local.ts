import { Construct } from 'constructs';
import { TerraformLocal } from 'cdktf';

/** A Terraform local named `name` (its address is `local.<name>`), holding the HCL expression `expression`. */
export function hclLocal(scope: Construct, name: string, expression: string): TerraformLocal {
  const local = new TerraformLocal(scope, name, `\${${expression}}`);
  local.overrideLogicalId(name);
  return local;
}
