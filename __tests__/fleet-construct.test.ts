import { TerraformStack, Testing } from 'cdktf';
import { GitlabCiRoleFleet } from '../src/constructs/gitlab-ci-role-fleet';
import { GitlabOidcStack } from '../src/stacks/gitlab-oidc-stack';
import { readSynthOptions } from '../src/config/synth-options';

/* eslint-disable @typescript-eslint/no-explicit-any */

function fleetOnly(): any {
  const stack = new TerraformStack(Testing.app(), 'fleet-only');
  new GitlabCiRoleFleet(stack, 'fleet', {
    roles: 'var.teams',
    issuerHost: 'local.host',
    providerArn: 'local.arn',
    providerArnForSizing: 'local.sizing_arn',
    providerAudiences: '["aud-1"]',
    audienceInput: 'the_audience_variable',
  });
  return JSON.parse(Testing.synth(stack));
}

describe('GitlabCiRoleFleet', () => {
  const tf = fleetOnly();

  test('creates one role per entry of the roles map, named by its key', () => {
    const role = tf.resource.aws_iam_role.fleet;
    expect(role.for_each).toBe('${local.fleet_roles}');
    expect(tf.locals.fleet_roles).toMatch(/^\$\{\{ for name, role in var\.teams : name => merge\(role, /);
    expect(role.name).toBe('${each.key}');
    expect(role.assume_role_policy).toMatch(/^\$\{jsonencode\(\{ Version = "2012-10-17", .*each\.value\.trust_claims/);
    for (const attribute of ['path', 'description', 'max_session_duration', 'permissions_boundary', 'tags']) {
      expect(role[attribute]).toBe(`\${each.value.${attribute}}`);
    }
  });

  test('keys attachments by role and ARN, inline policies by role and policy name', () => {
    expect(tf.resource.aws_iam_role_policy_attachment.fleet.for_each).toBe('${local.fleet_policy_attachments}');
    expect(tf.locals.fleet_policy_attachments).toContain('"${name}/${arn}" => { role = name, policy_arn = arn }');
    expect(tf.resource.aws_iam_role_policy_attachment.fleet.role).toBe('${local.fleet_role_names[each.value.role]}');
    expect(tf.locals.fleet_role_names).toBe('${{ for name, role in aws_iam_role.fleet : name => role.name }}');
    expect(tf.resource.aws_iam_role_policy_attachment.fleet.depends_on).toBeUndefined();
    expect(tf.resource.aws_iam_role_policy.fleet.for_each).toBe('${local.fleet_inline_policies}');
    expect(tf.locals.fleet_inline_policies).toContain('"${name}/${policy}"');
  });

  test('trusts the given provider, with the provider audiences unless a role names its own', () => {
    expect(tf.locals.fleet_roles).toBe(
      '${{ for name, role in var.teams : name => merge(role, { trust_claims = merge({ sub = role.subjects, aud = role.audiences == null ? ["aud-1"] : role.audiences }, role.claims) }) }}',
    );
    const role = tf.resource.aws_iam_role.fleet;
    expect(role.assume_role_policy).toContain('Principal = { Federated = local.arn }');
    const lengthCheck = role.lifecycle.precondition.find((p: any) => p.condition.includes('var.trust_policy_max_length'));
    expect(lengthCheck.condition).toMatch(/^\$\{length\(jsonencode\(.*Federated = local\.sizing_arn.*\)\) <= var\.trust_policy_max_length\}$/);
  });

  test('guards every role with the shared trust checks and the quota checks, naming the role', () => {
    const preconditions = tf.resource.aws_iam_role.fleet.lifecycle.precondition;
    expect(preconditions).toHaveLength(6);
    for (const p of preconditions) expect(p.error_message).toMatch(/^Role '\$\{each\.key\}' of roles /);
    expect(preconditions.map((p: any) => p.condition).join('\n')).toContain('length(each.value.managed_policy_arns) <= var.max_managed_policies_per_role');
  });
});

describe('the stack with roles', () => {
  const tf = JSON.parse(Testing.synth(new GitlabOidcStack(Testing.app(), 's', readSynthOptions({ thumbprintSource: 'none' }, {}))));

  test('adds only optional inputs: roles {}, existing_provider_arn null, and the IAM default quotas', () => {
    expect(tf.variable.roles.default).toEqual({});
    expect(tf.variable.roles.type).toMatch(/^map\(object\(\{\n\s+subjects\s+= optional\(list\(string\), \[\]\)/);
    expect(tf.variable.existing_provider_arn.default).toBeNull();
    expect(tf.variable.trust_policy_max_length.default).toBe(2048);
    expect(tf.variable.max_managed_policies_per_role.default).toBe(10);
  });

  test('applies the same trust and quota checks to the article role as to every role of the fleet', () => {
    const article = tf.resource.aws_iam_role.gitlab_ci.lifecycle.precondition.map((p: any) => p.error_message);
    const fleet = tf.resource.aws_iam_role.fleet.lifecycle.precondition.map((p: any) => p.error_message);
    const shape = (m: string) => m.replace(/^(aws_iam_role\.gitlab_ci|Role '\$\{each\.key\}' of roles) /, '').slice(0, 15);
    expect(fleet.map(shape).every((s: string) => article.map(shape).includes(s))).toBe(true);
  });

  test('outputs role ARNs by name and a trust summary for review', () => {
    expect(tf.output.role_arns.value).toBe('${local.fleet_role_arns}');
    expect(tf.locals.fleet_role_arns).toBe('${{ for name, role in aws_iam_role.fleet : name => role.arn }}');
    expect(tf.output.trust_summary.value).toMatch(/^\$\{\{ article_role = \{ subjects = /);
    expect(tf.output.trust_summary.description).toContain('warnings');
  });
});
