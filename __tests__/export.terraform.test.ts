import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, tempDir } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tf, validation } from './helpers/terraform';
import { EXPORTED_FILES } from '../src/app/export/terraform-folder';

/** Runs `npm run export`'s program with the given arguments (offline: no tls provider). */
function runExport(...args: string[]) {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'scripts', 'export.js'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, GITLAB_OIDC_THUMBPRINT_SOURCE: 'none' },
  });
}

function exported(asModule: boolean): string {
  const dir = path.join(tempDir('export'), 'out');
  const r = runExport(dir, ...(asModule ? ['--as-module'] : []));
  if (r.status !== 0) throw new Error(r.stderr);
  return dir;
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

// terraform fmt writes main.tf: a Terraform-level test.
describeWithTerraform('npm run export', () => {
  test('writes the configuration, the example tfvars and a README, without cdktf metadata', () => {
    const dir = exported(false);
    expect(fs.readdirSync(dir).sort()).toEqual([...EXPORTED_FILES].sort());
    const main = read(dir, 'main.tf');
    // The project's own name (in the CI snippets' header) is not cdktf noise.
    for (const noise of ['"//"', 'metadata', 'uniqueId', 'cdktf']) expect(main.replace(/gitlab-aws-oidc-cdktf/g, '')).not.toContain(noise);
    expect(main).toContain('provider "aws" {');
    expect(main).toContain('backend "local" {}');
  });

  test('the README tables list every variable and output of main.tf, with defaults and validations in words', () => {
    const dir = exported(false);
    const main = read(dir, 'main.tf');
    const readme = read(dir, 'README.md');
    for (const [, name] of main.matchAll(/^variable "([^"]+)"/gm)) expect(readme).toContain(`| \`${name}\` |`);
    for (const [, name] of main.matchAll(/^output "([^"]+)"/gm)) expect(readme).toContain(`| \`${name}\` |`);
    expect(readme).toMatch(/\| `roles` \| `map\(object\(\{ subjects .*\}\)\)` \| `\{\}` \|/);
    expect(readme).toContain('| `existing_provider_arn` | `string` | `null` |');
    // Each rule as its fix, with no placeholder for the value it would report.
    expect(readme).toContain("| aws_region: use an AWS region code such as 'ap-south-1' or 'eu-west-1'. |");
    expect(readme).toContain('role names in roles: use 1 to 64 letters');
    expect(readme).not.toMatch(/&lt;value&gt;|<value>|\$\{/);
    for (const name of ['mygitlab_match_value', 'roles', 'existing_provider_arn']) {
      expect(
        readme
          .split('\n')
          .find((line) => line.startsWith(`| \`${name}\` |`))!
          .split(' | ')
          .pop()!.length,
      ).toBeGreaterThan(20);
    }
    expect(readme).not.toContain('${');
  });

  test('--as-module leaves out provider and backend blocks; aws_region stays as the optional region of the CI snippets', () => {
    const main = read(exported(true), 'main.tf');
    expect(main).not.toMatch(/^provider "/m);
    expect(main).not.toContain('backend "');
    expect(main).toMatch(/variable "aws_region" \{\n {2}description = "The AWS_DEFAULT_REGION the CI snippets set[^\n]*\n {2}type {8}= string\n {2}default {5}= null\n/);
    expect(main).toContain('var.aws_region == null ? {} : { AWS_DEFAULT_REGION = var.aws_region }');
    expect(main).toContain('required_providers {');
  });

  test('refuses a non-empty folder, naming it and the fix, and leaves it as it was', () => {
    const dir = tempDir('export-busy');
    fs.writeFileSync(path.join(dir, 'keep.tf'), '# mine\n');
    const r = runExport(dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`export: ${dir} is not empty (keep.tf): export into an empty folder, or pass --force`);
    expect(fs.readdirSync(dir)).toEqual(['keep.tf']);
  });

  test('--force overwrites only its own files and deletes nothing', () => {
    const dir = tempDir('export-force');
    fs.writeFileSync(path.join(dir, 'keep.tf'), '# mine\n');
    fs.writeFileSync(path.join(dir, 'main.tf'), '# stale\n');
    const r = runExport(dir, '--force');
    expect(r.status).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['README.md', 'keep.tf', 'main.tf', 'terraform.tfvars.example']);
    expect(read(dir, 'keep.tf')).toBe('# mine\n');
    expect(read(dir, 'main.tf')).toContain('resource "aws_iam_role" "gitlab_ci"');
  });

  test('an unknown option is refused with the usage', () => {
    const r = runExport(tempDir('export-usage'), '--module');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('export: unknown option --module');
    expect(r.stderr).toContain('usage: npm run export -- <dir> [--as-module] [--force]');
  });

  test('two exports of the same inputs are byte-identical', () => {
    for (const asModule of [false, true]) {
      const [a, b] = [exported(asModule), exported(asModule)];
      for (const file of EXPORTED_FILES) expect(read(a, file)).toBe(read(b, file));
    }
  });
});

describeWithTerraform('the exported folders with real terraform', () => {
  test("the root folder is fmt-clean, validates, plans with its example tfvars and passes the article's mocked terraform test", () => {
    const dir = exported(false);
    fs.writeFileSync(path.join(dir, 'offline_override.tf.json'), OFFLINE_AWS_OVERRIDE);
    expect(tf(dir, ['fmt', '-check']).status).toBe(0);
    init(dir);
    expect(validation(tf(dir, ['validate', '-json']))).toEqual({ valid: true, problems: [] });
    const r = tf(dir, ['plan', '-refresh=false', '-var-file=terraform.tfvars.example']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    fs.mkdirSync(path.join(dir, 'tests'));
    fs.copyFileSync(path.join(__dirname, 'terraform', 'article.tftest.hcl'), path.join(dir, 'tests', 'article.tftest.hcl'));
    const t = tf(dir, ['test', '-var-file=terraform.tfvars.example']);
    expect(t.output).toContain('2 passed, 0 failed');
  });

  test('a root configuration calling the module with the article values validates and passes a mocked terraform test', () => {
    const caller = tempDir('caller');
    fs.cpSync(exported(true), path.join(caller, 'module'), { recursive: true });
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'module-caller', 'main.tf'), path.join(caller, 'main.tf'));
    fs.mkdirSync(path.join(caller, 'tests'));
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'module-caller', 'module.tftest.hcl'), path.join(caller, 'tests', 'module.tftest.hcl'));
    init(caller);
    expect(validation(tf(caller, ['validate', '-json']))).toEqual({ valid: true, problems: [] });
    const r = tf(caller, ['test']);
    expect(r.output).toContain('1 passed, 0 failed');
    expect(r.status).toBe(0);
  });
});
