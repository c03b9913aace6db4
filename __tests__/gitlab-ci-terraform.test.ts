import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { readSynthOptions } from '../src/app/config/synth-options';
import { GitlabOidcStack } from '../src/app/stacks/gitlab-oidc-stack';
import { EXAMPLE_TFVARS, REPO_ROOT, tempDir } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tf, tfOk } from './helpers/terraform';
import { flatten } from './helpers/plan-cases';
import { subComponentCalls } from '../scripts/ci-snippets';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read synthesized and planned JSON field by field */

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
    delete config.data.gitlab_project;
    if (Object.keys(config.data).length === 0) delete config.data;
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

describeWithTerraform('each project a structured subject names builds its sub from the components its roles assume (gitlab_project answered by a stand-in)', () => {
  const ROLES = [
    'roles = {',
    '  "deploy"  = { subject_fields = [{ project_id = 4242, ref = "main", ref_protected = true }], ci_id_token_sub_claim_components = ["project_id", "ref_type", "ref", "ref_protected"] }',
    '  "release" = { subject_fields = [{ project_path = "acme/api", ref_type = "tag", ref = "v*" }] }',
    '}',
  ].join('\n');
  let dir: string;

  beforeAll(() => {
    const config = synth(true);
    const data = config.data.gitlab_project.sub_components;
    expect(data.for_each).toBe('${local.gitlab_project_settings}');
    expect(data.id).toBe('${can(tonumber(each.key)) ? each.key : null}');
    // The gitlab provider is not installable offline: the same for_each and check run on
    // terraform_data (built in), with what GitLab would answer for each project in place of
    // the data source's attribute. As a precondition: terraform_data's output is known only
    // after apply, where the data source's is known at plan.
    const standIn = (text: string) => text.replace(/self\.ci_id_token_sub_claim_components/g, 'var.gitlab_answers[each.key]');
    const [check] = data.lifecycle.postcondition;
    expect(check.condition).toContain('self.ci_id_token_sub_claim_components');
    delete config.data.gitlab_project;
    if (Object.keys(config.data).length === 0) delete config.data;
    delete config.provider.gitlab;
    delete config.terraform.required_providers.gitlab;
    delete config.resource.gitlab_project_variable;
    config.variable.gitlab_answers = { type: 'map(list(string))' };
    config.resource.terraform_data = {
      sub_components: {
        for_each: data.for_each,
        lifecycle: { precondition: [{ condition: standIn(check.condition), error_message: standIn(check.error_message) }] },
      },
    };
    dir = tempDir('gitlab-projects');
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config));
    fs.writeFileSync(path.join(dir, 'offline_override.tf.json'), OFFLINE_AWS_OVERRIDE);
    fs.writeFileSync(path.join(dir, 'terraform.tfvars'), `${EXAMPLE_TFVARS}\n${ROLES}\n`);
    init(dir);
  });

  const answers = (answer4242: string[]) => ['-var', `gitlab_answers={ "4242" = ${JSON.stringify(answer4242)}, "acme/api" = ["project_path", "ref_type", "ref"] }`];

  test("projects whose setting is the roles' list plan; ci-snippets prints the call for the one that is not GitLab's default", () => {
    tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-out=plan.bin', ...answers(['project_id', 'ref_type', 'ref', 'ref_protected'])]);
    const json = JSON.parse(tfOk(dir, ['show', '-json', 'plan.bin']).stdout);
    expect(subComponentCalls(json)).toEqual([
      '# GitLab project 4242 must build its sub from project_id, ref_type, ref, ref_protected:',
      'curl --request PUT --header "PRIVATE-TOKEN: $GITLAB_TOKEN" --header "Content-Type: application/json" ' +
        `--data '{"ci_id_token_sub_claim_components":["project_id","ref_type","ref","ref_protected"]}' https://gitlab.com/api/v4/projects/4242`,
    ]);
    expect(json.planned_values.outputs.sub_claim_components.value['acme/api'].set_with).toMatch(/ https:\/\/gitlab\.com\/api\/v4\/projects\/acme%2Fapi$/);
    // The role's ARN variable goes to the project its subject names, by id as by path.
    expect(json.planned_values.outputs.gitlab_ci_snippets.value.deploy).toContain(
      "# Needs the CI/CD variable ROLE_ARN_DEPLOY = the role's ARN in 4242 (protected: the role trusts protected refs only).",
    );
    expect(json.planned_values.outputs.gitlab_ci_snippets.value.release).toContain("the role's ARN in acme/api.");
  });

  test('a project whose setting differs fails the plan, naming the project, both lists and the call that sets it', () => {
    const r = tf(dir, ['plan', '-refresh=false', '-lock=false', ...answers(['project_path', 'ref_type', 'ref'])]);
    expect(r.status).toBe(1);
    const message = flatten(r.stderr);
    expect(message).toContain(
      'GitLab project 4242 builds its sub from ["project_path","ref_type","ref"], but its roles render their structured subjects for ["project_id","ref_type","ref","ref_protected"]',
    );
    expect(message).toContain(`--data '{"ci_id_token_sub_claim_components":["project_id","ref_type","ref","ref_protected"]}' https://gitlab.com/api/v4/projects/4242`);
    expect(message).not.toContain('GitLab project acme/api');
  });
});
