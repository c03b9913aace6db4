import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_TFVARS, tempDir } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tfOk, workdir } from './helpers/terraform';
import { ResourceChange, changedAttributes, deriveAppliedState, planStackOverState } from './helpers/state';
import { decideToken, gitlabSubject } from '../src/lib/access/gitlab-token';
import { readPolicy } from '../src/lib/access/policy';
import { run } from '../src/lib/access/command';

const FIXTURE = path.join(__dirname, 'fixtures', 'article');

/** The hand-written setup, with its tls thumbprint swapped for a fixed one (no tls provider offline). */
function articleDir(): string {
  const dir = tempDir('article');
  for (const f of ['main.tf', 'variables.tf']) fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
  fs.copyFileSync(path.join(FIXTURE, 'thumbprint_offline.tf.txt'), path.join(dir, 'thumbprint_offline.tf'));
  fs.writeFileSync(path.join(dir, 'terraform.tfvars'), EXAMPLE_TFVARS);
  fs.writeFileSync(path.join(dir, 'offline_override.tf.json'), OFFLINE_AWS_OVERRIDE);
  return dir;
}

describeWithTerraform('state written by the hand-written setup', () => {
  let statePath: string;
  let changes: Map<string, string[]>;
  let roleChange: ResourceChange['change'];
  let movedProvider: string | undefined;

  beforeAll(() => {
    const article = articleDir();
    init(article);
    // Returns only once the hand-written setup plans no resource change against the state (a plan checks it).
    statePath = deriveAppliedState(article);

    const planned = planStackOverState(statePath, { 'terraform.tfvars': EXAMPLE_TFVARS }).changes;
    // Keyed by the hand-written address the object had in the state.
    changes = new Map(planned.map((c) => [c.previous_address ?? c.address, c.change.actions]));
    movedProvider = planned.find((c) => c.previous_address === 'aws_iam_openid_connect_provider.gitlab')?.address;
    roleChange = planned.find((c) => c.address === 'aws_iam_role.gitlab_ci[0]')!.change;
  });

  test('the derived state is faithful: the hand-written setup plans no changes against it (checked as it is derived), and it holds both objects', () => {
    const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
    expect(state.resources.map((r: { type: string; name: string }) => `${r.type}.${r.name}`).sort()).toEqual(['aws_iam_openid_connect_provider.gitlab', 'aws_iam_role.gitlab_ci']);
    const role = state.resources.find((r: { type: string }) => r.type === 'aws_iam_role').instances[0].attributes;
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal.Federated).toBe('arn:aws:iam::123456789012:oidc-provider/gitlab.com');
  });

  test('the synthesized stack neither destroys nor replaces the provider or the role', () => {
    for (const address of ['aws_iam_openid_connect_provider.gitlab', 'aws_iam_role.gitlab_ci']) {
      expect(changes.get(address)).toBeDefined();
      expect(changes.get(address)).not.toContain('delete');
      expect(changes.get(address)).not.toContain('create');
    }
  });

  test('the provider is left as it is (no thumbprint churn with thumbprintSource "none"), its state moved to [0]', () => {
    expect(changes.get('aws_iam_openid_connect_provider.gitlab')).toEqual(['no-op']);
    expect(movedProvider).toBe('aws_iam_openid_connect_provider.gitlab[0]');
  });

  test('the role is at most updated in place: exact values move from StringLike to StringEquals', () => {
    expect(changes.get('aws_iam_role.gitlab_ci')).toEqual(['update']);
    expect(changedAttributes(roleChange)).toEqual(['assume_role_policy']);
    const before = JSON.parse(String(roleChange.before?.assume_role_policy)).Statement[0].Condition;
    const after = JSON.parse(String(roleChange.after?.assume_role_policy)).Statement[0].Condition;
    expect(Object.keys(before)).toEqual(['StringLike']);
    // aws_iam_policy_document writes a one-element list as a bare string; IAM reads both alike.
    const asLists = (keys: Record<string, string | string[]>) => Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, ([] as string[]).concat(v)]));
    expect(after).toEqual({ StringEquals: asLists(before.StringLike) });
  });

  test('the managed policy moves to an attachment keyed by its ARN, created beside the role', () => {
    expect(changes.get('aws_iam_role_policy_attachment.gitlab_ci["arn:aws:iam::aws:policy/AmazonS3FullAccess"]')).toEqual(['create']);
  });
});

/**
 * Applies (as derived state) the article stack as first released with `tfvars`, then plans
 * the stack synthesized today with the same tfvars against that state.
 */
