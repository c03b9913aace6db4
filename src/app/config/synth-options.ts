/**
 * Synth-time options: decided when the Terraform is generated, not when it runs.
 *
 * Each is read from the `context` of `cdktf.json` and can be overridden by an
 * environment variable, so a pipeline can switch it without editing files.
 */

import { BACKEND_SETTINGS } from './backend-settings';
import { THUMBPRINT_SOURCES, type ThumbprintSource } from '../../lib/constructs/gitlab-oidc-provider';

/** Which Terraform backend the synthesized configuration declares. */
export const BACKEND_TYPES = ['local', 's3', 'http', 'none'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

export interface SynthOptions {
  /**
   * `tls`: read the thumbprint with `data.tls_certificate` (the article's behaviour).
   * `none`: omit `thumbprint_list`; IAM verifies the issuer with its trusted CA library.
   * @default "tls"
   */
  readonly thumbprintSource: ThumbprintSource;
  /**
   * `local` (Terraform's default `terraform.tfstate`), `s3` or `http` (GitLab-managed state) as a
   * partial configuration completed at `terraform init`, or `none` to leave the backend to the
   * directory the output is dropped into.
   * @default "local"
   */
  readonly backend: BackendType;
  /**
   * Non-secret settings written into the backend block, e.g. `{ bucket, key, region }` for `s3`.
   * Credentials are refused: they belong in the environment (`AWS_*`, `TF_HTTP_PASSWORD`).
   * @default {}
   */
  readonly backendConfig: Readonly<Record<string, string | boolean | number>>;
  /**
   * Also manage, with the gitlab provider, each trusted project's CI/CD variable holding its role ARN.
   * @default false
   */
  readonly manageGitlabVariables: boolean;
}

/** Where each option is read: the `cdktf.json` context key and the environment variable that overrides it. */
export const OPTION_SOURCES = {
  thumbprintSource: { contextKey: 'thumbprintSource', envVar: 'GITLAB_OIDC_THUMBPRINT_SOURCE' },
  backend: { contextKey: 'backend', envVar: 'GITLAB_OIDC_BACKEND' },
  backendConfig: { contextKey: 'backendConfig', envVar: 'GITLAB_OIDC_BACKEND_CONFIG' },
  manageGitlabVariables: { contextKey: 'manageGitlabVariables', envVar: 'GITLAB_OIDC_MANAGE_GITLAB_VARIABLES' },
} as const;

/**
 * Options of earlier releases, with what replaces them. The CI snippets are now derived in
 * Terraform from the role map, at plan, from the tfvars Terraform reads.
 */
export const REMOVED_OPTIONS = {
  ciTfvars: {
    envVar: 'GITLAB_OIDC_CI_TFVARS',
    instead: 'the CI snippets now come from the plan, with the tfvars Terraform reads: run npm run ci-snippets on a saved plan (README, "The GitLab side")',
  },
  ciIdTokenAudience: {
    envVar: 'GITLAB_OIDC_CI_AUDIENCE',
    instead: 'set the Terraform variable ci_id_token_audience in your tfvars instead',
  },
} as const;

/** The cdktf.json context of every option, read through `lookup` (e.g. `app.node.tryGetContext`). */
export function optionContext(lookup: (key: string) => unknown): Record<string, unknown> {
  const keys = [...Object.values(OPTION_SOURCES).map(({ contextKey }) => contextKey), ...Object.keys(REMOVED_OPTIONS)];
  return Object.fromEntries(keys.map((key) => [key, lookup(key)]));
}

/** A bad synth-time option; the message names the option, where it was read and the fix. */
export class SynthOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthOptionError';
  }
}

/** Settings that would put a secret into the synthesized file. */
const SECRET_SETTING = /(secret|password|token|access_key|credentials|session|private_key|customer_key)/i;

/** The raw value of an option: the environment variable when set, else the context key; and where it came from. */
function raw(name: keyof typeof OPTION_SOURCES, context: Record<string, unknown>, env: NodeJS.ProcessEnv): [unknown, string] {
  const { contextKey, envVar } = OPTION_SOURCES[name];
  return env[envVar] ? [env[envVar], `environment variable ${envVar}`] : [context[contextKey], `cdktf.json context "${contextKey}"`];
}

function pick<T extends string>(name: keyof typeof OPTION_SOURCES, allowed: readonly T[], context: Record<string, unknown>, env: NodeJS.ProcessEnv, fallback: T): T {
  const [value, where] = raw(name, context, env);
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new SynthOptionError(`Unknown ${name} ${JSON.stringify(value)} (from ${where}): use one of ${allowed.map((a) => `"${a}"`).join(', ')}.`);
}

function parseBackendConfig(context: Record<string, unknown>, env: NodeJS.ProcessEnv): SynthOptions['backendConfig'] {
  const { envVar } = OPTION_SOURCES.backendConfig;
  const [given, where] = raw('backendConfig', context, env);
  // The environment variable, where set, overrides what the context gives.
  let value = given;
  if (env[envVar]) {
    try {
      value = JSON.parse(env[envVar] as string);
    } catch {
      throw new SynthOptionError(`${envVar} is not JSON: give an object such as {"bucket":"my-state","key":"gitlab-oidc.tfstate"}.`);
    }
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SynthOptionError(`backendConfig (from ${where}) must be an object of backend settings, e.g. {"bucket":"my-state"}.`);
  }
  const config: Record<string, string | boolean | number> = {};
  for (const [key, setting] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_SETTING.test(key)) {
      throw new SynthOptionError(
        `backendConfig.${key} (from ${where}) looks like a credential, which would be written into the synthesized Terraform: ` +
          'remove it and supply it at run time instead (AWS_* variables for s3, TF_HTTP_PASSWORD for http).',
      );
    }
    if (!['string', 'boolean', 'number'].includes(typeof setting)) {
      throw new SynthOptionError(`backendConfig.${key} (from ${where}) must be a string, number or boolean.`);
    }
    config[key] = setting as string | boolean | number;
  }
  return config;
}

