import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformOutput, TerraformStack, Token } from 'cdktf';
import { GitlabCiRole, GitlabOidcProvider } from '../src/lib';
import { decideToken } from '../src/lib/access/gitlab-token';
import { readPolicy } from '../src/lib/access/policy';
import { mintSub } from '../src/lib/trust/sub-claim';
import { tempDir } from './helpers/synth';
import { OFFLINE_AWS_PROVIDER, describeWithTerraform, init, tfOk, workdir } from './helpers/terraform';
import { ResourceChange, deriveAppliedState, planChanges } from './helpers/state';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read synthesized and planned JSON field by field */

const ACME_ARN = 'arn:aws:iam::123456789012:oidc-provider/gitlab.acme.example';
const COM_ARN = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com';
const ID_LED = ['project_id', 'ref_type', 'ref', 'ref_protected', 'environment_protected'];

/**
 * Roles whose every input is known at synth carry their trust policy as a JSON document
 * written in TypeScript; the role map derives the same policy in Terraform for its checks.
 * Both come from the same claims by the same rules: here a plan shows them equal, role by
 * role, and the written documents decide tokens as their props say.
 */
describeWithTerraform('a literal role: its policy is a JSON document, equal to the one Terraform derives', () => {
  let config: any;
  let planned: { policies: Record<string, any>; derived: Record<string, any> };
  beforeAll(() => {
    const app = new App({ outdir: tempDir('literal-policy') });
    const stack = new TerraformStack(app, 'platform');
    const acme = new GitlabOidcProvider(stack, 'acme', { issuerUrl: 'https://gitlab.acme.example', existingProviderArn: ACME_ARN, subClaimComponents: ID_LED });
    const com = new GitlabOidcProvider(stack, 'com', { issuerUrl: 'https://gitlab.com', existingProviderArn: COM_ARN, audiences: ['https://gitlab.com', 'sts.amazonaws.com'] });
    new GitlabCiRole(stack, 'deploy', { provider: acme, subjects: [{ projectId: 4242, ref: 'main', refProtected: true }] });
    new GitlabCiRole(stack, 'release', {
      provider: acme,
      subjects: [
        { projectId: 4242, refType: 'tag', ref: 'v*' },
        { projectId: 4300, environmentProtected: true },
      ],
    });
    new GitlabCiRole(stack, 'plan', {
      provider: com,
      subjects: ['project_path:acme/api:ref_type:branch:ref:*', 'project_path:acme/web:ref_type:branch:ref:main'],
      audiences: ['sts.amazonaws.com'],
      claimConditions: { namespaceId: 77 },
    });
    new GitlabCiRole(stack, 'ship', { provider: com, subjects: ['project_path:acme/api:ref_type:tag:ref:v1.0'], claimConditions: { refProtected: true, projectId: [4242, 4243] } });
    // The role maps' own derivations, for the comparison.
    new TerraformOutput(stack, 'acme_policies', { value: Token.asAny(`\${${acme.trust.policies()}}`) });
    new TerraformOutput(stack, 'com_policies', { value: Token.asAny(`\${${com.trust.policies()}}`) });
    app.synth();
    const file = path.join(app.outdir, 'stacks', 'platform', 'cdk.tf.json');
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
    const dir = workdir(file, { 'offline_provider.tf.json': OFFLINE_AWS_PROVIDER });
    init(dir);
    tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-out=plan.bin']);
    const show = JSON.parse(tfOk(dir, ['show', '-json', 'plan.bin']).stdout);
    const roles = show.planned_values.root_module.resources.filter((r: any) => r.type === 'aws_iam_role');
    planned = {
      policies: Object.fromEntries(roles.map((r: any) => [r.name, JSON.parse(r.values.assume_role_policy)])),
      derived: Object.fromEntries(['acme', 'com'].flatMap((p) => Object.entries(show.planned_values.outputs[`${p}_policies`].value).map(([k, v]) => [k, JSON.parse(v as string)]))),
    };
  }, 90_000);

  test('each role writes its policy as JSON, with no Terraform expression in it', () => {
    for (const role of ['deploy', 'release', 'plan', 'ship']) {
      const policy: string = config.resource.aws_iam_role[role].assume_role_policy;
      expect(policy.startsWith('{"Version":"2012-10-17","Statement":[{"Effect":"Allow"')).toBe(true);
      expect(policy).not.toContain('${');
    }
  });

  test('the planned policy of every role is the document Terraform derives from the role map', () => {
    expect(Object.keys(planned.policies).sort()).toEqual(['deploy', 'plan', 'release', 'ship']);
    for (const [role, policy] of Object.entries(planned.policies)) expect([role, policy]).toEqual([role, planned.derived[role]]);
  });

  test('the written documents let in the jobs their props name, and refuse the others', () => {
    const decide = (role: string, arn: string, host: string, claims: Record<string, string>) =>
      decideToken(
        { arn, issuerHost: host, audiences: host === 'gitlab.com' ? ['https://gitlab.com', 'sts.amazonaws.com'] : ['https://gitlab.acme.example'] },
        claims,
        readPolicy(config.resource.aws_iam_role[role].assume_role_policy),
      ).decision;
    const acme = (role: string, claims: Record<string, string>) =>
      decide(role, ACME_ARN, 'gitlab.acme.example', { aud: 'https://gitlab.acme.example', sub: mintSub(ID_LED, claims) });
    expect(acme('deploy', { project_id: '4242', ref_type: 'branch', ref: 'main', ref_protected: 'true' })).toBe('allow');
    expect(acme('deploy', { project_id: '4242', ref_type: 'branch', ref: 'main', ref_protected: 'false' })).toBe('deny');
    expect(acme('release', { project_id: '4242', ref_type: 'tag', ref: 'v2', ref_protected: 'false' })).toBe('allow');
    expect(acme('release', { project_id: '4242', ref_type: 'branch', ref: 'v2', ref_protected: 'true' })).toBe('deny');
    // A job with no environment leaves the environment components out of its sub.
    expect(acme('release', { project_id: '4300', ref_type: 'branch', ref: 'main', ref_protected: 'false', environment_protected: 'true' })).toBe('allow');
    expect(acme('release', { project_id: '4300', ref_type: 'branch', ref: 'main', ref_protected: 'false' })).toBe('deny');
    const com = (role: string, claims: Record<string, string>) => decide(role, COM_ARN, 'gitlab.com', claims);
    const sub = (project: string, refType: string, ref: string) => `project_path:${project}:ref_type:${refType}:ref:${ref}`;
    expect(com('plan', { aud: 'sts.amazonaws.com', sub: sub('acme/api', 'branch', 'feature'), namespace_id: '77' })).toBe('allow');
    expect(com('plan', { aud: 'https://gitlab.com', sub: sub('acme/api', 'branch', 'feature'), namespace_id: '77' })).toBe('deny');
    expect(com('plan', { aud: 'sts.amazonaws.com', sub: sub('acme/web', 'branch', 'feature'), namespace_id: '77' })).toBe('deny');
    expect(com('ship', { aud: 'https://gitlab.com', sub: sub('acme/api', 'tag', 'v1.0'), ref_protected: 'true', project_id: '4243' })).toBe('allow');
    expect(com('ship', { aud: 'https://gitlab.com', sub: sub('acme/api', 'tag', 'v1.0'), ref_protected: 'true', project_id: '9999' })).toBe('deny');
  });
});

