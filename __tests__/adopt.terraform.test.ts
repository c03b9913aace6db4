import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_TFVARS, REPO_ROOT, synthStack } from './helpers/synth';
import { flatten } from './helpers/plan-cases';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tf, workdir } from './helpers/terraform';
import { ResourceChange, changedAttributes, deriveAppliedState, planChanges, planStackOverState } from './helpers/state';

/**
 * Adopting hand-written setups: state derived from each variant's own plans, then today's
 * stack planned against it with the variant's tfvars and the adopt.tf a user adds
 * (README, "Adopting an existing setup"). Nothing may be destroyed or replaced.
 */

const FIXTURES = path.join(__dirname, 'fixtures');
const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');

/** Derives state from the variant in `fixture`, then plans the stack against it. */
function adopt(fixture: string): { changes: ResourceChange[]; stackDir: string } {
  const dir = path.join(FIXTURES, fixture);
  const handWritten = workdir(path.join(dir, 'main.tf'), {
    'variables.tf': read(FIXTURES, 'article', 'variables.tf'),
    'terraform.tfvars': EXAMPLE_TFVARS,
    'offline_override.tf.json': OFFLINE_AWS_OVERRIDE,
  });
  init(handWritten);
  const { changes, dir: stackDir } = planStackOverState(deriveAppliedState(handWritten), {
    'terraform.tfvars': EXAMPLE_TFVARS,
    'adopt.auto.tfvars': read(dir, 'adopt.tfvars'),
    'adopt.tf': read(dir, 'adopt.tf'),
  });
  return { changes, stackDir };
}

const summary = (changes: ResourceChange[]) => changes.map((c) => [c.previous_address ?? c.address, c.address, c.change.actions.join('+')]);

describeWithTerraform('adopting a role with a fixed name, a path and attachments by count', () => {
  let changes: ResourceChange[];
  let stackDir: string;
  beforeAll(() => {
    ({ changes, stackDir } = adopt('adopt-named-role'));
  });

  test('nothing is destroyed or replaced: every object moves to its address, unchanged', () => {
    expect(summary(changes)).toEqual([
      ['aws_iam_openid_connect_provider.gitlab', 'aws_iam_openid_connect_provider.gitlab[0]', 'no-op'],
      ['aws_iam_role.gitlab_ci', 'aws_iam_role.gitlab_ci[0]', 'no-op'],
      ['aws_iam_role_policy_attachment.gitlab_ci_policy[0]', 'aws_iam_role_policy_attachment.gitlab_ci["arn:aws:iam::aws:policy/AmazonS3FullAccess"]', 'no-op'],
    ]);
  });

  test('without adopt.tf the attachment kept by count would be destroyed (its policy detached): the moved block is what keeps it', () => {
    fs.rmSync(path.join(stackDir, 'adopt.tf'));
    const without = summary(planChanges(stackDir));
    expect(without).toContainEqual(['aws_iam_role_policy_attachment.gitlab_ci_policy[0]', 'aws_iam_role_policy_attachment.gitlab_ci_policy[0]', 'delete']);
    // The role itself is still adopted in place: its name and shape come from the tfvars.
    expect(without).toContainEqual(['aws_iam_role.gitlab_ci', 'aws_iam_role.gitlab_ci[0]', 'no-op']);
  });
});

describeWithTerraform("a stack of roles only: the article role's inputs left out", () => {
  const PROVIDER_ONLY = 'aws_region = "eu-west-1"\nmygitlab = "https://gitlab.com"\nmygitlab_aud_value = "https://gitlab.com"\n';
  let dir: string;
  beforeAll(() => {
    const { file } = synthStack({ thumbprintSource: 'none' });
    dir = workdir(file, { 'terraform.tfvars': PROVIDER_ONLY, 'fleet.tfvars': read(REPO_ROOT, 'examples', 'fleet.tfvars'), 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE });
    init(dir);
  });

  test('creates the provider and the roles, and no article role', () => {
    const addresses = planChanges(dir, ['-var-file=fleet.tfvars']).map((c) => c.address);
    expect(addresses.filter((a) => a.includes('gitlab_ci'))).toEqual([]);
    expect(addresses).toContain('aws_iam_openid_connect_provider.gitlab[0]');
    expect(addresses.filter((a) => a.startsWith('aws_iam_role.fleet['))).toHaveLength(8);
  });

  test('a half-filled article role fails the plan, naming what is missing', () => {
    const r = tf(dir, ['plan', '-refresh=false', '-lock=false', '-var', 'mygitlab_match_value=["project_path:mygroup/myproject:ref_type:branch:ref:main"]']);
    expect(r.status).not.toBe(0);
    expect(flatten(r.output)).toContain(
      'The gitlab_ci role (aws_iam_role.gitlab_ci, the hand-written setup\'s) is half filled: ["mygitlab_match_field","mygitlab_match_field1","mygitlab_match_value1","role_arn"] not set.',
    );
  });
});

describeWithTerraform('adopting a module-style setup: resources named "this", a prefix of its own, attachments by for_each', () => {
  let changes: ResourceChange[];
  beforeAll(() => {
    changes = adopt('adopt-module-style').changes;
  });

  test('nothing is destroyed or replaced; the role is updated in place, only in its trust policy', () => {
    expect(changes.flatMap((c) => c.change.actions)).not.toContain('delete');
    expect(summary(changes)).toEqual([
      ['aws_iam_openid_connect_provider.this', 'aws_iam_openid_connect_provider.gitlab[0]', 'no-op'],
      ['aws_iam_role.this', 'aws_iam_role.gitlab_ci[0]', 'update'],
      [
        'aws_iam_role_policy_attachment.this["arn:aws:iam::aws:policy/AmazonS3FullAccess"]',
        'aws_iam_role_policy_attachment.gitlab_ci["arn:aws:iam::aws:policy/AmazonS3FullAccess"]',
        'no-op',
      ],
    ]);
    const role = changes.find((c) => c.address === 'aws_iam_role.gitlab_ci[0]')!.change;
    expect(changedAttributes(role)).toEqual(['assume_role_policy']);
  });
});
