import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { findPluginMirror, offlineEnv, terraformOnPath, unpackedProviders } from '../../tools/terraform-offline';

/**
 * aws provider processes started once per test run, which terraform commands attach to
 * instead of starting their own: the provider's debug mode, which Terraform reaches through
 * TF_REATTACH_PROVIDERS.
 *
 * Why: a command that starts its own provider starts the 700 MB binary up to three times
 * (schema, validation, plan), and each start builds the provider's schema again. Measured
 * here: 20 `terraform test` run blocks took 16.3 CPU-s with their own processes and 7.1
 * attached; one plan of the stack took 3.9 CPU-s with its own processes, and 2.0 in
 * terraform plus 0.7-0.9 in the provider attached.
 *
 * Two kinds:
 * - one shared provider, for `terraform test` with a mocked aws provider, `show` and
 *   `validate`. They only ask for the schema and to validate configuration, which keeps no
 *   state in the provider, so any number of them can use it at once.
 * - plan providers, each leased to one `plan` at a time. A plan configures the provider
 *   (region, credentials), and a provider process holds one configuration: two plans on one
 *   process at once could read each other's region. A plan that finds every plan provider
 *   leased starts its own.
 *
 * Terraform reaches all of them through schema-cache-proxy.js, which answers the schema,
 * the same for every caller, from memory: a plan then cost its provider 0.2-0.4 CPU-s.
 */

/**
 * The environment of every terraform and provider process the tests start: the offline one,
 * with Go's collector tuned for short runs. Terraform and the aws provider spend much of their
 * CPU collecting garbage while the provider's schema is built and decoded; GOGC=400 cut a
 * plan's CPU by about a quarter here (3.8 to 2.8 CPU-s) for about 90 MB more per process.
 * Tests only: the bench measures what users run.
 */
export function testEnv(cliConfig: string | undefined): NodeJS.ProcessEnv {
  return { ...offlineEnv(cliConfig), GOGC: '400' };
}

/**
 * A plan provider's environment: the tests' own without AWS_CA_BUNDLE. With that variable set,
 * the aws provider refused a second configuration in one process ("unable to add custom
 * RootCAs HTTPClient"); without it, one process took five in a row here, each answering with
 * its own region. Plans here call no AWS endpoint (fake credentials, the skip_* settings of
 * OFFLINE_AWS_OVERRIDE), so they need no bundle.
 */
function planProviderEnv(): NodeJS.ProcessEnv {
  const env = testEnv(undefined);
  delete env.AWS_CA_BUNDLE;
  return env;
}

/** How many plan providers run: two test workers, each with up to two plans at once. */
const PLAN_PROVIDERS = 3;

/** The schema cache's counts of calls forwarded and answered from memory, in the run's temporary folder. */
export const SCHEMA_CACHE_COUNTS = 'schema-cache-counts.json';

/** Where the helper finds the shared provider's reattach setting: not TF_REATTACH_PROVIDERS itself, which init must not see. */
export const REATTACH_VARIABLE = 'TEST_RUN_AWS_PROVIDER_REATTACH';
/** The plan providers' reattach settings, as a JSON list. */
export const PLAN_REATTACH_VARIABLE = 'TEST_RUN_AWS_PLAN_PROVIDERS_REATTACH';
const PIDS_VARIABLE = 'TEST_RUN_AWS_PROVIDER_PIDS';

/** The mirror's aws provider binary, where terraform and an unpacked mirror are here. */
function awsProviderBinary(): string | undefined {
  const mirror = findPluginMirror();
  const folder = mirror && terraformOnPath() ? unpackedProviders(mirror)['hashicorp/aws'] : undefined;
  const binary = folder && fs.readdirSync(folder).find((f) => f.startsWith('terraform-provider-aws'));
  return binary ? path.join(folder, binary) : undefined;
}

/**
 * Starts `command` in the background, its output in `log`, not waited for by jest; resolves
 * with its pid and the match once `log` matches `ready`.
 */
async function startLogged(command: string, args: string[], log: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ pid: number; found: RegExpExecArray }> {
  const out = fs.openSync(log, 'w');
  const child = spawn(command, args, { stdio: ['ignore', out, out], env });
  child.unref();
  fs.closeSync(out);
  return { pid: child.pid!, found: await waitFor(log, ready, `${command} ${args.join(' ')}`) };
}

/**
 * Starts one provider in debug mode, logging to `log`, and returns its reattach setting. A
 * shell watches this process, so the provider stops with jest even when the teardown does not run.
 */
async function startProvider(binary: string, log: string, env: NodeJS.ProcessEnv): Promise<string> {
  const watch = `"$0" -debug & p=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $p 2>/dev/null; do sleep 1; done; kill $p 2>/dev/null`;
  return (await startLogged('sh', ['-c', watch, binary], log, env, /TF_REATTACH_PROVIDERS='([^']+)'/)).found[1];
}

