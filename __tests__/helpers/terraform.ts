import { SpawnOptions, spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TERRAFORM, findPluginMirror, terraformOnPath, unpackedProviders, writeMirrorConfig } from '../../tools/terraform-offline';
import { REATTACH_VARIABLE, leasePlanProvider, testEnv } from '../setup/provider-server';
import { tempDir } from './synth';

/**
 * Runs the real terraform binary: providers come from the machine's filesystem mirror
 * through a CLI config written here (offline), or from the registry where no mirror is found.
 */

export { TERRAFORM };

export interface TerraformEnv {
  readonly available: boolean;
  readonly reason: string;
  /** Providers from the mirror, checked against the lock file as users' runs are. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * For commands that only load providers where no provider of the run serves them (console;
   * plan when every plan provider is leased; show, validate and test without the shared one):
   * the same mirrored binaries, named in a `dev_overrides` block. Each command then skips
   * re-hashing the 700 MB aws provider against the lock file (about 2 s of CPU per command,
   * measured). `init` keeps `env`, so version constraints are still resolved and locked as
   * users' are. Terraform warns that overrides are in effect; `tf` removes exactly that warning.
   */
  readonly loadEnv: NodeJS.ProcessEnv;
}

let cached: TerraformEnv | undefined;

/** Whether terraform and the mirror are here, and the environment that uses them. */
export function terraformEnv(): TerraformEnv {
  if (cached) return cached;
  // Without a mirror, providers come from the registry (e.g. in a GitLab pipeline).
  const mirror = findPluginMirror();
  const reason = terraformOnPath() ? '' : `${TERRAFORM} is not on PATH`;
  const rc = tempDir('tfrc');
  const env = testEnv(mirror ? writeMirrorConfig(rc, mirror) : process.env.TF_CLI_CONFIG_FILE);
  const overrides = mirror ? unpackedProviders(mirror) : {};
  const loadEnv = Object.keys(overrides).length > 0 ? testEnv(writeMirrorConfig(rc, mirror!, overrides)) : env;
  cached = { available: reason === '', reason, env, loadEnv };
  return cached;
}

/** Commands that run with `loadEnv`: they read the lock file only to check the provider's hash. */
const LOAD_ONLY_COMMANDS = new Set(['plan', 'show', 'test', 'console', 'validate']);

/**
 * Commands that attach to the run's shared aws provider (setup/provider-server.ts): they
 * keep no configuration in it. `terraform test` only when every test file mocks aws.
 */
const SHARED_PROVIDER_COMMANDS = new Set(['show', 'validate', 'test']);

/** Terraform's warning for `dev_overrides`, as `-no-color` prints it. */
const OVERRIDE_WARNING = /\n?Warning: Provider development overrides are in effect\n[\s\S]*?published\nreleases\.\n/;

/** How one terraform command runs: its environment, the filter for its output, and what to do when it has ended. */
export interface CommandSetup {
  readonly env: NodeJS.ProcessEnv;
  readonly clean: (text: string) => string;
  /** Gives back the plan provider the command leased, if any: call it once the command has ended. */
  readonly release: () => void;
}

/**
 * The setup of one terraform command in `dir` (exported for its test): `plan` leases a plan
 * provider while one is free, the commands that keep no configuration in the provider attach
 * to the shared one, and the others start their own from the mirror.
 */
export function commandSetup(dir: string, command: string, args: string[]): CommandSetup {
  const tf = terraformEnv();
  // Output as terraform printed it, and nothing to give back.
  const plain = { clean: (t: string) => t, release: () => undefined };
  const shared = process.env[REATTACH_VARIABLE];
  if (shared && SHARED_PROVIDER_COMMANDS.has(command) && (command !== 'test' || testFilesMockAws(dir, args))) {
    return { ...plain, env: { ...tf.env, TF_REATTACH_PROVIDERS: shared } };
  }
  const lease = command === 'plan' ? leasePlanProvider() : undefined;
  if (lease) return { ...plain, env: { ...tf.env, TF_REATTACH_PROVIDERS: lease.reattach }, release: lease.release };
  if (!LOAD_ONLY_COMMANDS.has(command) || tf.loadEnv === tf.env) return { ...plain, env: tf.env };
  return { ...plain, env: tf.loadEnv, clean: (t) => t.replace(OVERRIDE_WARNING, '') };
}

