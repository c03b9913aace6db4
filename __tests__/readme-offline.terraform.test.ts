import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, tempDir } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, terraformEnv } from './helpers/terraform';
import { findPluginMirror } from '../tools/terraform-offline';

/** The sh block of the README that follows the comment naming this test, as written. */
function readmeBlock(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf('run as written by __tests__/readme-offline.terraform.test.ts');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (marker < 0 || !block) throw new Error('README has no block marked for readme-offline.terraform.test.ts');
  return block[1];
}

/** A project folder as a fresh clone has it after npm ci: the sources, cdktf.json, the example tfvars, node_modules. */
function freshProject(): string {
  const dir = tempDir('readme-offline');
  for (const file of ['cdktf.json', 'package.json', 'terraform.tfvars.example']) fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
  for (const link of ['main.ts', 'src', 'tools', 'node_modules']) fs.symlinkSync(path.join(REPO_ROOT, link), path.join(dir, link));
  return dir;
}

describeWithTerraform('README, "Offline and air-gapped use"', () => {
  test('its commands run as written: cdktf diff plans from the mirror, with no registry and no tls provider', () => {
    const project = freshProject();
    // The test's stand-in for AWS credentials: fake keys (offlineEnv) and the provider's skip settings.
    const stack = path.join(project, 'cdktf.out', 'stacks', 'gitlab-oidc');
    fs.mkdirSync(stack, { recursive: true });
    fs.writeFileSync(path.join(stack, 'offline_override.tf.json'), OFFLINE_AWS_OVERRIDE);
    const env: NodeJS.ProcessEnv = { ...terraformEnv().env, MIRROR: findPluginMirror() ?? '', CI: 'true' };
    delete env.TF_CLI_CONFIG_FILE;

    // HOME is the test's own, so that no cache outside the test folder is read or written.
    env.HOME = tempDir('home');
    const diff = () => spawnSync('bash', ['-e', '-c', readmeBlock()], { cwd: project, encoding: 'utf8', env });
    // Twice: the second run finds the first one's output, .terraform and tfvars in place.
    expect(diff().status).toBe(0);
    const r = diff();
    expect({ status: r.status, stderr: r.stderr, out: r.status ? r.stdout : '' }).toEqual({ status: 0, stderr: '', out: '' });
    // cdktf prefixes terraform's lines with the stack name and keeps its colours.
    // eslint-disable-next-line no-control-regex -- strips the terminal's colour codes (ESC) from output
    expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(fs.readFileSync(path.join(project, 'terraform.tfvars'), 'utf8')).toBe(fs.readFileSync(path.join(project, 'terraform.tfvars.example'), 'utf8'));
    expect(JSON.parse(fs.readFileSync(path.join(stack, 'cdk.tf.json'), 'utf8')).data?.tls_certificate).toBeUndefined();
    expect(fs.readdirSync(stack)).toContain('offline_override.tf.json');
  });
});
