import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { findPluginMirror, offlineEnv, terraformOnPath, unpackedProviders } from '../../tools/terraform-offline';

/**
 * One aws provider process for the whole test run, which `terraform test`, `show` and
 * `validate` attach to instead of starting their own: the provider's debug mode, which
 * Terraform reaches through TF_REATTACH_PROVIDERS.
 *
 * Why: starting the 700 MB provider binary costs about 0.3 s of CPU, and `terraform test`
 * starts it twice per run block; a command that loads the schema starts it once more.
 * Measured here, 20 run blocks took 16.3 CPU-s with their own processes and 7.1 attached.
 *
 * Why only those commands: they ask the provider for its schema and to validate
 * configuration, which keeps no state in the provider. `plan` configures the provider
 * (region, credentials) and `terraform test` would too without a mock; one process holds
 * one configuration, and the aws provider refuses a second one here ("unable to add custom
 * RootCAs HTTPClient" with AWS_CA_BUNDLE set, seen when plans attached). Those keep a
 * process of their own.
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

/** Where the helper finds the reattach setting: not TF_REATTACH_PROVIDERS itself, which init must not see. */
export const REATTACH_VARIABLE = 'TEST_RUN_AWS_PROVIDER_REATTACH';
const PID_VARIABLE = 'TEST_RUN_AWS_PROVIDER_PID';

/** The mirror's aws provider binary, where terraform and an unpacked mirror are here. */
function awsProviderBinary(): string | undefined {
  const mirror = findPluginMirror();
  const folder = mirror && terraformOnPath() ? unpackedProviders(mirror)['hashicorp/aws'] : undefined;
  const binary = folder && fs.readdirSync(folder).find((f) => f.startsWith('terraform-provider-aws'));
  return binary ? path.join(folder, binary) : undefined;
}

/**
 * Starts the shared provider and puts its reattach setting in REATTACH_VARIABLE for the test
 * workers. A shell watches this process, so the provider stops with jest even when the
 * teardown does not run.
 */
export async function startProviderServer(logDir: string): Promise<void> {
  const binary = awsProviderBinary();
  if (!binary) return;
  const log = path.join(logDir, 'aws-provider.log');
  const out = fs.openSync(log, 'w');
  const watch = `"$0" -debug & p=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $p 2>/dev/null; do sleep 1; done; kill $p 2>/dev/null`;
  spawn('sh', ['-c', watch, binary], { stdio: ['ignore', out, out], env: testEnv(undefined) }).unref();
  fs.closeSync(out);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const reattach = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(fs.readFileSync(log, 'utf8'))?.[1];
    if (reattach) {
      process.env[REATTACH_VARIABLE] = reattach;
      process.env[PID_VARIABLE] = String(JSON.parse(reattach)['registry.terraform.io/hashicorp/aws'].Pid);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${binary} -debug printed no TF_REATTACH_PROVIDERS within 60 s:\n${fs.readFileSync(log, 'utf8')}`);
}

export function stopProviderServer(): void {
  const pid = Number(process.env[PID_VARIABLE]);
  try {
    if (pid) process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone: the tests that needed it have failed and said why.
  }
}
