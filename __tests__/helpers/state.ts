import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { synthStack } from './synth';
import { OFFLINE_AWS_OVERRIDE, init, tfOk, workdir } from './terraform';

/**
 * Derives a Terraform state from a configuration's own plan, as if it had been applied:
 * planned values at their addresses, computed attributes filled in with what AWS returns.
 * Planning again against the state resolves values that depended on computed ones
 * (the trust policy needs the provider's ARN), until the plan is empty.
 */

const ACCOUNT = '123456789012';
/** What AWS appends to a role's name_prefix. */
const ROLE_NAME_SUFFIX = '20260101000000000000000001';

/** Values AWS would return for computed attributes, by resource type. */
function computedValue(type: string, attribute: string, after: Record<string, unknown>): unknown {
  const issuerHost = String(after.url ?? '')
    .replace(/^https:\/\//, '')
    .replace(/\/$/, '');
  // A role named in its configuration keeps that name; one named from a prefix gets AWS's suffix.
  const roleName = typeof after.name === 'string' ? after.name : `${after.name_prefix ?? ''}${ROLE_NAME_SUFFIX}`;
  const fills: Record<string, Record<string, unknown>> = {
    aws_iam_openid_connect_provider: {
      arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuerHost}`,
      id: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuerHost}`,
      tags_all: {},
      // IAM computes a thumbprint when none is given.
      thumbprint_list: ['0123456789abcdef0123456789abcdef01234567'],
    },
    aws_iam_role: {
      arn: `arn:aws:iam::${ACCOUNT}:role${after.path ?? '/'}${roleName}`,
      id: roleName,
      name: roleName,
      unique_id: 'AROAFAKEFAKEFAKEFAKE1',
      create_date: '2026-01-01T00:00:00Z',
      tags_all: {},
      assume_role_policy: '{}',
      inline_policy: [],
      managed_policy_arns: [],
    },
    aws_iam_role_policy_attachment: {
      id: `${after.role}-20260101000000000000000002`,
    },
  };
  return fills[type]?.[attribute] ?? null;
}

/** What AWS stores differs from the input here: the provider URL comes back without its scheme. */
function asAwsStoresIt(type: string, attributes: Record<string, unknown>): Record<string, unknown> {
  if (type === 'aws_iam_openid_connect_provider' && typeof attributes.url === 'string') {
    return { ...attributes, url: attributes.url.replace(/^https:\/\//, '') };
  }
  return attributes;
}

export interface ResourceChange {
  address: string;
  /** Set when a moved block carries the object over from another address. */
  previous_address?: string;
  mode: string;
  type: string;
  name: string;
  index?: string | number;
  provider_name: string;
  change: { actions: string[]; before: Record<string, unknown> | null; after: Record<string, unknown> | null; after_unknown: Record<string, unknown> };
}

function writeState(dir: string, changes: ResourceChange[], previous: Map<string, Record<string, unknown>>): void {
  for (const rc of changes) {
    if (rc.mode !== 'managed' || !rc.change.after) continue;
    const attributes = { ...rc.change.after };
    for (const [key, unknown] of Object.entries(rc.change.after_unknown ?? {})) {
      if (unknown === true) attributes[key] = previous.get(rc.address)?.[key] ?? computedValue(rc.type, key, attributes);
    }
    previous.set(rc.address, asAwsStoresIt(rc.type, attributes));
  }
  const byResource = new Map<string, { rc: ResourceChange; instances: unknown[] }>();
  for (const rc of changes.filter((c) => c.mode === 'managed')) {
    const key = `${rc.type}.${rc.name}`;
    if (!byResource.has(key)) byResource.set(key, { rc, instances: [] });
    const attributes = previous.get(rc.address);
    if (!attributes) continue;
    byResource.get(key)!.instances.push({
      ...(rc.index !== undefined ? { index_key: rc.index } : {}),
      schema_version: 0,
      attributes,
      sensitive_attributes: [],
    });
  }
  const state = {
    version: 4,
    terraform_version: '1.11.4',
    serial: previous.size,
    lineage: '5f2a4b1c-0000-4000-8000-000000000000',
    outputs: {},
    resources: [...byResource.values()].map(({ rc, instances }) => ({
      mode: 'managed',
      type: rc.type,
      name: rc.name,
      provider: `provider["${rc.provider_name}"]`,
      instances,
    })),
    check_results: null,
  };
  fs.writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify(state, null, 2));
}

/** Plans `dir` (already initialised) and returns its resource changes. */
export function planChanges(dir: string, extraArgs: string[] = []): ResourceChange[] {
  tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-out=plan.bin', ...extraArgs]);
  const plan = JSON.parse(tfOk(dir, ['show', '-json', 'plan.bin']).stdout);
  return plan.resource_changes ?? [];
}

/**
 * Whether a plan of `dir` (already initialised) changes no resource: the counts of
 * `terraform plan -json` (outputs, which the derived state leaves out, do not count).
 */
export function planIsEmpty(dir: string, extraArgs: string[] = []): boolean {
  const lines = tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-json', ...extraArgs]).stdout.split('\n');
  const summary = lines
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'change_summary');
  if (!summary) throw new Error(`terraform plan -json gave no change summary in ${dir}`);
  const { add, change, remove } = summary.changes;
  return add === 0 && change === 0 && remove === 0;
}

