import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_TFVARS, REPO_ROOT } from './helpers/synth';
import { describeWithTerraform } from './helpers/terraform';
import { JSON_DOCUMENT } from '../src/lib/guardrails/rules';
import { PlanCase, SELF_MANAGED, expectPlansToFail, plan, planDirectory } from './helpers/plan-cases';

const FLEET_TFVARS = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'fleet.tfvars'), 'utf8');

/** How the role map refuses a sub value of team-a, before the value and its fix. */
const REFUSED = "Role 'team-a' of roles has sub value(s) that no GitLab token carries or that reach too far: ";

/** `-var roles=…` for one role named team-a with the given HCL attributes. */
const role = (attributes: string) => ['-var', `roles={ "team-a" = { ${attributes} } }`];
const SUBJECT = 'subjects = ["project_path:team/app:ref_type:branch:ref:main"]';
/** Enough subjects to exceed the default trust policy quota of 2,048 characters. */
const MANY_SUBJECTS = `subjects = [${Array.from({ length: 40 }, (_, i) => `"project_path:team/service-${i}:ref_type:branch:ref:main"`).join(', ')}]`;
const ELEVEN_POLICIES = `managed_policy_arns = [${Array.from({ length: 11 }, (_, i) => `"arn:aws:iam::123456789012:policy/p${i}"`).join(', ')}]`;

const CASES: PlanCase[] = [
  [
    'a role with no sub condition',
    role('managed_policy_arns = []'),
    ["Role 'team-a' of roles has no 'sub' condition", 'any project on the GitLab instance', "roles['team-a'].subjects"],
  ],
  ['a subject open to other owners', role('subjects = ["project_path:*"]'), [`${REFUSED}"project_path:*": name the top-level group literally`, 'other owners']],
  [
    'a subject whose wildcard covers ref_type',
    role('subjects = ["project_path:team/app:ref_type:*:ref:main"]'),
    [
      'Role \'team-a\' of roles has sub value(s) that no GitLab token carries or that reach too far: "project_path:team/app:ref_type:*:ref:main": write subjects as GitLab builds them',
    ],
  ],
  [
    'a ref written as a Git ref path',
    role('subjects = ["project_path:team/app:ref_type:branch:ref:refs/heads/main"]'),
    [`${REFUSED}"project_path:team/app:ref_type:branch:ref:refs/heads/main": GitLab's ref is the bare branch or tag name: write ':ref:main'`],
  ],
  [
    'a GitHub-format subject',
    role('subjects = ["repo:team/app:ref:refs/heads/main"]'),
    [`${REFUSED}"repo:team/app:ref:refs/heads/main": this is the subject format of GitHub Actions`],
  ],
  [
    'an audience the provider does not list',
    role(`${SUBJECT}, audiences = ["sts.amazonaws.com"]`),
    ['Role \'team-a\' of roles checks aud value(s) ["sts.amazonaws.com"] that the OIDC provider does not list ["https://gitlab.com"]'],
  ],
  ['a trust policy over the length quota', role(MANY_SUBJECTS), ["Role 'team-a' of roles has a trust policy of", 'characters; IAM accepts 2048 (trust_policy_max_length)']],
  ['more managed policies than the quota', role(`${SUBJECT}, ${ELEVEN_POLICIES}`), ["Role 'team-a' of roles attaches 11 managed policies; IAM allows 10 per role"]],
  ['a role name with a space', ['-var', `roles={ "team a" = { ${SUBJECT} } }`], ['Invalid role names in roles ["team a"]', '1 to 64 letters']],
  ['a role name over 64 characters', ['-var', `roles={ "${'r'.repeat(65)}" = { ${SUBJECT} } }`], ['Invalid role names in roles', 'the IAM role name quota']],
  ['max_session_duration below an hour', role(`${SUBJECT}, max_session_duration = 900`), ["Role 'team-a' of roles has invalid max_session_duration 900", '3600 to 43200 seconds']],
  [
    'max_session_duration over 12 hours',
    role(`${SUBJECT}, max_session_duration = 86400`),
    ["Role 'team-a' of roles has invalid max_session_duration 86400", '3600 to 43200 seconds'],
  ],
  [
    'gitlab.com claims on a self-managed issuer',
    [...SELF_MANAGED, ...role('subjects = ["project_path:team/app:ref_type:branch:ref:main"], audiences = ["https://gitlab.example.com"], claims = { ref_protected = ["true"] }')],
    ['checks claim(s) ["ref_protected"] of issuer gitlab.example.com'],
  ],
  [
    'a claim AWS does not evaluate',
    role(`${SUBJECT}, claims = { environment = ["production"] }`),
    ['Role \'team-a\' of roles checks claim(s) ["environment"] of issuer gitlab.com', 'project_id, namespace_id, ref_protected'],
  ],
  [
    'a claim value that starts with a wildcard',
    role(`${SUBJECT}, claims = { pipeline_source = ["*"] }`),
    ["Role 'team-a' of roles checks claim value(s) that no token carries or that let in too much (set in roles['team-a'].claims): \"*\": start the value literally"],
  ],
  ['a path without slashes', role(`${SUBJECT}, path = "gitlab-ci"`), ['Role \'team-a\' of roles has invalid path "gitlab-ci"']],
  [
    'an inline policy that is not JSON',
    role(`${SUBJECT}, inline_policies = { s3 = "Allow s3:*" }`),
    ['Role \'team-a\' of roles has invalid inline policies ["Allow s3:*"]', 'JSON document'],
  ],
  [
    'a permissions boundary that is not a policy ARN',
    role(`${SUBJECT}, permissions_boundary = "boundary"`),
    ['Role \'team-a\' of roles has invalid permissions_boundary "boundary"'],
  ],
  [
    'an existing provider of another issuer',
    ['-var', 'existing_provider_arn=arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com'],
    ['is not the OIDC provider of gitlab.com', "must end in ':oidc-provider/gitlab.com'"],
  ],
  [
    'an existing provider ARN of another kind',
    ['-var', 'existing_provider_arn=arn:aws:iam::123456789012:role/x'],
    ['Invalid existing_provider_arn "arn:aws:iam::123456789012:role/x"'],
  ],
  ['a trust quota above what IAM grants', ['-var', 'trust_policy_max_length=8192'], ['Invalid trust_policy_max_length 8192', 'use 1 to 4096']],
  [
    'two roles whose CI/CD variable would be the same',
    ['-var', `roles={ "a.b" = { ${SUBJECT} }, "a_b" = { ${SUBJECT} } }`],
    [
      'Role \'a.b\' of roles keeps its ARN in the CI/CD variable ROLE_ARN_A_B, and so does ["a_b"]: their jobs could not tell the roles apart.',
      'Role \'a_b\' of roles keeps its ARN in the CI/CD variable ROLE_ARN_A_B, and so does ["a.b"]',
    ],
  ],
  [
    'a job audience a role does not accept',
    ['-var', 'ci_id_token_audience=sts.amazonaws.com'],
    ['GitLab jobs would request aud "sts.amazonaws.com" (ci_id_token_audience), but aws_iam_role.gitlab_ci accepts ["https://gitlab.com"].', 'Incorrect token audience'],
  ],
];

