import * as fs from 'fs';
import * as path from 'path';
import { SynthOptionError } from '../config/synth-options';
import { parseTfvars } from './tfvars-parser';

/** The tfvars files the CI snippets describe: as configured, else terraform.tfvars, else the example. */
export function tfvarsFiles(root: string, configured: readonly string[]): string[] {
  if (configured.length > 0) return [...configured];
  return [fs.existsSync(path.join(root, 'terraform.tfvars')) ? 'terraform.tfvars' : 'terraform.tfvars.example'];
}

/** Variable values from tfvars files (HCL or JSON); a later file overrides an earlier one, as in Terraform. */
export function readTfvars(root: string, files: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const file of files) {
    const full = path.resolve(root, file);
    if (!fs.existsSync(full)) {
      throw new SynthOptionError(`ciTfvars file ${file} does not exist: list the tfvars you plan with (cdktf.json "ciTfvars" or GITLAB_OIDC_CI_TFVARS).`);
    }
    const text = fs.readFileSync(full, 'utf8');
    Object.assign(values, file.endsWith('.json') ? JSON.parse(text) : parseTfvars(text, file));
  }
  return values;
}