function parseBoolean(name: keyof typeof OPTION_SOURCES, context: Record<string, unknown>, env: NodeJS.ProcessEnv): boolean {
  const [value, where] = raw(name, context, env);
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new SynthOptionError(`${name} ${JSON.stringify(value)} (from ${where}): use true or false.`);
}

/** Context keys that cdktf itself sets or reads (the CLI adds cdktfRelativeModules). */
const CDKTF_CONTEXT_KEY = /^(cdktf[A-Z]|@cdktf\/)|^(excludeStackIdFromLogicalIds|allowSepCharsInLogicalIds)$/;

/** Edit distance between two names, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

const nearest = (name: string, known: readonly string[]) => [...known].sort((x, y) => distance(name, x) - distance(name, y))[0];

/**
 * Refuses a cdktf.json context key or a GITLAB_OIDC_* environment variable that no option
 * reads: a misspelt option would otherwise be ignored and its default used.
 * @param contextKeys every key of the context cdktf passes (CDKTF_CONTEXT_JSON)
 */
export function checkOptionNames(contextKeys: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const sources = Object.values(OPTION_SOURCES);
  const removed = Object.entries(REMOVED_OPTIONS);
  const knownKeys: string[] = [...sources.map((o) => o.contextKey), ...removed.map(([key]) => key)];
  const knownVars: string[] = [...sources.map((o) => o.envVar), ...removed.map(([, o]) => o.envVar)];
  for (const key of contextKeys) {
    if (knownKeys.includes(key) || CDKTF_CONTEXT_KEY.test(key)) continue;
    throw new SynthOptionError(
      `Unknown option "${key}" in the cdktf.json context: did you mean "${nearest(key, knownKeys.slice(0, sources.length))}"? ` +
        `The options are ${sources.map((o) => o.contextKey).join(', ')}.`,
    );
  }
  for (const name of Object.keys(env).filter((n) => n.startsWith('GITLAB_OIDC_'))) {
    if (knownVars.includes(name)) continue;
    throw new SynthOptionError(
      `Unknown environment variable ${name}: did you mean ${nearest(name, knownVars.slice(0, sources.length))}? ` +
        `The options' variables are ${sources.map((o) => o.envVar).join(', ')}.`,
    );
  }
}

/**
 * Refuses a backendConfig key the chosen backend does not take, naming the backend that does
 * (and where to choose it: the environment variable when that set the backend, else cdktf.json)
 * or the nearest setting.
 */
function checkBackendSettings(backend: Exclude<BackendType, 'none'>, keys: string[], env: NodeJS.ProcessEnv): void {
  const settings = (type: keyof typeof BACKEND_SETTINGS): readonly string[] => BACKEND_SETTINGS[type];
  const { envVar } = OPTION_SOURCES.backend;
  for (const key of keys) {
    if (settings(backend).includes(key)) continue;
    const owner = (Object.keys(BACKEND_SETTINGS) as (keyof typeof BACKEND_SETTINGS)[]).find((type) => settings(type).includes(key));
    const choose = env[envVar] ? `set ${envVar}=${owner}` : `set "backend": "${owner}" in the cdktf.json context`;
    const fix = owner
      ? `it is a setting of the "${owner}" backend: ${choose}, or remove it`
      : `did you mean "${nearest(key, settings(backend))}"? Otherwise remove it, or give it at terraform init: -backend-config="${key}=…"`;
    throw new SynthOptionError(`backendConfig.${key} is not a setting of the "${backend}" backend: ${fix}.`);
  }
}

/**
 * Reads the options from a cdktf context lookup and the environment.
 * @throws SynthOptionError for an unknown value or a secret in the backend settings
 */
export function readSynthOptions(context: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): SynthOptions {
  for (const [key, { envVar, instead }] of Object.entries(REMOVED_OPTIONS)) {
    const where = env[envVar] ? `environment variable ${envVar}` : context[key] !== undefined && context[key] !== null ? `cdktf.json context "${key}"` : undefined;
    if (where) throw new SynthOptionError(`${key} (from ${where}) was removed: ${instead}. Remove it.`);
  }
  const backend = pick('backend', BACKEND_TYPES, context, env, 'local');
  const backendConfig = parseBackendConfig(context, env);
  if (backend === 'none' && Object.keys(backendConfig).length > 0) {
    throw new SynthOptionError('backendConfig is set but backend is "none": choose a backend ("local", "s3", "http") or remove backendConfig.');
  }
  if (backend !== 'none') checkBackendSettings(backend, Object.keys(backendConfig), env);
  return {
    thumbprintSource: pick('thumbprintSource', THUMBPRINT_SOURCES, context, env, 'tls'),
    backend,
    backendConfig,
    manageGitlabVariables: parseBoolean('manageGitlabVariables', context, env),
  };
}
