import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { readSynthOptions } from '../src/config/synth-options';
import { GitlabOidcStack } from '../src/stacks/gitlab-oidc-stack';
import { EXAMPLE_TFVARS, REPO_ROOT, tempDir } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tfOk } from './helpers/terraform';

/* eslint-disable @typescript-eslint/no-explicit-any */

const FLEET_TFVARS = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'fleet.tfvars'), 'utf8');

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

describeWithTerraform('the CI/CD variables are the ones the snippets read, from the same role map (plan of the fleet)', () => {
  test('one variable per role and project its subjects name exactly, keyed as its snippet reads it, protected when its trust is', () => {
    // The gitlab provider is not installable offline: keep its inputs (the locals), drop the provider and resource.
    const config = synth(true);
    delete config.provider.gitlab;
    delete config.terraform.required_providers.gitlab;
    delete config.resource.gitlab_project_variable;
    // The ARNs are not known before apply; the rest of each target is.
    config.output.gitlab_targets = { value: '${{ for k, v in local.gitlab_role_arn_variables : k => { project = v.project, key = v.key, protected = v.protected } }}' };

    const dir = tempDir('gitlab-side');
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config));
    fs.writeFileSync(path.join(dir, 'offline_override.tf.json'), OFFLINE_AWS_OVERRIDE);
    fs.writeFileSync(path.join(dir, 'terraform.tfvars'), EXAMPLE_TFVARS);
    fs.writeFileSync(path.join(dir, 'fleet.tfvars'), FLEET_TFVARS);
    init(dir);
    tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-var-file=fleet.tfvars', '-out=plan.bin']);
    const outputs = JSON.parse(tfOk(dir, ['show', '-json', 'plan.bin']).stdout).planned_values.outputs;
    const targets = outputs.gitlab_targets.value as Record<string, { project: string; key: string; protected: boolean }>;
    const snippets = outputs.gitlab_ci_snippets.value as Record<string, string>;

    for (const [target, variable] of Object.entries(targets)) {
      const role = target.slice(0, target.indexOf('/'));
      const [[, job]] = Object.entries(parse(snippets[role]) as Record<string, any>);
      expect([target, `$${variable.key}`]).toEqual([target, job.variables.AWS_ROLE_ARN]);
      expect([target, variable.project]).toEqual([target, target.slice(role.length + 1)]);
      const protectedOnly = (outputs.trust_summary.value[role].other_claims.ref_protected ?? []).includes('true');
      expect([target, variable.protected]).toEqual([target, protectedOnly]);
      const needs = /^# Needs the CI\/CD variable \S+ = the role's ARN in ([^(.]+)/m.exec(snippets[role])?.[1] ?? '';
      expect([target, needs.trim().split(', ')]).toEqual([target, expect.arrayContaining([variable.project])]);
    }
    expect(Object.keys(targets)).toHaveLength(11);
    expect(targets['web-production/web/admin']).toEqual({ project: 'web/admin', key: 'ROLE_ARN_WEB_PRODUCTION', protected: true });
  });
});
