import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { GitlabCiRole, GitlabOidcProvider } from '../src/lib';
import { decideToken, decideTokenAmong, gitlabSubject } from '../src/lib/access/gitlab-token';
import { run } from '../src/lib/access/command';
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
    expect(reviewed.providers).toEqual([{ arn, pending: false, issuerHost: 'gitlab.example.com', audiences: undefined }]);
    const provider = { ...reviewed.providers[0], audiences: ['https://gitlab.example.com'] };
    const decide = (project: string, ref: string) =>
      decideToken(provider, { sub: gitlabSubject(project, ref), aud: 'https://gitlab.example.com' }, reviewed.roles[0].statements).decision;
    expect([decide('acme/api', 'main'), decide('acme/api', 'feature'), decide('acme/other', 'main')]).toEqual(['allow', 'deny', 'deny']);
    expect(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')).not.toContain('aws_iam_openid_connect_provider');
  }, 60_000);

  test("another issuer's provider, or an ARN of no provider, fails the plan with the fix", () => {
    const other = plan('arn:aws:iam::123456789012:oidc-provider/gitlab.com');
    expect(other.status).toBe(1);
    expect(other.output.replace(/\s+/g, ' ')).toContain(
      'the ARN of GitlabOidcProvider \'platform/gitlab\' "arn:aws:iam::123456789012:oidc-provider/gitlab.com" is not the OIDC provider of gitlab.example.com',
    );
    const role = plan('arn:aws:iam::123456789012:role/gitlab');
    expect(role.status).toBe(1);
    expect(role.output.replace(/\s+/g, ' ')).toContain('use the ARN of an IAM OIDC provider');
  }, 60_000);
});

/**
 * Two GitLab instances in one stack: gitlab.com's provider made here (its roles' policies wait
 * for its ARN, and an output holds their conditions), and a self-managed one made elsewhere.
 * The token's issuer picks the provider, and a role refuses a token of the other instance.
 */
describeWithTerraform('a plan that trusts two GitLab issuers', () => {
  const SELF_MANAGED_ARN = 'arn:aws:iam::123456789012:oidc-provider/gitlab.acme.example';
  const SUB = 'project_path:acme/api:ref_type:branch:ref:main';
  let reviewed: ReturnType<typeof readTerraformShow>;
  let showFile: string;
  beforeAll(() => {
    const app = new App({ outdir: tempDir('two-issuers') });
    const stack = new TerraformStack(app, 'platform');
    const gitlabCom = new GitlabOidcProvider(stack, 'gitlab_com', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    const selfManaged = GitlabOidcProvider.fromArn(stack, 'acme', SELF_MANAGED_ARN, { issuerUrl: 'https://gitlab.acme.example' });
    new GitlabCiRole(stack, 'deploy', { provider: gitlabCom, subjects: [SUB] });
    new GitlabCiRole(stack, 'build', { provider: selfManaged, subjects: [SUB] });
    new TerraformOutput(stack, 'gitlab_com_conditions', { value: gitlabCom.trustConditions });
    app.synth();
    const dir = workdir(path.join(app.outdir, 'stacks', 'platform', 'cdk.tf.json'), { 'offline_provider.tf.json': OFFLINE_AWS_PROVIDER });
    init(dir);
    tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-input=false', '-out=plan.bin']);
    showFile = path.join(dir, 'plan.json');
    fs.writeFileSync(showFile, tfOk(dir, ['show', '-json', 'plan.bin']).stdout);
    reviewed = readTerraformShow(JSON.parse(fs.readFileSync(showFile, 'utf8')));
  }, 90_000);

  test('the reader finds both providers, and each role by its resource', () => {
    expect(reviewed.providers.map((p) => [p.issuerHost, p.pending, p.address ?? p.arn])).toEqual([
      ['gitlab.com', true, 'aws_iam_openid_connect_provider.gitlab_com'],
      ['gitlab.acme.example', false, SELF_MANAGED_ARN],
    ]);
    expect(reviewed.roles.map((r) => [r.name, r.source]).sort()).toEqual([
      ['build', 'assume_role_policy'],
      ['deploy', 'output'],
    ]);
  });

  test("the token's issuer picks the provider: the same sub gets into its own instance's role only", () => {
    const providers = reviewed.providers.map((p) => (p.audiences ? p : { ...p, audiences: ['https://gitlab.acme.example'] }));
    const allowedBy = (iss: string, aud: string) =>
      reviewed.roles.filter((r) => decideTokenAmong(providers, { iss, sub: SUB, aud }, r.statements).decision === 'allow').map((r) => r.name);
    expect(allowedBy('https://gitlab.com', 'https://gitlab.com')).toEqual(['deploy']);
    expect(allowedBy('https://gitlab.acme.example', 'https://gitlab.acme.example')).toEqual(['build']);
    expect(allowedBy('https://gitlab.other.example', 'https://gitlab.other.example')).toEqual([]);
    expect(decideTokenAmong(providers, { iss: 'https://gitlab.acme.example', sub: SUB, aud: 'https://gitlab.acme.example' }, role('deploy')).reason).toMatch(
      /^no Allow statement trusts the provider arn:aws:iam::123456789012:oidc-provider\/gitlab\.acme\.example/,
    );
    expect(() => decideTokenAmong(providers, { sub: SUB, aud: 'https://gitlab.com' }, role('deploy'))).toThrow(
      "the roles trust 2 OIDC issuers (gitlab.com, gitlab.acme.example): give the token's iss",
    );
  });

  test('the command asks for the issuer, and decides with it', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => errors.push(l) };
    expect(await run([showFile, '--sub', SUB], io)).toBe(2);
    expect(errors).toEqual([expect.stringMatching(/^access: the roles trust 2 OIDC issuers \(gitlab\.com, gitlab\.acme\.example\): give the token's iss/)]);
    expect(await run([showFile, '--sub', SUB, '--iss', 'https://gitlab.com'], io)).toBe(0);
    expect(lines.sort()).toEqual([
      expect.stringMatching(/^build deny no Allow statement trusts the provider \(aws_iam_openid_connect_provider\.gitlab_com\.arn/),
      expect.stringMatching(/^deploy allow /),
    ]);
  });

  test("--token: the token's own iss picks the provider in a plan as in an account", async () => {
    const unsigned = (claims: object) => [{ alg: 'RS256' }, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.c2ln';
    const token = path.join(path.dirname(showFile), 'acme.jwt');
    fs.writeFileSync(token, unsigned({ iss: 'https://gitlab.acme.example', sub: SUB, aud: 'https://gitlab.acme.example' }));
    const lines: string[] = [];
    const notes: string[] = [];
    expect(await run([showFile, '--token', token, '--provider-audience', 'https://gitlab.acme.example'], { out: (l) => lines.push(l), err: (l) => notes.push(l) })).toBe(0);
    expect(lines.sort()).toEqual([
      expect.stringMatching(/^build allow /),
      expect.stringMatching(/^deploy deny no Allow statement trusts the provider arn:aws:iam::123456789012:oidc-provider\/gitlab\.acme\.example/),
    ]);
    expect(notes).toEqual([expect.stringMatching(/^note: the signature of .*acme\.jwt is not checked/)]);
  });

  const role = (name: string) => reviewed.roles.find((r) => r.name === name)!.statements;
});