/** Whether every test file `terraform test <args>` runs in `dir` has `mock_provider "aws"`. */
function testFilesMockAws(dir: string, args: string[]): boolean {
  const testDir = args.find((a) => a.startsWith('-test-directory='))?.slice('-test-directory='.length) ?? 'tests';
  const files = [dir, path.join(dir, testDir)]
    .filter((d) => fs.existsSync(d))
    .flatMap((d) =>
      fs
        .readdirSync(d)
        .filter((f) => f.endsWith('.tftest.hcl') || f.endsWith('.tftest.json'))
        .map((f) => path.join(d, f)),
    );
  return files.every((f) => /\bmock_provider\s+"aws"/.test(fs.readFileSync(f, 'utf8')));
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

function result(status: number, stdout: string, stderr: string): RunResult {
  return { status, stdout, stderr, output: `${stdout}\n${stderr}` };
}

/** Runs `terraform <command> -no-color <args>` in `dir`; never throws on a non-zero exit. */
export function tf(dir: string, [command, ...args]: string[]): RunResult {
  const { env, clean, release } = commandSetup(dir, command, args);
  try {
    const r = spawnSync(TERRAFORM, [command, '-no-color', ...args], { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return result(r.status ?? -1, clean(r.stdout ?? ''), clean(r.stderr ?? ''));
  } finally {
    release();
  }
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
    child.on('close', (status) => resolve(result(status ?? -1, stdout, stderr)));
  });
}

/** `tf` without blocking, so independent plans can run side by side. */
export async function tfAsync(dir: string, [command, ...args]: string[]): Promise<RunResult> {
  const { env, clean, release } = commandSetup(dir, command, args);
  try {
    const r = await runAsync(TERRAFORM, [command, '-no-color', ...args], { cwd: dir, env });
    return result(r.status, clean(r.stdout), clean(r.stderr));
  } finally {
    release();
  }
}

/** Like `tf`, but throws with terraform's output when it fails. */
export function tfOk(dir: string, args: string[]): RunResult {
  const r = tf(dir, args);
  if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} failed in ${dir}:\n${r.output}`);
  return r;
}

export interface Validation {
  readonly valid: boolean;
  /** Each error or warning as `severity: summary: detail`. */
  readonly problems: string[];
}

/** Reads `terraform validate -json` output: `{ valid: true, problems: [] }` is what "Success! The configuration is valid." means. */
export function validation(r: RunResult): Validation {
  const report = JSON.parse(r.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string }[] };
  return { valid: report.valid, problems: report.diagnostics.map((d) => `${d.severity}: ${d.summary}: ${d.detail ?? ''}`) };
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

/** A whole aws provider block with those settings and a region, for a configuration that writes none. */
export const OFFLINE_AWS_PROVIDER = JSON.stringify({ provider: { aws: [{ region: 'eu-west-1', ...JSON.parse(OFFLINE_AWS_OVERRIDE).provider.aws[0] }] } });

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
 * What `terraform init` installs in `dir`, as a key: the provider requirements and, unless
 * skipped, the backend blocks. `terraform providers` reads the requirements without installing
 * anything, but refuses a configuration whose backend is not initialised, so it reads a copy
 * without the backend blocks. Undefined where init would do more (modules to install) or a
 * backend block is not one this reads.
 */
function initInputs(dir: string, backend: boolean): string | undefined {
  const split = withoutBackends(dir);
  if (!split) return undefined;
  const copy = tempDir('requirements');
  for (const [name, text] of Object.entries(split.files)) fs.writeFileSync(path.join(copy, name), text);
  const requirements = tf(copy, ['providers']);
  if (requirements.status !== 0 || /\bmodule\./.test(requirements.stdout)) return undefined;
  return JSON.stringify([requirements.stdout, backend ? split.backends : 'skipped']);
}

/**
 * `dir`'s configuration files with their backend blocks taken out, and those blocks: JSON
 * ones whole, HCL ones only when flat (`backend "local" {}`); undefined for any other.
 */
function withoutBackends(dir: string): { files: Record<string, string>; backends: unknown[] } | undefined {
  const files: Record<string, string> = {};
  const backends: unknown[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.tf') || f.endsWith('.tf.json'))) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    if (name.endsWith('.json')) {
      const config = JSON.parse(text);
      for (const block of [].concat(config.terraform ?? []) as Record<string, unknown>[]) {
        if (block.backend) backends.push(block.backend);
        delete block.backend;
      }
      files[name] = JSON.stringify(config);
      continue;
    }
    const flat = /\bbackend\s+"([^"]+)"\s*\{([^{}]*)\}/g;
    // As JSON writes them: an empty block is `{ type: {} }` in either form.
    const found = [...text.matchAll(flat)].map(([, type, body]) => ({ [type]: body.trim() === '' ? {} : body.trim() }));
    if (found.length !== (text.match(/\bbackend\b/g) ?? []).length) return undefined;
    backends.push(...found);
    files[name] = text.replace(flat, '');
  }
  return { files, backends };
}

/**
 * `terraform init` from the mirror (the synthesized local backend keeps state in `dir`);
 * `backend: false` is `init -backend=false`, for a backend that is not reachable here.
 * Init hashes the 700 MB aws provider (about 2 s of CPU), so a folder whose providers and
 * backend an earlier init of this test run already installed gets that init's
 * `.terraform` (links into the mirror) and lock file instead, which is what init would write.
 */
export function init(dir: string, { backend = true }: { backend?: boolean } = {}): void {
  const args = ['init', '-input=false', ...(backend ? [] : ['-backend=false'])];
  const inputs = initInputs(dir, backend);
  const root = process.env.TEST_RUN_TMPDIR;
  if (inputs === undefined || !root) {
    tfOk(dir, args);
    return;
  }
  // What init writes: .terraform (links into the mirror, the backend's settings) and the lock file.
  // A folder of HCL or JSON with the same requirements and backend gets the same.
  const copyInit = (from: string, to: string) => {
    fs.cpSync(path.join(from, '.terraform'), path.join(to, '.terraform'), { recursive: true, verbatimSymlinks: true });
    fs.copyFileSync(path.join(from, '.terraform.lock.hcl'), path.join(to, '.terraform.lock.hcl'));
  };
  const done = path.join(root, 'terraform-init', createHash('sha256').update(inputs).digest('hex').slice(0, 16));
  if (!fs.existsSync(done)) {
    tfOk(dir, args);
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