/** Waits up to 60 s for `log` to match `pattern`. */
async function waitFor(log: string, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = pattern.exec(fs.readFileSync(log, 'utf8'));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not print ${pattern} within 60 s:\n${fs.readFileSync(log, 'utf8')}`);
}

/** What a reattach setting says of the aws provider: its process, and the socket Terraform connects to. */
interface AwsReattach {
  Pid: number;
  Addr: { Network: string; String: string };
}
const AWS_SOURCE = 'registry.terraform.io/hashicorp/aws';
const awsReattach = (reattach: string): AwsReattach => JSON.parse(reattach)[AWS_SOURCE];
export const pidOf = (reattach: string): number => awsReattach(reattach).Pid;

/**
 * The aws resource and data source types whose schemas the schema cache passes on: every type
 * a configuration of the tests plans, validates or shows (the output's, and the hand-written
 * setups' in __tests__/fixtures). Terraform decodes the whole schema in each
 * command, about a CPU-second here; with these types only, it decodes a few. A configuration
 * with another type fails with "The provider hashicorp/aws does not support resource type":
 * add the type here. Commands that start their own provider (init, console) read it whole.
 */
export const SCHEMA_TYPES = ['aws_iam_openid_connect_provider', 'aws_iam_policy_document', 'aws_iam_role', 'aws_iam_role_policy', 'aws_iam_role_policy_attachment', 'aws_region'];

/**
 * Starts `node schema-cache-proxy.js` in front of the providers and returns each reattach
 * setting rewritten to reach its provider through it (the provider's pid stays, which
 * Terraform only watches).
 */
async function startSchemaCache(logDir: string, reattaches: string[]): Promise<{ pid: number; reattaches: string[] }> {
  const listen = reattaches.map((_, i) => path.join(logDir, `aws-provider-${i}.sock`));
  const pairs = reattaches.map((r, i) => `${awsReattach(r).Addr.String}=${listen[i]}`);
  const args = [path.join(__dirname, 'schema-cache-proxy.js'), String(process.pid), path.join(logDir, SCHEMA_CACHE_COUNTS), ...pairs];
  const env = { ...process.env, SCHEMA_CACHE_TYPES: SCHEMA_TYPES.join(',') };
  const { pid } = await startLogged(process.execPath, args, path.join(logDir, 'schema-cache-proxy.log'), env, /^listening$/m);
  const rewritten = reattaches.map((r, i) => {
    const aws = awsReattach(r);
    return JSON.stringify({ [AWS_SOURCE]: { ...aws, Addr: { ...aws.Addr, String: listen[i] } } });
  });
  return { pid, reattaches: rewritten };
}

/** Starts the shared provider, the plan providers and the schema cache, and puts their settings in the environment for the test workers. */
export async function startProviderServer(logDir: string): Promise<void> {
  const binary = awsProviderBinary();
  if (!binary) return;
  const providers = await Promise.all([
    startProvider(binary, path.join(logDir, 'aws-provider.log'), testEnv(undefined)),
    ...Array.from({ length: PLAN_PROVIDERS }, (_, i) => startProvider(binary, path.join(logDir, `aws-plan-provider-${i}.log`), planProviderEnv())),
  ]);
  const cache = await startSchemaCache(logDir, providers);
  const [shared, ...plans] = cache.reattaches;
  process.env[REATTACH_VARIABLE] = shared;
  process.env[PLAN_REATTACH_VARIABLE] = JSON.stringify(plans);
  process.env[PIDS_VARIABLE] = [...providers.map(pidOf), cache.pid].join(',');
}

export function stopProviderServer(): void {
  for (const pid of (process.env[PIDS_VARIABLE] ?? '').split(',').filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone: the tests that needed it have failed and said why.
    }
  }
}

/** A plan provider held by one command until it calls `release`. */
export interface PlanProviderLease {
  readonly reattach: string;
  release(): void;
}

/**
 * Leases a free plan provider, or returns undefined when every one is leased (the command then
 * starts its own). A lease is a folder in the run's temporary folder: creating a folder either
 * succeeds or fails at once, so two test workers never hold the same provider.
 */
export function leasePlanProvider(): PlanProviderLease | undefined {
  const root = process.env.TEST_RUN_TMPDIR;
  const plans: string[] = JSON.parse(process.env[PLAN_REATTACH_VARIABLE] ?? '[]');
  if (!root) return undefined;
  for (const reattach of plans) {
    const lease = path.join(root, `plan-provider-${createHash('sha256').update(reattach).digest('hex').slice(0, 16)}.lease`);
    try {
      fs.mkdirSync(lease);
    } catch {
      continue;
    }
    let held = true;
    const release = () => {
      if (held) fs.rmSync(lease, { recursive: true, force: true });
      held = false;
    };
    return { reattach, release };
  }
  return undefined;
}
