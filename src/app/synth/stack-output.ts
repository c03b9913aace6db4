import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { renderHcl } from '../../lib/hcl/render-hcl';

/** The Terraform binary users run (`TERRAFORM_BINARY_NAME=tofu` for OpenTofu): it formats HCL here and runs the tests and bench. */
export const terraformBinary = (env: NodeJS.ProcessEnv = process.env): string => env.TERRAFORM_BINARY_NAME || 'terraform';

/** HCL formatted by `terraform fmt`; unformatted (but valid) with a warning where no terraform binary is found. */
export function formatHcl(hcl: string, env: NodeJS.ProcessEnv = process.env): string {
  const fmt = spawnSync(terraformBinary(env), ['fmt', '-no-color', '-'], { input: hcl, encoding: 'utf8', env });
  if (fmt.status === 0) return fmt.stdout;
  console.warn(`gitlab-oidc: warning: ${terraformBinary(env)} fmt could not run (${fmt.error?.message ?? fmt.stderr.trim()}); cdk.tf is left unformatted.`);
  return hcl;
}

/**
 * Completes what `app.synth()` wrote for `stack`: with `--hcl`, replaces cdktf's rendering of
 * `cdk.tf` with ours. (The other form's file left by an earlier synth, which Terraform would
 * read too, is removed where the synth is published: tools/run-app.js.)
 * @returns the path of the stack's Terraform file
 */
export function finalizeStackOutput(app: App, stack: TerraformStack): string {
  const file = path.join(app.outdir, 'stacks', stack.node.id, app.hclOutput ? 'cdk.tf' : 'cdk.tf.json');
  if (app.hclOutput) fs.writeFileSync(file, formatHcl(renderHcl(stack.toTerraform())));
  return file;
}
