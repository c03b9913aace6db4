import { EXAMPLE_TFVARS } from './helpers/synth';
import { describeWithTerraform } from './helpers/terraform';
import { PlanCase, expectPlansToFail, plan, planDirectory } from './helpers/plan-cases';

/** One bad input each: the `-var` that breaks it, and what the error must say. */
const CASES: PlanCase[] = [
  ['an http:// issuer', ['-var', 'mygitlab=http://gitlab.com'], ['Invalid mygitlab "http://gitlab.com"', 'https://<host>']],
  ['an issuer without scheme', ['-var', 'mygitlab=gitlab.com'], ['Invalid mygitlab "gitlab.com"']],
  ['an empty sub list', ['-var', 'mygitlab_match_value=[]'], ['mygitlab_match_value is empty', 'list at least one value']],
  ['an empty aud list', ['-var', 'mygitlab_match_value1=[]'], ['mygitlab_match_value1 is empty']],
  [
    'a bare * subject',
    ['-var', 'mygitlab_match_value=["*"]'],
    ['aws_iam_role.gitlab_ci has sub value(s) that no GitLab token carries or that reach too far: "*": name the top-level group literally', 'other owners'],
  ],
  ['project_path:*', ['-var', 'mygitlab_match_value=["project_path:*"]'], ['"project_path:*": name the top-level group literally']],
  [
    'a wildcard in the top-level group',
    ['-var', 'mygitlab_match_value=["project_path:mygr*/app:ref_type:branch:ref:main"]'],
    ['"project_path:mygr*/app:ref_type:branch:ref:main": name the top-level group literally', "before the first '/'"],
  ],
  [
    "a GitLab subject with a Git ref path (GitLab's ref is the bare branch name)",
    ['-var', 'mygitlab_match_value=["project_path:mygroup/myproject:ref_type:branch:ref:refs/heads/main"]'],
    [
      'aws_iam_role.gitlab_ci has sub value(s) that no GitLab token carries or that reach too far: "project_path:mygroup/myproject:ref_type:branch:ref:refs/heads/main": GitLab\'s ref',
      "GitLab's ref is the bare branch or tag name: write ':ref:main', not ':ref:refs/heads/main'",
    ],
  ],
  [
    'a GitHub-style subject',
    ['-var', 'mygitlab_match_value=["repo:mygroup/myproject:ref:refs/heads/main"]'],
    [
      'aws_iam_role.gitlab_ci has sub value(s) that no GitLab token carries or that reach too far: "repo:mygroup/myproject:ref:refs/heads/main": this is the subject format of GitHub Actions',
    ],
  ],
  [
    'an empty and a wildcard value of a gitlab.com claim (mygitlab_match_value1)',
    ['-var', 'mygitlab_match_field1=ref_protected', '-var', 'mygitlab_match_value1=["true", "", "*"]'],
    [
      'aws_iam_role.gitlab_ci checks claim value(s) that no token carries or that let in too much (set in mygitlab_match_value (or mygitlab_match_value1)): ' +
        '"": remove empty strings: an empty value never matches a token; "*": start the value literally',
    ],
  ],
  ['a policy name instead of an ARN', ['-var', 'role_arn=["AmazonS3FullAccess"]'], ['Invalid role_arn value(s) ["AmazonS3FullAccess"]', 'managed policy ARNs']],
  ['a role ARN in role_arn', ['-var', 'role_arn=["arn:aws:iam::123456789012:role/deploy"]'], ['Invalid role_arn value(s)']],
  ['a bad region', ['-var', 'aws_region=Mumbai'], ['Invalid aws_region "Mumbai"']],
  ['an audience with a wildcard', ['-var', 'mygitlab_aud_value=https://*'], ['Invalid mygitlab_aud_value "https://*"']],
  ['an upper-case claim name', ['-var', 'mygitlab_match_field=Sub'], ['Invalid mygitlab_match_field "Sub"']],
  ['no sub condition', ['-var', 'mygitlab_match_field=namespace_path'], ["aws_iam_role.gitlab_ci has no 'sub' condition", 'any project on the GitLab instance']],
  ['the same claim twice', ['-var', 'mygitlab_match_field1=sub'], ['mygitlab_match_field and mygitlab_match_field1 are both "sub"']],
  [
    'a sub that is not in GitLab format',
    ['-var', 'mygitlab_match_value=["mygroup/myproject"]'],
    ['aws_iam_role.gitlab_ci has sub value(s) that no GitLab token carries or that reach too far: "mygroup/myproject": a GitLab sub starts with the project'],
  ],
  [
    'an aud the provider does not list',
    ['-var', 'mygitlab_match_value1=["sts.amazonaws.com"]'],
    ['checks aud value(s) ["sts.amazonaws.com"] that the OIDC provider does not list ["https://gitlab.com"]', 'mygitlab_aud_value'],
  ],
  // The article role's name and shape (issue "Adopt any hand-written setup"): the rules roles use for the same attributes.
  [
    'a fixed name and a prefix of its own',
    ['-var', 'role_name=gitlab-ci-oidc', '-var', 'role_name_prefix=ci-'],
    ['role_name "gitlab-ci-oidc" and role_name_prefix "ci-" are both set', 'a role has a fixed name or a prefix'],
  ],
  ['a role name with a slash', ['-var', 'role_name=ci/deploy'], ['Invalid role_name "ci/deploy"', '1 to 64 letters']],
  ['a name prefix AWS cannot extend', ['-var', `role_name_prefix=${'p'.repeat(39)}`], ['Invalid role_name_prefix', 'use 1 to 38 letters']],
  ['a role path without slashes', ['-var', 'role_path=ci'], ['Invalid role_path "ci"', "starts and ends with '/'"]],
  ['a session over 12 hours', ['-var', 'role_max_session_duration=86400'], ['Invalid role_max_session_duration 86400', '3600 to 43200 seconds']],
  ['a boundary that is not a policy ARN', ['-var', 'role_permissions_boundary=ci-boundary'], ['Invalid role_permissions_boundary "ci-boundary"']],
  ['a tag key in the aws: namespace', ['-var', 'role_tags={ "aws:team" = "x" }'], ['Invalid role_tags', "do not start with 'aws:'"]],
];

describeWithTerraform('bad input fails terraform plan with a message naming the variable and the fix', () => {
  const ready = planDirectory({ 'terraform.tfvars': EXAMPLE_TFVARS });

  test('the example tfvars plan cleanly (the baseline the cases break)', async () => {
    const r = await plan(ready(), []);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
  });

  expectPlansToFail(ready, CASES);
});