function planOverFirstRelease(tfvars: string): { changes: ResourceChange[]; dir: string } {
  const released = workdir(path.join(__dirname, 'fixtures', 'article-stack-v1', 'cdk.tf.json'), {
    'terraform.tfvars': tfvars,
    'offline_override.tf.json': OFFLINE_AWS_OVERRIDE,
  });
  init(released);
  return planStackOverState(deriveAppliedState(released), { 'terraform.tfvars': tfvars });
}

describeWithTerraform('state written by the article stack as first released (before roles existed)', () => {
  let changes: { address: string; previous?: string; actions: string[] }[];

  beforeAll(() => {
    changes = planOverFirstRelease(EXAMPLE_TFVARS).changes.map((c) => ({ address: c.address, previous: c.previous_address, actions: c.change.actions }));
  });

  test('the article tfvars plan no change to any resource with the new inputs at their defaults', () => {
    expect(changes.filter((c) => c.actions.join() !== 'no-op')).toEqual([]);
    expect(changes.map((c) => c.address).sort()).toEqual([
      'aws_iam_openid_connect_provider.gitlab[0]',
      'aws_iam_role.gitlab_ci[0]',
      'aws_iam_role_policy_attachment.gitlab_ci["arn:aws:iam::aws:policy/AmazonS3FullAccess"]',
    ]);
  });

  test('the provider and the role keep their state through the moved blocks', () => {
    expect(changes.find((c) => c.address === 'aws_iam_openid_connect_provider.gitlab[0]')?.previous).toBe('aws_iam_openid_connect_provider.gitlab');
    expect(changes.find((c) => c.address === 'aws_iam_role.gitlab_ci[0]')?.previous).toBe('aws_iam_role.gitlab_ci');
  });
});

describeWithTerraform('a first-release role given the mixed list of issue "Who gets in" (main plus release tags)', () => {
  const MIXED = 'mygitlab_match_value = ["project_path:acme/infra:ref_type:branch:ref:main", "project_path:acme/*:ref_type:tag:ref:v*"]\n';
  const tfvars = EXAMPLE_TFVARS.replace(/^mygitlab_match_value\s*=.*$/m, MIXED.trim());
  let changes: ResourceChange[];
  let role: ResourceChange['change'];
  let stateJson: string;

  beforeAll(() => {
    const planned = planOverFirstRelease(tfvars);
    changes = planned.changes;
    stateJson = path.join(planned.dir, 'state.json');
    fs.writeFileSync(stateJson, tfOk(planned.dir, ['show', '-json']).stdout);
    role = changes.find((c) => c.address === 'aws_iam_role.gitlab_ci[0]')!.change;
  });

  test('the tfvars hold the mixed list', () => {
    expect(tfvars).toContain(MIXED.trim());
    expect(tfvars).not.toBe(EXAMPLE_TFVARS);
  });

  test('the role is updated in place, only in its trust policy; nothing else changes', () => {
    expect(changes.filter((c) => c.change.actions.join() !== 'no-op').map((c) => [c.address, c.change.actions])).toEqual([['aws_iam_role.gitlab_ci[0]', ['update']]]);
    expect(changedAttributes(role)).toEqual(['assume_role_policy']);
  });

  test('the released trust let no job in; the updated trust lets in main and release tags, and nothing else', () => {
    const provider = { arn: 'arn:aws:iam::123456789012:oidc-provider/gitlab.com', issuerHost: 'gitlab.com', audiences: ['https://gitlab.com'] };
    const token = (sub: string) => ({ sub, aud: 'https://gitlab.com' });
    const decide = (policy: unknown, sub: string) => decideToken(provider, token(sub), readPolicy(policy)).decision;
    const main = gitlabSubject('acme/infra', 'main');
    const release = gitlabSubject('acme/tools', 'v1.4.0', 'tag');
    const dev = gitlabSubject('acme/infra', 'dev');
    expect([main, release, dev].map((sub) => decide(role.before?.assume_role_policy, sub))).toEqual(['deny', 'deny', 'deny']);
    expect([main, release, dev].map((sub) => decide(role.after?.assume_role_policy, sub))).toEqual(['allow', 'allow', 'deny']);
  });

  test('npm run access on the released state (terraform show -json) shows the defect: no job gets in', async () => {
    for (const args of [
      ['--project', 'acme/infra', '--ref', 'main'],
      ['--project', 'acme/tools', '--ref', 'v1.4.0', '--ref-type', 'tag'],
    ]) {
      const lines: string[] = [];
      expect(await run([stateJson, ...args, '--role', 'gitlab_ci', '--expect', 'deny'], { out: (l) => lines.push(l), err: (l) => lines.push(l) })).toBe(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^gitlab_ci deny String(Equals|Like) gitlab\.com:sub: /);
    }
  });
});
