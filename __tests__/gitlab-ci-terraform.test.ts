import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { readSynthOptions } from '../src/config/synth-options';
import { ciRoles, writeCiSnippets } from '../src/gitlab-ci/ci-snippets';
import { exactProjects } from '../src/gitlab-ci/role-arn-variable';
import { parseTfvars } from '../src/gitlab-ci/tfvars-parser';
import { GitlabOidcStack } from '../src/stacks/gitlab-oidc-stack';
import { EXAMPLE_TFVARS, REPO_ROOT, tempDir } from './helpers/synth';
import { describeWithTerraform, init, tf } from './helpers/terraform';

/* eslint-disable @typescript-eslint/no-explicit-any */

const FLEET_TFVARS = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'fleet.tfvars'), 'utf8');
const VARS = { ...parseTfvars(EXAMPLE_TFVARS), ...parseTfvars(FLEET_TFVARS) };

const synth = (manageGitlabVariables: boolean): any =>
  JSON.parse(Testing.synth(new GitlabOidcStack(Testing.app(), 's', readSynthOptions({ thumbprintSource: 'none', manageGitlabVariables }, {}))));

describe('synth with and without the GitLab option', () => {
  test('off (default): no gitlab provider, requirement or resource', () => {
    const tf = synth(false);
    expect(tf.provider.gitlab).toBeUndefined();
    expect(tf.terraform.required_providers.gitlab).toBeUndefined();
    expect(JSON.stringify(tf)).not.toContain('gitlab_project_variable');
  });

  test('on: the gitlab provider at the instance API, and one ROLE_ARN variable per role and trusted project', () => {
    const tf = synth(true);
    expect(tf.provider.gitlab).toEqual([{ base_url: '${trimsuffix(var.mygitlab, "/")}/api/v4/' }]);
    expect(tf.terraform.required_providers.gitlab).toEqual({ source: 'gitlabhq/gitlab', version: '>= 17.0.0, < 19.0.0' });
    expect(tf.resource.gitlab_project_variable.role_arn).toMatchObject({
      for_each: '${local.gitlab_role_arn_variables}',
      key: '${each.value.key}',
      value: '${each.value.arn}',
      protected: '${each.value.protected}',
      masked: false,
    });
  });
});

describeWithTerraform('the GitLab side agrees with the trust, as Terraform evaluates it (mocked apply of the fleet)', () => {
  test('each snippet\'s aud is one the role\'s trust policy checks, and each CI/CD variable is named and scoped as the snippet expects', () => {
    const snippetDir = tempDir('snippets');
    writeCiSnippets(snippetDir, VARS, undefined);
    const roles = ciRoles(VARS);

    // The gitlab provider is not installable offline: keep its inputs (the locals), drop the provider and resource.
    const config = synth(true);
    delete config.provider.gitlab;
    delete config.terraform.required_providers.gitlab;
    delete config.resource.gitlab_project_variable;
    config.output.gitlab_targets = { value: '${local.gitlab_role_arn_variables}' };

    const asserts: string[] = [];
    for (const role of roles) {
      const aud = parse(fs.readFileSync(path.join(snippetDir, `aws-oidc-${role.slug}.gitlab-ci.yml`), 'utf8'))[`.aws-oidc-${role.slug}`].id_tokens.AWS_ID_TOKEN.aud;
      const address = role.slug === 'gitlab-ci' ? 'aws_iam_role.gitlab_ci[0]' : `aws_iam_role.fleet["${role.slug}"]`;
      asserts.push(
        `assert {\n  condition = contains(jsondecode(${address}.assume_role_policy).Statement[0].Condition.StringEquals["gitlab.com:aud"], ${JSON.stringify(aud)})\n  error_message = "${role.slug}: the snippet's aud is not in the trust policy"\n}`,
      );
      for (const project of exactProjects(role.subjects)) {
        const key = `${role.slug === 'gitlab-ci' ? 'gitlab_ci' : role.slug}/${project}`;
        asserts.push(
          `assert {\n  condition = output.gitlab_targets[${JSON.stringify(key)}].key == ${JSON.stringify(role.arnVariable)} && output.gitlab_targets[${JSON.stringify(key)}].protected == ${role.protectedRefsOnly}\n  error_message = "${key}: \${jsonencode(output.gitlab_targets[${JSON.stringify(key)}])}"\n}`,
        );
      }
    }
    const expectedTargets = roles.reduce((n, r) => n + exactProjects(r.subjects).length, 0);
    asserts.push(`assert {\n  condition = length(output.gitlab_targets) == ${expectedTargets}\n  error_message = "targets: \${jsonencode(keys(output.gitlab_targets))}"\n}`);

    const dir = tempDir('gitlab-side');
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config));
    fs.writeFileSync(path.join(dir, 'terraform.tfvars'), EXAMPLE_TFVARS);
    fs.writeFileSync(path.join(dir, 'fleet.tfvars'), FLEET_TFVARS);
    fs.mkdirSync(path.join(dir, 'tests'));
    fs.writeFileSync(
      path.join(dir, 'tests', 'gitlab.tftest.hcl'),
      `mock_provider "aws" {}\n\nrun "gitlab_side" {\n  command = apply\n\n${asserts.join('\n\n')}\n}\n`,
    );
    init(dir);
    const r = tf(dir, ['test', '-var-file=fleet.tfvars']);
    expect(r.output).toContain('1 passed, 0 failed');
    expect(r.status).toBe(0);
    expect(expectedTargets).toBe(11);
  });
});
