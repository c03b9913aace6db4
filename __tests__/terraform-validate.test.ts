import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthStack, tempDir } from './helpers/synth';
import { TERRAFORM, commandEnv, describeWithTerraform, init, terraformEnv, tf, validation, workdir } from './helpers/terraform';
import { REATTACH_VARIABLE } from './setup/provider-server';

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

  test('the test helper removes Terraform\'s dev_overrides warning, and only that, from what it returns', () => {
    const dir = tempDir('overrides');
    fs.writeFileSync(path.join(dir, 'main.tf'), 'output "x" {\n  value = 1\n}\n');
    const { env, loadEnv } = terraformEnv();
    const raw = spawnSync(TERRAFORM, ['plan', '-no-color'], { cwd: dir, env: loadEnv, encoding: 'utf8' });
    // Where the mirror's providers are loaded through dev_overrides, Terraform warns on every command.
    if (loadEnv !== env) expect(raw.stdout).toContain('Warning: Provider development overrides are in effect');
    const r = tf(dir, ['plan']);
    expect(r.output).not.toContain('development overrides');
    expect(r.stdout).toContain('Changes to Outputs:');
    expect(r.status).toBe(0);
  });

  test('terraform test, show and validate attach to the run\'s one aws provider; plan, init and a test file without mock_provider "aws" start their own', () => {
    const dir = tempDir('attach');
    fs.mkdirSync(path.join(dir, 'tests'));
    fs.writeFileSync(path.join(dir, 'tests', 'mocked.tftest.hcl'), 'mock_provider "aws" {}\n');
    const attached = (command: string, args: string[] = []) => commandEnv(dir, command, args).env.TF_REATTACH_PROVIDERS !== undefined;
    // The provider runs, and its reattach setting names it.
    const pid = JSON.parse(process.env[REATTACH_VARIABLE] ?? '{}')['registry.terraform.io/hashicorp/aws']?.Pid;
    expect(process.kill(pid, 0)).toBe(true);
    expect(['test', 'show', 'validate', 'plan', 'init', 'console'].filter((c) => attached(c))).toEqual(['test', 'show', 'validate']);
    fs.writeFileSync(path.join(dir, 'tests', 'real.tftest.hcl'), 'run "x" {\n  command = plan\n}\n');
    expect(attached('test')).toBe(false);
    expect(attached('test', ['-test-directory=none'])).toBe(true);
  });
});