/** Where a state derived from a configuration is kept, named by a hash of the configuration and its tfvars. */
const DERIVED_STATES = path.join(__dirname, '..', 'fixtures', 'derived-states');

function derivedStateFile(dir: string): string {
  const hash = createHash('sha256');
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => /\.(tf|tf\.json|tfvars)$/.test(f))
    .sort()) {
    hash.update(`${name}\0${fs.readFileSync(path.join(dir, name), 'utf8')}\0`);
  }
  return path.join(DERIVED_STATES, `${hash.digest('hex').slice(0, 16)}.tfstate`);
}

/**
 * Writes `terraform.tfstate` in `dir` as if its configuration had been applied; returns the
 * state's path only once a plan of the configuration changes no resource against it.
 * Deriving takes three plans and three `terraform show -json`, so a state
 * derived before from the same files is kept in __tests__/fixtures/derived-states and reused
 * when its configuration still plans no change against it; otherwise it is derived afresh
 * (and kept, outside CI, like a jest snapshot).
 */
export function deriveAppliedState(dir: string): string {
  const statePath = path.join(dir, 'terraform.tfstate');
  const kept = derivedStateFile(dir);
  if (fs.existsSync(kept)) {
    fs.copyFileSync(kept, statePath);
    if (planIsEmpty(dir)) return statePath;
    fs.rmSync(statePath);
  }
  const values = new Map<string, Record<string, unknown>>();
  for (let round = 0; round < 4; round++) {
    const changes = planChanges(dir);
    if (changes.every((c) => c.change.actions.every((a) => a === 'no-op' || a === 'read'))) {
      if (process.env.CI !== 'true') {
        fs.mkdirSync(DERIVED_STATES, { recursive: true });
        // Copied whole, then renamed into place: another test file may read the same state meanwhile.
        const partial = `${kept}.${process.pid}.partial`;
        fs.copyFileSync(statePath, partial);
        fs.renameSync(partial, kept);
      }
      return statePath;
    }
    writeState(dir, changes, values);
  }
  throw new Error(`state of ${dir} did not settle after 4 plans`);
}

/**
 * Synthesizes today's stack into a working directory with `state` as its terraform.tfstate
 * and `files` beside it (tfvars, adopt.tf), initialises it and plans it.
 */
export function planStackOverState(state: string, files: Record<string, string>): { changes: ResourceChange[]; dir: string } {
  const { file } = synthStack({ thumbprintSource: 'none' });
  const dir = workdir(file, { ...files, 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE });
  fs.copyFileSync(state, path.join(dir, 'terraform.tfstate'));
  init(dir);
  return { changes: planChanges(dir), dir };
}

/** The attributes whose value a change alters. */
export function changedAttributes(change: ResourceChange['change']): string[] {
  return Object.keys(change.after ?? {}).filter((k) => JSON.stringify(change.before?.[k]) !== JSON.stringify(change.after?.[k]));
}