/** The roles of `fixtures/literal-roles-v1`: managed policies known at synth, one with a path and an account. */
function literalRoles(stack: TerraformStack): void {
  const provider = new GitlabOidcProvider(stack, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
  new GitlabCiRole(stack, 'deploy', {
    provider,
    subjects: ['project_path:acme/api:ref_type:branch:ref:main'],
    claims: { ref_protected: ['true'] },
    managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess', 'arn:aws:iam::123456789012:policy/ci/deploy-boundary-reader'],
  });
  new GitlabCiRole(stack, 'plan', {
    provider,
    subjects: ['project_path:acme/api:ref_type:branch:ref:*'],
    managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    roleNamePrefix: 'acme-api-plan-',
  });
}

describeWithTerraform('managed policies known at synth: one plain attachment each, and state of the for_each resource moved', () => {
  let config: any;
  let changes: ResourceChange[];
  beforeAll(() => {
    const earlier = workdir(path.join(__dirname, 'fixtures', 'literal-roles-v1', 'cdk.tf.json'), { 'offline_provider.tf.json': OFFLINE_AWS_PROVIDER });
    init(earlier);
    const state = deriveAppliedState(earlier);
    const app = new App({ outdir: tempDir('literal-roles') });
    const stack = new TerraformStack(app, 'platform');
    literalRoles(stack);
    app.synth();
    const file = path.join(app.outdir, 'stacks', 'platform', 'cdk.tf.json');
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete config.terraform;
    fs.writeFileSync(file, JSON.stringify(config));
    const dir = workdir(file, { 'offline_provider.tf.json': OFFLINE_AWS_PROVIDER });
    fs.copyFileSync(state, path.join(dir, 'terraform.tfstate'));
    init(dir);
    changes = planChanges(dir);
  }, 120_000);

  test('each attachment is a plain resource named after its role and policy, with the ARN as written', () => {
    const attachments = config.resource.aws_iam_role_policy_attachment;
    expect(Object.fromEntries(Object.entries(attachments).map(([name, a]: [string, any]) => [name, [a.role, a.policy_arn, a.for_each]]))).toEqual({
      deploy_PowerUserAccess: ['${aws_iam_role.deploy.name}', 'arn:aws:iam::aws:policy/PowerUserAccess', undefined],
      'deploy_deploy-boundary-reader': ['${aws_iam_role.deploy.name}', 'arn:aws:iam::123456789012:policy/ci/deploy-boundary-reader', undefined],
      plan_ReadOnlyAccess: ['${aws_iam_role.plan.name}', 'arn:aws:iam::aws:policy/ReadOnlyAccess', undefined],
    });
  });

  test('state the earlier release wrote plans no change: every attachment is moved, nothing created or destroyed', () => {
    expect(changes.map((c) => [c.previous_address ?? c.address, c.address, c.change.actions]).sort()).toEqual([
      ['aws_iam_openid_connect_provider.gitlab', 'aws_iam_openid_connect_provider.gitlab', ['no-op']],
      ['aws_iam_role.deploy', 'aws_iam_role.deploy', ['no-op']],
      ['aws_iam_role.plan', 'aws_iam_role.plan', ['no-op']],
      [
        'aws_iam_role_policy_attachment.deploy["arn:aws:iam::123456789012:policy/ci/deploy-boundary-reader"]',
        'aws_iam_role_policy_attachment.deploy_deploy-boundary-reader',
        ['no-op'],
      ],
      ['aws_iam_role_policy_attachment.deploy["arn:aws:iam::aws:policy/PowerUserAccess"]', 'aws_iam_role_policy_attachment.deploy_PowerUserAccess', ['no-op']],
      ['aws_iam_role_policy_attachment.plan["arn:aws:iam::aws:policy/ReadOnlyAccess"]', 'aws_iam_role_policy_attachment.plan_ReadOnlyAccess', ['no-op']],
    ]);
  });
});
