import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { GitlabCiRole, GitlabOidcProvider } from '../src/lib';
import { decideToken, gitlabSubject } from '../src/lib/access/gitlab-token';
import { readTerraformShow } from '../src/lib/access/terraform-show';
import { tempDir } from './helpers/synth';
import { OFFLINE_AWS_PROVIDER, describeWithTerraform, init, tf, tfOk, workdir } from './helpers/terraform';

/** A provider made elsewhere, whose ARN comes from a variable (as another stack's output would). */
describeWithTerraform('GitlabOidcProvider.fromArn with an ARN known only at plan', () => {
  let dir: string;
  beforeAll(() => {
    const app = new App({ outdir: tempDir('import-provider') });
    const stack = new TerraformStack(app, 'platform');
    const arn = new TerraformVariable(stack, 'provider_arn', { type: 'string' });
    const provider = GitlabOidcProvider.fromArn(stack, 'gitlab', arn.stringValue, { issuerUrl: 'https://gitlab.example.com' });
    new GitlabCiRole(stack, 'deploy', { provider, subjects: ['project_path:acme/api:ref_type:branch:ref:main'] });
    app.synth();
    dir = workdir(path.join(app.outdir, 'stacks', 'platform', 'cdk.tf.json'), { 'offline_provider.tf.json': OFFLINE_AWS_PROVIDER });
    init(dir);
  }, 60_000);

  const plan = (arn: string) => tf(dir, ['plan', '-refresh=false', '-lock=false', '-input=false', '-var', `provider_arn=${arn}`, '-out=plan.bin']);

  test("the issuer's provider plans, creates no provider, and its role lets in the jobs it names", () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com';
    expect(plan(arn).status).toBe(0);
    const json = JSON.parse(tfOk(dir, ['show', '-json', 'plan.bin']).stdout);
    const reviewed = readTerraformShow(json);
    expect(reviewed.provider).toEqual({ arn, issuerHost: 'gitlab.example.com', audiences: undefined });
    const provider = { ...reviewed.provider, audiences: ['https://gitlab.example.com'] };
    const decide = (project: string, ref: string) =>
      decideToken(provider, { sub: gitlabSubject(project, ref), aud: 'https://gitlab.example.com' }, reviewed.roles[0].statements).decision;
    expect([decide('acme/api', 'main'), decide('acme/api', 'feature'), decide('acme/other', 'main')]).toEqual(['allow', 'deny', 'deny']);
    expect(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')).not.toContain('aws_iam_openid_connect_provider');
  }, 60_000);

  test("another issuer's provider, or an ARN of no provider, fails the plan with the fix", () => {
    const other = plan('arn:aws:iam::123456789012:oidc-provider/gitlab.com');
    expect(other.status).toBe(1);
    expect(other.output.replace(/\s+/g, ' ')).toContain(
      "the ARN of GitlabOidcProvider 'platform/gitlab' \"arn:aws:iam::123456789012:oidc-provider/gitlab.com\" is not the OIDC provider of gitlab.example.com",
    );
    const role = plan('arn:aws:iam::123456789012:role/gitlab');
    expect(role.status).toBe(1);
    expect(role.output.replace(/\s+/g, ' ')).toContain('use the ARN of an IAM OIDC provider');
  }, 60_000);
});
