import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthStack, tempDir } from './helpers/synth';
import { TERRAFORM, commandSetup, describeWithTerraform, init, terraformEnv, tf, validation, workdir } from './helpers/terraform';
import { PLAN_REATTACH_VARIABLE, REATTACH_VARIABLE, SCHEMA_CACHE_COUNTS, SCHEMA_TYPES, pidOf } from './setup/provider-server';

/**
 * Runs `body` with `pool` as this test process's plan providers, then gives back the run's:
 * only this jest worker sees the change, and its tests here run one at a time.
 */
function withPlanProviders(pool: string[], body: () => void): void {
  const run = process.env[PLAN_REATTACH_VARIABLE];
  process.env[PLAN_REATTACH_VARIABLE] = JSON.stringify(pool);
  try {
    body();
  } finally {
    // Assigning undefined would store the text "undefined".
    if (run === undefined) delete process.env[PLAN_REATTACH_VARIABLE];
    else process.env[PLAN_REATTACH_VARIABLE] = run;
  }
}

describeWithTerraform('terraform validate and fmt on the synthesized output', () => {
  test.each([
    ['cdk.tf.json', false],
    ['cdk.tf', true],
  ])('%s (thumbprintSource none) passes terraform validate', (_file, hcl) => {
    const { file } = synthStack({ thumbprintSource: 'none' }, { hcl });
    const dir = workdir(file);
    init(dir);
    const r = tf(dir, ['validate', '-json']);
    expect(validation(r)).toEqual({ valid: true, problems: [] });
    expect(r.status).toBe(0);
  });

  test.each(['none', 'tls'])('cdk.tf (thumbprintSource %s) is already terraform-fmt formatted', (thumbprintSource) => {
    const { dir } = synthStack({ thumbprintSource }, { hcl: true });
    const r = tf(dir, ['fmt', '-check', '-diff']);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  test("the test helper removes Terraform's dev_overrides warning, and only that, from what it returns", () => {
    const dir = tempDir('overrides');
    fs.writeFileSync(path.join(dir, 'main.tf'), 'output "x" {\n  value = 1\n}\n');
    const { env, loadEnv } = terraformEnv();
    const raw = spawnSync(TERRAFORM, ['plan', '-no-color'], { cwd: dir, env: loadEnv, encoding: 'utf8' });
    // Where the mirror's providers are loaded through dev_overrides, Terraform warns on every command.
    if (loadEnv !== env) expect(raw.stdout).toContain('Warning: Provider development overrides are in effect');
    // A plan that finds no plan provider free loads the binaries through the overrides.
    withPlanProviders([], () => {
      const r = tf(dir, ['plan']);
      expect(r.output).not.toContain('development overrides');
      expect(r.stdout).toContain('Changes to Outputs:');
      expect(r.status).toBe(0);
    });
  });

  test("through the schema cache, terraform reads the aws provider's own schema of every listed type, and no other type, answered from memory after the first time", () => {
    const dir = workdir(synthStack({ thumbprintSource: 'none' }).file);
    init(dir);
    const { loadEnv } = terraformEnv();
    const schema = (env: NodeJS.ProcessEnv) => {
      const r = spawnSync(TERRAFORM, ['providers', 'schema', '-json'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { provider_schemas: Record<string, Record<string, Record<string, unknown>>> };
    };
    const countsFile = path.join(process.env.TEST_RUN_TMPDIR!, SCHEMA_CACHE_COUNTS);
    const fromMemory = () =>
      fs.existsSync(countsFile)
        ? Object.values(JSON.parse(fs.readFileSync(countsFile, 'utf8')) as Record<string, { fromMemory: number }>).reduce((n, c) => n + c.fromMemory, 0)
        : 0;

    // The provider's own process (dev_overrides), then twice through the shared provider's cache.
    const own = schema(loadEnv);
    const before = fromMemory();
    const cached = [1, 2].map(() => schema({ ...loadEnv, TF_REATTACH_PROVIDERS: process.env[REATTACH_VARIABLE] }));
    // The provider's answer with the unlisted types left out, and nothing else changed.
    const aws = own.provider_schemas['registry.terraform.io/hashicorp/aws'];
    const listed = (types: Record<string, unknown>) => Object.fromEntries(Object.entries(types).filter(([type]) => SCHEMA_TYPES.includes(type)));
    const expected = {
      ...own,
      provider_schemas: {
        ...own.provider_schemas,
        'registry.terraform.io/hashicorp/aws': { ...aws, resource_schemas: listed(aws.resource_schemas), data_source_schemas: listed(aws.data_source_schemas) },
      },
    };
    expect(cached).toEqual([expected, expected]);
    // Every listed type is one the provider has: a misspelt type would keep nothing.
    expect(SCHEMA_TYPES.filter((type) => !(type in aws.resource_schemas) && !(type in aws.data_source_schemas))).toEqual([]);
    expect(Object.keys(aws.resource_schemas).length).toBeGreaterThan(1000);
    // The second call at least found the first one's answer.
    expect(fromMemory()).toBeGreaterThan(before);
  });

  test('terraform test, show and validate attach to the run\'s shared aws provider; plan leases a plan provider while one is free; init and a test file without mock_provider "aws" start their own', () => {
    const dir = tempDir('attach');
    fs.mkdirSync(path.join(dir, 'tests'));
    fs.writeFileSync(path.join(dir, 'tests', 'mocked.tftest.hcl'), 'mock_provider "aws" {}\n');
    const provider = (command: string, args: string[] = []) => {
      const setup = commandSetup(dir, command, args);
      setup.release();
      return setup.env.TF_REATTACH_PROVIDERS;
    };
    // The shared provider runs, and its reattach setting names it.
    const shared = process.env[REATTACH_VARIABLE];
    expect(process.kill(pidOf(shared!), 0)).toBe(true);
    expect(['test', 'show', 'validate', 'init', 'console'].map((c) => provider(c) === shared)).toEqual([true, true, true, false, false]);
    expect([provider('init'), provider('console')]).toEqual([undefined, undefined]);
    fs.writeFileSync(path.join(dir, 'tests', 'real.tftest.hcl'), 'run "x" {\n  command = plan\n}\n');
    expect(provider('test')).toBeUndefined();
    expect(provider('test', ['-test-directory=none'])).toBe(shared);

    // The plan providers run, none of them the shared one.
    const plans: string[] = JSON.parse(process.env[PLAN_REATTACH_VARIABLE] ?? '[]');
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.map((p) => process.kill(pidOf(p), 0))).toEqual(plans.map(() => true));
    expect(new Set([shared, ...plans]).size).toBe(plans.length + 1);

    // Leasing, on a pool of this test's own (other test files lease the run's at the same time):
    // plans held at once get different providers; with every one leased, a plan starts its own;
    // a released provider serves the next plan.
    const pool = [1, 2].map((n) => `{"stand-in":"plan provider ${n} of test process ${process.pid}"}`);
    withPlanProviders(pool, () => {
      const held = [commandSetup(dir, 'plan', []), commandSetup(dir, 'plan', [])];
      try {
        expect(held.map((h) => h.env.TF_REATTACH_PROVIDERS).sort()).toEqual(pool);
        expect(provider('plan')).toBeUndefined();
        held[1].release();
        expect(provider('plan')).toBe(held[1].env.TF_REATTACH_PROVIDERS);
      } finally {
        held.forEach((h) => h.release());
      }
    });
  });
});
