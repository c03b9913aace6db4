import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { decideToken } from '../src/lib/access/gitlab-token';
import { readPolicy } from '../src/lib/access/policy';
import { GitlabCiRoleFleet } from '../src/lib/constructs/gitlab-ci-role-fleet';
import { GitlabOidcProvider } from '../src/lib/constructs/gitlab-oidc-provider';
import { GitlabOidcStack } from '../src/app/stacks/gitlab-oidc-stack';
import { readSynthOptions } from '../src/app/config/synth-options';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read synthesized and planned JSON field by field */

/** A stack of one provider (its id names its locals) and a fleet of roles from the variable `teams`. */
function fleetOnly(): any {
  const stack = new TerraformStack(Testing.app(), 'fleet-only');
  const teams = new TerraformVariable(stack, 'teams', { type: 'any' });
  const provider = new GitlabOidcProvider(stack, 'ci', { issuerUrl: 'https://gitlab.example.com', audiences: ['aud-1'], thumbprintSource: 'none' });
  new GitlabCiRoleFleet(stack, 'fleet', { provider, roles: teams.value });
  new TerraformOutput(stack, 'summary', { value: provider.trustSummary });
  return JSON.parse(Testing.synth(stack));
}

describe('GitlabCiRoleFleet', () => {
  const tf = fleetOnly();

  test('creates one role per entry of the roles map, named by its key, from a map of strings (name to path)', () => {
    const role = tf.resource.aws_iam_role.fleet;
    expect(role.for_each).toBe('${local.fleet_paths}');
    expect(tf.locals.fleet_paths).toBe('${tomap({ for name, role in var.teams : name => role.path })}');
    expect([role.name, role.path]).toEqual(['${each.key}', '${each.value}']);
    for (const attribute of ['description', 'max_session_duration', 'permissions_boundary', 'tags']) {
      expect(role[attribute]).toBe(`\${local.fleet_settings[each.key].${attribute}}`);
      expect(tf.locals.fleet_settings).toContain(`\n${attribute} = role.${attribute}\n`);
    }
  });

  test("reads its trust policy and its trust's precondition from the role model, by role name, after the precondition of its own attributes", () => {
    const role = tf.resource.aws_iam_role.fleet;
    expect(role.assume_role_policy).toBe('${local.ci_trust_policies[each.key]}');
    expect(role.lifecycle.precondition).toEqual([
      { condition: '${length(local.fleet_input_problems[each.key]) == 0}', error_message: '${join("\\n", local.fleet_input_problems[each.key])}' },
      { condition: '${length(local.ci_role_problems[each.key]) == 0}', error_message: '${join("\\n", local.ci_role_problems[each.key])}' },
    ]);
  });

  test("keys attachments by role and ARN, inline policies by role and policy name; each takes its role's name from the one read of the roles", () => {
    expect(tf.locals.fleet_created).toBe('${{ for name, role in aws_iam_role.fleet : name => { name = role.name, arn = role.arn } }}');
    // aws_iam_role.fleet is read in that one local only.
    const readers = Object.entries(tf.locals as Record<string, string>).filter(([, v]) => v.includes('aws_iam_role.fleet'));
    expect(readers.map(([k]) => k)).toEqual(['fleet_created']);
    const attachment = tf.resource.aws_iam_role_policy_attachment.fleet;
    expect(attachment.for_each).toBe('${local.fleet_attachment_policies}');
    expect(tf.locals.fleet_attachment_policies).toContain('"${name}/${arn}" => arn');
    expect(tf.locals.fleet_attachment_roles).toContain('"${name}/${arn}" => name');
    expect(attachment.role).toBe('${local.fleet_created[local.fleet_attachment_roles[each.key]].name}');
    expect(attachment.policy_arn).toBe('${each.value}');
    expect(attachment.depends_on).toBeUndefined();
    const inline = tf.resource.aws_iam_role_policy.fleet;
    expect(inline.for_each).toBe('${local.fleet_inline_documents}');
    expect(tf.locals.fleet_inline_targets).toContain('"${name}/${policy}" => { role = name, name = policy }');
    expect(inline.role).toBe('${local.fleet_created[local.fleet_inline_targets[each.key].role].name}');
  });
});