describeWithTerraform('roles: every guardrail rejects its bad input at terraform plan', () => {
  const ready = planDirectory({ 'terraform.tfvars': EXAMPLE_TFVARS, 'fleet.tfvars': FLEET_TFVARS });

  test('3 teams and 10 projects (examples/fleet.tfvars) plan offline: 8 roles, 7 attachments, 1 inline policy', async () => {
    const r = await plan(ready(), ['-var-file=fleet.tfvars']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Plan: 19 to add, 0 to change, 0 to destroy.');
    expect(r.stdout.match(/# aws_iam_role\.fleet\["[^"]+"\] will be created/g)).toHaveLength(8);
  });

  test.concurrent.each([
    ['trust_policy_max_length=4096', MANY_SUBJECTS],
    ['max_managed_policies_per_role=20', `${SUBJECT}, ${ELEVEN_POLICIES}`],
  ])('a raised quota (%s) lets the same role plan', async (quota, attributes) => {
    const r = await plan(ready(), ['-var', quota, ...role(attributes)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('the inline policy hint works where tfvars read it: a JSON document between <<-EOT and EOT plans', async () => {
    expect(JSON_DOCUMENT.fix).toContain('in tfvars, the JSON between <<-EOT and EOT lines');
    const heredoc = [
      'roles = {',
      '  "team-a" = {',
      `    ${SUBJECT}`,
      '    inline_policies = {',
      '      read = <<-EOT',
      '        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
      '      EOT',
      '    }',
      '  }',
      '}',
    ].join('\n');
    fs.writeFileSync(path.join(ready(), 'heredoc.tfvars'), `${heredoc}\n`);
    const r = await plan(ready(), ['-var-file=heredoc.tfvars']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('aws_iam_role_policy.fleet["team-a/read"] will be created');
  });

  expectPlansToFail(ready, CASES);
});
