import { SpawnOptions, spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TERRAFORM, findPluginMirror, offlineEnv, terraformOnPath, writeMirrorConfig } from '../../tools/terraform-offline';
import { tempDir } from './synth';

/**
 * Runs the real terraform binary: providers come from the machine's filesystem mirror
 * through a CLI config written here (offline), or from the registry where no mirror is found.
 */

export { TERRAFORM };

export interface TerraformEnv {
  readonly available: boolean;
  readonly reason: string;
  readonly env: NodeJS.ProcessEnv;
}

let cached: TerraformEnv | undefined;

/** Whether terraform and the mirror are here, and the environment that uses them. */
export function terraformEnv(): TerraformEnv {
  if (cached) return cached;
  // Without a mirror, providers come from the registry (e.g. in a GitLab pipeline).
  const mirror = findPluginMirror();
  const reason = terraformOnPath() ? '' : `${TERRAFORM} is not on PATH`;
  const env = offlineEnv(mirror ? writeMirrorConfig(tempDir('tfrc'), mirror) : process.env.TF_CLI_CONFIG_FILE);
  cached = { available: reason === '', reason, env };
  return cached;
}

/**
 * `describe` for Terraform-level tests: skipped with a printed reason where terraform is
 * missing, but with CI=true a missing terraform fails the run. `TEST_TIER=unit` skips them.
 */
export function describeWithTerraform(name: string, body: () => void): void {
  // npm run test:unit: the tests that need no terraform.
  if (process.env.TEST_TIER === 'unit') {
    describe.skip(name, body);
    return;
  }
  const tf = terraformEnv();
  if (tf.available) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('terraform is available (required when CI=true)', () => {
        throw new Error(`Terraform-level tests cannot run: ${tf.reason}`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${tf.reason}`);
  describe.skip(name, body);
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for asserting on messages. */
  readonly output: string;
}

/** Runs `terraform <command> -no-color <args>` in `dir`; never throws on a non-zero exit. */
export function tf(dir: string, [command, ...args]: string[]): RunResult {
  const r = spawnSync(TERRAFORM, [command, '-no-color', ...args], { cwd: dir, env: terraformEnv().env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  return { status: r.status ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` };
}

/** Runs a command without blocking, so independent runs go side by side; never rejects on a non-zero exit. */
export function runAsync(command: string, args: string[], options: SpawnOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` }));
  });
}

/** `tf` without blocking, so independent plans can run side by side. */
export function tfAsync(dir: string, [command, ...args]: string[]): Promise<RunResult> {
  return runAsync(TERRAFORM, [command, '-no-color', ...args], { cwd: dir, env: terraformEnv().env });
}

/** Like `tf`, but throws with terraform's output when it fails. */
export function tfOk(dir: string, args: string[]): RunResult {
  const r = tf(dir, args);
  if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} failed in ${dir}:\n${r.output}`);
  return r;
}

/** Credentials-free settings for `plan` against the real aws provider, as an override file. */
export const OFFLINE_AWS_OVERRIDE = JSON.stringify({
  provider: {
    aws: [
      {
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
      },
    ],
  },
});

/** Copies a synthesized configuration into a fresh working directory, with optional extra files. */
export function workdir(configFile: string, extra: Record<string, string> = {}): string {
  const dir = tempDir('tf');
  fs.copyFileSync(configFile, path.join(dir, path.basename(configFile)));
  for (const [name, text] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/**
 * What `terraform init` installs for a folder of JSON configuration: its required providers
 * and its backend. Undefined where init would also read HCL files or install modules.
 */
function initInputs(dir: string): string | undefined {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.tf') || f.endsWith('.tf.json'));
  if (files.some((f) => f.endsWith('.tf'))) return undefined;
  const blocks = files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  if (blocks.some((b) => b.module)) return undefined;
  const terraform = blocks.flatMap((b) => [].concat(b.terraform ?? []));
  return JSON.stringify(terraform.map((t: Record<string, unknown>) => [t.required_providers, t.backend]));
}

/**
 * `terraform init` from the mirror (the synthesized local backend keeps state in `dir`).
 * Init hashes the 700 MB aws provider (4–8 s of CPU), so a folder whose providers and
 * backend an earlier init of this test run already installed gets that init's
 * `.terraform` (links into the mirror) and lock file instead, which is what init would write.
 */
export function init(dir: string): void {
  const inputs = initInputs(dir);
  const root = process.env.TEST_RUN_TMPDIR;
  if (inputs === undefined || !root) {
    tfOk(dir, ['init', '-input=false']);
    return;
  }
  // What init writes: .terraform (links into the mirror, the backend's settings) and the lock file.
  const copyInit = (from: string, to: string) => {
    fs.cpSync(path.join(from, '.terraform'), path.join(to, '.terraform'), { recursive: true, verbatimSymlinks: true });
    fs.copyFileSync(path.join(from, '.terraform.lock.hcl'), path.join(to, '.terraform.lock.hcl'));
  };
  const done = path.join(root, 'terraform-init', createHash('sha256').update(inputs).digest('hex').slice(0, 16));
  if (!fs.existsSync(done)) {
    tfOk(dir, ['init', '-input=false']);
    const staged = tempDir('terraform-init');
    copyInit(dir, staged);
    fs.mkdirSync(path.dirname(done), { recursive: true });
    try {
      fs.renameSync(staged, done);
    } catch {
      // Another worker finished the same init first: either copy is the same.
    }
    return;
  }
  copyInit(done, dir);
}

