import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { readSynthOptions } from '../../src/app/config/synth-options';
import { GitlabOidcStack, STACK_NAME } from '../../src/app/stacks/gitlab-oidc-stack';
import { finalizeStackOutput } from '../../src/app/synth/stack-output';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const STACK = STACK_NAME;

/**
 * A fresh temporary directory: under the test run's folder (removed when jest ends, see
 * __tests__/setup), or, outside jest, one removed when the process exits.
 */
export function tempDir(prefix: string): string {
  const root = process.env.TEST_RUN_TMPDIR;
  if (root) return fs.mkdtempSync(path.join(root, `${prefix}-`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface SynthResult {
  /** Directory holding cdk.tf.json (or cdk.tf with `hcl`). */
  readonly dir: string;
  /** The file's path. */
  readonly file: string;
  readonly text: string;
}

/** Synthesizes the stack in-process, as `cdktf synth` would, with the given cdktf.json context. */
export function synthStack(context: Record<string, unknown> = {}, opts: { hcl?: boolean; env?: NodeJS.ProcessEnv } = {}): SynthResult {
  const outdir = tempDir('synth');
  const app = new App({ outdir, hclOutput: opts.hcl ?? false });
  const stack = new GitlabOidcStack(app, STACK, readSynthOptions(context, opts.env ?? {}));
  app.synth();
  const file = finalizeStackOutput(app, stack);
  return { dir: path.dirname(file), file, text: fs.readFileSync(file, 'utf8') };
}

/** The text without the paths the CI snippets name inside a job's container, which are not this machine's. */
export const withoutJobPaths = (text: string): string => text.replace(/\/tmp\/aws-web-identity-token-\$CI_JOB_ID/g, '');

/** The article's variable values, as a tfvars file's text. */
export const EXAMPLE_TFVARS = fs.readFileSync(path.join(REPO_ROOT, 'terraform.tfvars.example'), 'utf8');
