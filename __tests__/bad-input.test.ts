import { EXAMPLE_TFVARS, synthStack } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tf, tfAsync, workdir } from './helpers/terraform';

/** Terraform's diagnostics as one line: box-drawing characters and wrapping removed. */
const flatten = (text: string) => text.replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ');

/** One bad input each: the `-var` that breaks it, and what the error must say. */
const CASES: Array<[string, string, string[]]> = [
  ['an http:// issuer', 'mygitlab=http://gitlab.com', ['Invalid mygitlab "http://gitlab.com"', 'https://<host>']],
  ['an issuer without scheme', 'mygitlab=gitlab.com', ['Invalid mygitlab "gitlab.com"']],
  ['an empty sub list', 'mygitlab_match_value=[]', ['mygitlab_match_value is empty', 'list at least one value']],
  ['an empty aud list', 'mygitlab_match_value1=[]', ['mygitlab_match_value1 is empty']],
  ['a bare * subject', 'mygitlab_match_value=["*"]', ['Invalid mygitlab_match_value value(s) ["*"]', 'other owners']],
  ['project_path:*', 'mygitlab_match_value=["project_path:*"]', ['["project_path:*"]', 'name the top-level group literally']],
  [
    'a wildcard in the top-level group',
    'mygitlab_match_value=["project_path:mygr*/app:ref_type:branch:ref:main"]',
    ['["project_path:mygr*/app:ref_type:branch:ref:main"]', "before the first '/'"],
  ],
  [
    'a GitHub-style subject',
    'mygitlab_match_value=["repo:mygroup/myproject:ref:refs/heads/main"]',
    ['Invalid mygitlab_match_value value(s) ["repo:mygroup/myproject:ref:refs/heads/main"]', 'subject format of GitHub Actions'],
  ],
  ['a policy name instead of an ARN', 'role_arn=["AmazonS3FullAccess"]', ['Invalid role_arn value(s) ["AmazonS3FullAccess"]', 'managed policy ARNs']],
  ['a role ARN in role_arn', 'role_arn=["arn:aws:iam::123456789012:role/deploy"]', ['Invalid role_arn value(s)']],
  ['a bad region', 'aws_region=Mumbai', ['Invalid aws_region "Mumbai"']],
  ['an audience with a wildcard', 'mygitlab_aud_value=https://*', ['Invalid mygitlab_aud_value "https://*"']],
  ['an upper-case claim name', 'mygitlab_match_field=Sub', ['Invalid mygitlab_match_field "Sub"']],
  ['no sub condition', 'mygitlab_match_field=namespace_path', ["aws_iam_role.gitlab_ci has no 'sub' condition", 'any project on the GitLab instance']],
  ['the same claim twice', 'mygitlab_match_field1=sub', ['mygitlab_match_field and mygitlab_match_field1 are both "sub"']],
  [
    'a sub that is not in GitLab format',
    'mygitlab_match_value=["mygroup/myproject"]',
    ['aws_iam_role.gitlab_ci has sub value(s) ["mygroup/myproject"] that no GitLab token carries'],
  ],
  [
    'an aud the provider does not list',
    'mygitlab_match_value1=["sts.amazonaws.com"]',
    ['checks aud value(s) ["sts.amazonaws.com"] that the OIDC provider does not list ["https://gitlab.com"]', 'mygitlab_aud_value'],
  ],
];

describeWithTerraform('bad input fails terraform plan with a message naming the variable and the fix', () => {
  // Concurrent tests start before beforeAll ends (jest#7997), so each asks for the directory.
  let prepared: string | undefined;
  const ready = (): string => {
    if (!prepared) {
      const { file } = synthStack({ thumbprintSource: 'none' });
      prepared = workdir(file, { 'terraform.tfvars': EXAMPLE_TFVARS, 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE });
      init(prepared);
    }
    return prepared;
  };

  test('the example tfvars plan cleanly (the baseline the cases break)', () => {
    const r = tf(ready(), ['plan', '-refresh=false', '-lock=false']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
  });

  // Plans of one directory without a lock and without writing state are independent.
  test.concurrent.each(CASES)('%s', async (_name, badVar, expected) => {
    const r = await tfAsync(ready(), ['plan', '-refresh=false', '-lock=false', '-var', badVar]);
    expect(r.status).not.toBe(0);
    const message = flatten(r.output);
    for (const fragment of expected) expect(message).toContain(flatten(fragment));
  });
});