describe('RoleTrustModel', () => {
  const tf = fleetOnly();

  test('derives every piece of trust once, as a local over the role map, named after the provider', () => {
    expect(tf.locals.ci_roles).toMatch(/^\$\{\{ for name, role in merge\(\n\{ for name, role in var\.teams : name => \{\nlabel = "Role '\$\{name\}' of teams"/);
    // Every entry gets the subjects and audiences its checks read, from its trust claims.
    expect(tf.locals.ci_roles).toMatch(
      /\) : name => merge\(role, \{\nsubjects = lookup\(role\.trust_claims, "sub", \[\]\)\naudiences = lookup\(role\.trust_claims, "aud", \[\]\)\n\}\) \}\}$/,
    );
    expect(tf.locals.ci_trust_conditions).toMatch(/^\$\{\{ for name, role in local\.ci_roles : name => /);
    expect(tf.locals.ci_trust_policies).toMatch(
      /^\$\{\{ for name, condition in local\.ci_trust_conditions : name => jsonencode\(.*Principal = \{ Federated = aws_iam_openid_connect_provider\.ci\.arn \}\nCondition = condition\n/s,
    );
    // A literal issuer is measured with a literal ARN of its length: no local for it, nor for the issuer host.
    expect(tf.locals.ci_trust_policy_envelope_length).toContain('Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com"');
    expect(tf.locals.ci_arn_for_sizing).toBeUndefined();
    expect(tf.locals.ci_issuer_host).toBeUndefined();
    expect(tf.locals.ci_trust_policy_lengths).toBe(
      '${{ for name, condition in local.ci_trust_conditions : name => local.ci_trust_policy_envelope_length + length(jsonencode(condition)) }}',
    );
    expect(tf.locals.ci_role_problems).toMatch(/^\$\{\{ for name, role in local\.ci_roles : name => concat\(/);
    expect(tf.locals.ci_trust_summary).toMatch(/^\$\{\{ for name, role in local\.ci_roles : name => \{\nsubjects = /);
  });

  test("checks the trust, the audiences against the provider's, and both quotas, naming the role by its label", () => {
    const problems = tf.locals.ci_role_problems;
    // Ten on the trust, two quotas, and two clashes of CI names; no job audience is set, so none is checked.
    // Each message is built only when its check fails: `[for <bound> in [<computed>] : <message> if <fails>]`.
    const checks = problems.split(/(?=\[for (?:holds|found|n) in \[)/).slice(1);
    expect(checks).toHaveLength(14);
    for (const check of checks) expect(check).toMatch(/^\[for (holds|found|n) in \[[^]*\$\{role\.label\} [^]*\sif (!holds|length\(found\) > 0|n > \d+)\],\n/);
    expect(problems).not.toContain('GitLab jobs would request aud');
    // The provider's literal audiences are a literal list in the checks, not a local.
    expect(problems).toContain('contains(["aud-1"], a)');
    expect(tf.locals.ci_audiences).toBeUndefined();
    // The quotas are the provider's props, at IAM's defaults, and the fix names the prop.
    expect(problems).toContain('[for n in [local.ci_trust_policy_lengths[name]] :');
    expect(problems).toContain('if n > 2048]');
    expect(problems).toContain('[for n in [length(toset(role.managed_policy_arns))] :');
    expect(problems).toContain('if n > 10]');
    expect(problems).toContain("trustPolicyMaxLength of GitlabOidcProvider 'fleet-only/ci'");
  });
});

describe('the stack with roles', () => {
  const tf = JSON.parse(Testing.synth(new GitlabOidcStack(Testing.app(), 's', readSynthOptions({ thumbprintSource: 'none' }, {}))));

  test('adds only optional inputs: roles {}, additional_audiences [], existing_provider_arn null, and the IAM default quotas', () => {
    expect(tf.variable.roles.default).toEqual({});
    expect(tf.variable.roles.type).toMatch(/^map\(object\(\{\n\s+subjects\s+= optional\(list\(string\), \[\]\)/);
    expect(tf.variable.additional_audiences.default).toEqual([]);
    expect(tf.variable.existing_provider_arn.default).toBeNull();
    expect(tf.variable.trust_policy_max_length.default).toBe(2048);
    expect(tf.variable.max_managed_policies_per_role.default).toBe(10);
  });

  test('puts the article role and every role of roles in one map, and guards both with the same precondition', () => {
    expect(tf.locals.gitlab_roles).toMatch(/^\$\{\{ for name, role in merge\(\n\{ for name, role in \{ gitlab_ci = \{/);
    expect(tf.locals.gitlab_roles).toContain('{ for name, role in var.roles : name => {');
    const article = tf.resource.aws_iam_role.gitlab_ci.lifecycle.precondition;
    expect(article).toContainEqual({
      condition: '${length(local.gitlab_role_problems["gitlab_ci"]) == 0}',
      error_message: '${join("\\n", local.gitlab_role_problems["gitlab_ci"])}',
    });
    expect(tf.resource.aws_iam_role.gitlab_ci.assume_role_policy).toBe('${local.gitlab_trust_policies["gitlab_ci"]}');
  });

  test('no piece of trust is written twice: one Condition builder, one policy builder, one summary', () => {
    const text = JSON.stringify(tf);
    expect(text.match(/StringEquals = /g)).toHaveLength(1);
    expect(text.match(/sts:AssumeRoleWithWebIdentity/g)).toHaveLength(2); // the policies, and the envelope measured once
    expect(text.match(/matches every branch/g)).toHaveLength(1);
    expect(text.match(/has no 'sub' condition/g)).toHaveLength(1);
  });

  test('outputs role ARNs by name, a trust summary and the Condition blocks for review', () => {
    expect(tf.output.role_arns.value).toBe('${local.fleet_role_arns}');
    expect(tf.locals.fleet_role_arns).toBe('${{ for name, role in local.fleet_created : name => role.arn }}');
    expect(tf.output.trust_summary.value).toBe('${local.gitlab_trust_summary}');
    expect(tf.output.trust_summary.description).toContain('warnings');
    expect(tf.output.trust_conditions.value).toBe('${local.gitlab_trust_conditions}');
  });
});

describe('GitlabCiRoleFleet with a map known at synth: one GitlabCiRole per entry', () => {
  const ARN = 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com';
  const synthOf = (roles: Record<string, unknown>) => {
    const stack = new TerraformStack(Testing.app(), 'literal-fleet');
    const provider = GitlabOidcProvider.fromArn(stack, 'ci', ARN, { subClaimComponents: ['project_id', 'ref_type', 'ref'] });
    const fleet = new GitlabCiRoleFleet(stack, 'fleet', { provider, roles });
    return { stack, fleet };
  };
  const { stack, fleet } = synthOf({
    'team-a': { subjects: ['project_id:42:ref_type:branch:ref:main'], managed_policy_arns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'], tags: { team: 'a' } },
    'team-b': { subject_fields: [{ project_id: 4242, ref_type: 'tag', ref: 'v*' }], max_session_duration: 7200 },
  });
  const tf = JSON.parse(Testing.synth(stack));

  test('each entry is a role named by its key, with its attributes as literals, and no local', () => {
    expect(Object.keys(tf.resource.aws_iam_role).sort()).toEqual(['team-a', 'team-b']);
    expect(tf.resource.aws_iam_role['team-a']).toMatchObject({ name: 'team-a', tags: { team: 'a' } });
    expect(tf.resource.aws_iam_role['team-b']).toMatchObject({ name: 'team-b', max_session_duration: 7200 });
    expect(tf.locals).toBeUndefined();
    expect(Object.keys(fleet.roleArns).sort()).toEqual(['team-a', 'team-b']);
  });

  test('the policies, literal documents, let in the jobs the entries name and refuse the others', () => {
    const decide = (role: string, sub: string) =>
      decideToken(
        { arn: ARN, issuerHost: 'gitlab.example.com', audiences: ['https://gitlab.example.com'] },
        { sub, aud: 'https://gitlab.example.com' },
        readPolicy(tf.resource.aws_iam_role[role].assume_role_policy),
      ).decision;
    expect(decide('team-a', 'project_id:42:ref_type:branch:ref:main')).toBe('allow');
    expect(decide('team-a', 'project_id:42:ref_type:branch:ref:feature')).toBe('deny');
    expect(decide('team-b', 'project_id:4242:ref_type:tag:ref:v1.2')).toBe('allow');
    expect(decide('team-b', 'project_id:4242:ref_type:branch:ref:v1.2')).toBe('deny');
    expect(decide('team-b', 'project_id:42:ref_type:tag:ref:v1.2')).toBe('deny');
  });

  test.each([
    [
      'an attribute ROLES_TYPE does not take',
      { 'team-a': { subjects: ['project_id:42:ref_type:branch:ref:main'], managedPolicies: [] } },
      'roles["team-a"] has ["managedPolicies"], which ROLES_TYPE does not take',
    ],
    ['an entry with no subject', { 'team-a': { managed_policy_arns: [] } }, "GitlabCiRole 'literal-fleet/fleet/team-a': subjects is empty"],
    ['an entry that is no object', { 'team-a': 'project_id:42' }, 'roles["team-a"] is not an object of ROLES_TYPE'],
    ['a subject GitLab never mints', { 'team-a': { subjects: ['repo:acme/api:ref:refs/heads/main'] } }, 'is refused'],
  ])('%s fails synth', (_name, roles, message) => {
    const { stack } = synthOf(roles);
    expect(() => (stack.node.root as App).synth()).toThrow(message);
  });
});
