import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformOutput, TerraformStack, Token } from 'cdktf';
import { GitlabCiRole, GitlabOidcProvider } from '../src/lib';
import { decideToken } from '../src/lib/access/gitlab-token';
import { readPolicy } from '../src/lib/access/policy';
import { mintSub } from '../src/lib/trust/sub-claim';
import { tempDir } from './helpers/synth';
import { OFFLINE_AWS_PROVIDER, describeWithTerraform, init, tfOk, workdir } from './helpers/terraform';

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
