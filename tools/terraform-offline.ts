import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { terraformBinary } from '../src/app/synth/stack-output';

/**
 * Runs the real terraform binary without the registry: providers come from a filesystem
 * mirror found on this machine, through a CLI config written for the purpose. Shared by
 * the tests and the benchmark.
 */

export const TERRAFORM = terraformBinary();

export function terraformOnPath(): boolean {
  return spawnSync(TERRAFORM, ['version'], { stdio: 'ignore' }).status === 0;
}

/** The mirror root: env TF_PLUGIN_MIRROR, else the parent of a registry.terraform.io folder found on this filesystem. */
export function findPluginMirror(): string | undefined {
  if (process.env.TF_PLUGIN_MIRROR) return process.env.TF_PLUGIN_MIRROR;
  const found = spawnSync('find', ['/', '-xdev', '-maxdepth', '4', '-type', 'd', '-name', 'registry.terraform.io'], {
    encoding: 'utf8',
  }).stdout;
  const hit = found.split('\n').find((line) => line && fs.existsSync(path.join(line, 'hashicorp', 'aws')));
  return hit ? path.dirname(hit) : undefined;
}

/**
 * Writes a Terraform CLI config that installs providers from `mirror` only; returns its path.
 * `devOverrides` (`namespace/type` → the folder holding its binary) has every command but
 * `init` load those binaries as they are, without checking them against the lock file.
 */
export function writeMirrorConfig(dir: string, mirror: string, devOverrides: Record<string, string> = {}): string {
  const overrides = Object.entries(devOverrides).map(([source, folder]) => `    ${JSON.stringify(source)} = ${JSON.stringify(folder)}\n`);
  const file = path.join(dir, overrides.length > 0 ? 'terraform-dev-overrides.rc' : 'terraform.rc');
  fs.writeFileSync(
    file,
    'provider_installation {\n' +
      (overrides.length > 0 ? `  dev_overrides {\n${overrides.join('')}  }\n` : '') +
      `  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  return file;
}

/**
 * The mirror's unpacked providers that have a single version (the one every init here
 * selects), as `namespace/type` → the folder holding the binary.
 */
export function unpackedProviders(mirror: string): Record<string, string> {
  const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const registry = path.join(mirror, 'registry.terraform.io');
  const found: Record<string, string> = {};
  for (const namespace of fs.existsSync(registry) ? fs.readdirSync(registry) : []) {
    for (const type of fs.readdirSync(path.join(registry, namespace))) {
      const versions = fs.readdirSync(path.join(registry, namespace, type));
      const dir = versions.length === 1 ? path.join(registry, namespace, type, versions[0], platform) : '';
      if (dir && fs.existsSync(dir) && fs.statSync(dir).isDirectory()) found[`${namespace}/${type}`] = dir;
    }
  }
  return found;
}

/** Environment for offline runs: the CLI config (if any), no update checks, no prompts, fake AWS credentials. */
export function offlineEnv(cliConfig: string | undefined): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(cliConfig ? { TF_CLI_CONFIG_FILE: cliConfig } : {}),
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-offline-runs',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
