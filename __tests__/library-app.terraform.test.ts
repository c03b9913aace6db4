import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readTerraformShow } from '../src/lib/access/terraform-show';
import { decideTokenAmong, gitlabSubject } from '../src/lib/access/gitlab-token';
import { REPO_ROOT, tempDir } from './helpers/synth';
import { OFFLINE_AWS_PROVIDER, describeWithTerraform, init, terraformEnv, tf, tfOk, validation, workdir } from './helpers/terraform';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read synthesized and planned JSON field by field */

/** The TypeScript example of README's "Use the constructs in your own CDKTF app". */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use the constructs in your own CDKTF app'));
  return /```ts\n([^]*?)```/.exec(section)![1];
}

/**
 * The package as users get it: `npm pack` (which builds it first), unpacked into a new app's
 * node_modules beside its dependencies. The fixture app imports it by name, is type-checked
 * against the packed declarations, runs, and its output is validated and planned.
 */
function packedApp(): string {
  const app = tempDir('library-app');
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', app], { cwd: REPO_ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  const installed = path.join(app, 'node_modules', 'gitlab-aws-oidc-cdktf');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(app, tarball), '-C', installed, '--strip-components=1']);
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const scopes = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), '@types/node'].map((name) => name.split('/')[0]));
  for (const scope of scopes) fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', scope), path.join(app, 'node_modules', scope));

  fs.copyFileSync(path.join(REPO_ROOT, '__tests__', 'fixtures', 'library-app', 'main.ts'), path.join(app, 'main.ts'));
  fs.writeFileSync(path.join(app, 'readme.ts'), readmeExample());
  const compilerOptions = { target: 'ES2022', module: 'commonjs', strict: true, skipLibCheck: true, types: ['node'] };
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts', 'readme.ts'] }));
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app]);
  execFileSync(process.execPath, ['main.js'], { cwd: app, env: { ...process.env, CDKTF_OUTDIR: path.join(app, 'out') } });
  return app;
}

describeWithTerraform('a CDKTF app that imports the package by name', () => {
  let app: string;
  let config: any;
  let dir: string;
  beforeAll(() => {
    app = packedApp();
    const file = path.join(app, 'out', 'stacks', 'platform', 'cdk.tf.json');
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
    dir = workdir(file, { 'offline_provider.tf.json': OFFLINE_AWS_PROVIDER });
    init(dir);
  }, 120_000);

  test('the package holds its compiled API and declarations, not its tests or scripts', () => {
    const installed = path.join(app, 'node_modules', 'gitlab-aws-oidc-cdktf');
    expect(fs.existsSync(path.join(installed, 'dist', 'src', 'lib', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'dist', 'src', 'lib', 'index.d.ts'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'dist', '__tests__'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'dist', 'scripts'))).toBe(false);
  });

  test("the package's entry point loads the library alone; the app's stack comes from gitlab-aws-oidc-cdktf/app", () => {
    const loaded = (entry: string) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          ['-e', `const m = require(${JSON.stringify(entry)}); console.log(JSON.stringify({ exports: Object.keys(m), modules: Object.keys(require.cache) }))`],
          {
            cwd: app,
            encoding: 'utf8',
          },
        ),
      ) as { exports: string[]; modules: string[] };
    const library = loaded('gitlab-aws-oidc-cdktf');
    expect(library.exports).toEqual(
      expect.arrayContaining(['GitlabOidcProvider', 'GitlabCiRole', 'decideToken', 'decideTokenAmong', 'providerForIssuer', 'readTerraformShow', 'readTerraformJson']),
    );
    expect(library.exports).not.toContain('GitlabOidcStack');
    expect(
      library.modules.filter((m) => m.includes('provider-gitlab') || m.includes(`${path.sep}jose${path.sep}`) || m.includes(`${path.sep}src${path.sep}app${path.sep}`)),
    ).toEqual([]);
    expect(loaded('gitlab-aws-oidc-cdktf/app').exports).toContain('GitlabOidcStack');
  });

  test('one provider and three roles, at addresses named by their construct ids', () => {
    expect(Object.keys(config.resource.aws_iam_openid_connect_provider)).toEqual(['gitlab']);
    expect(Object.keys(config.resource.aws_iam_role).sort()).toEqual(['deploy', 'plan', 'release']);
    expect(Object.keys(config.resource.aws_iam_role_policy_attachment).sort()).toEqual(['deploy_PowerUserAccess', 'plan_ReadOnlyAccess', 'release_ReadOnlyAccess']);
    // The constructs add no provider block (nor does this app) and leave the terraform block to the app.
    expect(config.provider).toBeUndefined();
    expect(config.terraform.required_providers).toBeUndefined();
    expect(Object.keys(config.variable)).toEqual(['release_branch']);
  });

  test('the roles known at synth are checked there and carry literal policies; the one with a variable is checked at plan', () => {
    for (const role of ['deploy', 'plan']) {
      expect(config.resource.aws_iam_role[role].lifecycle?.precondition).toBeUndefined();
      expect(config.resource.aws_iam_role[role].assume_role_policy).toMatch(/^\{"Version":"2012-10-17"/);
    }
    expect(config.resource.aws_iam_role.release.assume_role_policy).toBe('${local.gitlab_trust_policies["release"]}');
    expect(config.resource.aws_iam_role.release.lifecycle.precondition).toHaveLength(1);
  });

  test('passes terraform validate', () => {
    expect(validation(tf(dir, ['validate', '-json']))).toEqual({ valid: true, problems: [] });
  });

  test('a plan lets in the jobs the props name, and refuses the others', () => {
    tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-out=plan.bin']);
    const reviewed = readTerraformShow(JSON.parse(tfOk(dir, ['show', '-json', 'plan.bin']).stdout));
    const role = (name: string) => reviewed.roles.find((r) => r.name === name)!.statements;
    const token = (ref: string, protectedRef: boolean) => ({
      sub: gitlabSubject('acme/api', ref),
      aud: 'https://gitlab.com',
      ref_protected: String(protectedRef),
    });
    const allowed = (name: string, claims: Record<string, string>) => decideTokenAmong(reviewed.providers, claims, role(name)).decision === 'allow';

    expect(allowed('deploy', token('main', true))).toBe(true);
    expect(allowed('deploy', token('main', false))).toBe(false);
    expect(allowed('deploy', token('feature', true))).toBe(false);
    expect(allowed('plan', token('feature', false))).toBe(true);
    expect(allowed('plan', { ...token('main', true), sub: gitlabSubject('acme/other', 'main') })).toBe(false);
    expect(allowed('plan', { ...token('main', true), aud: 'https://example.com' })).toBe(false);
  }, 60_000);

  test("the package's bin decides from the installed files: the same roles let in and kept out", () => {
    const installed = path.join(app, 'node_modules', 'gitlab-aws-oidc-cdktf');
    const bin = path.join(installed, JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).bin['gitlab-oidc-access']);
    expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const plan = path.join(dir, 'plan.json');
    fs.writeFileSync(plan, tfOk(dir, ['show', '-json', 'plan.bin']).stdout);
    const access = (...args: string[]) => spawnSync(process.execPath, [bin, plan, ...args], { cwd: app, encoding: 'utf8' });
    const decisions = (r: ReturnType<typeof access>) => [
      r.status,
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ').slice(0, 2).join(' ')),
    ];
    const main = ['--project', 'acme/api', '--ref', 'main', '--aud', 'https://gitlab.com'];
    expect(decisions(access(...main, '--claim', 'ref_protected=true'))).toEqual([0, ['deploy allow', 'plan allow', 'release deny']]);
    expect(decisions(access(...main, '--claim', 'ref_protected=false'))).toEqual([0, ['deploy deny', 'plan allow', 'release deny']]);
    expect(decisions(access('--project', 'acme/api', '--ref', 'release', '--aud', 'https://gitlab.com'))).toEqual([0, ['deploy deny', 'plan allow', 'release allow']]);
    expect(decisions(access('--project', 'acme/other', '--ref', 'main', '--claim', 'ref_protected=true'))).toEqual([0, ['deploy deny', 'plan deny', 'release deny']]);
    const bad = access('--sub');
    expect([bad.status, bad.stderr.split('\n')[0]]).toEqual([2, 'access: --sub needs a value']);
  }, 60_000);

  test("cdktf's own `synth --hcl` of the app is valid Terraform: its preconditions are blocks", () => {
    fs.writeFileSync(path.join(app, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.js', terraformProviders: [], terraformModules: [] }));
    const out = path.join(app, 'hcl-out');
    const cli = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'cdktf'), ['synth', '--hcl', '--output', out], {
      cwd: app,
      encoding: 'utf8',
      env: { ...terraformEnv().env, CI: 'true', HOME: app },
    });
    expect([cli.status, cli.stderr]).toEqual([0, expect.not.stringMatching(/error/i)]);
    const hcl = path.join(out, 'stacks', 'platform', 'cdk.tf');
    expect(fs.readFileSync(hcl, 'utf8')).toMatch(/lifecycle \{\s*precondition \{/);
    const hclDir = workdir(hcl, { 'offline_provider.tf.json': OFFLINE_AWS_PROVIDER });
    init(hclDir);
    expect(validation(tf(hclDir, ['validate', '-json']))).toEqual({ valid: true, problems: [] });
  }, 90_000);

  test("README's example type-checks against the packed package and synthesizes what it says", () => {
    const out = path.join(app, 'readme-out');
    execFileSync(process.execPath, ['readme.js'], { cwd: app, env: { ...process.env, CDKTF_OUTDIR: out } });
    const readme = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'platform', 'cdk.tf.json'), 'utf8'));
    // fromArn creates no provider; the role under it trusts the ARN as written, in a literal document.
    expect(Object.keys(readme.resource.aws_iam_openid_connect_provider)).toEqual(['gitlab']);
    const release = JSON.parse(readme.resource.aws_iam_role.release.assume_role_policy);
    expect(release.Statement[0].Principal.Federated).toBe('arn:aws:iam::123456789012:oidc-provider/gitlab.acme.example');
    expect(release.Statement[0].Condition.StringLike['gitlab.acme.example:sub']).toEqual(['project_id:4242:ref_type:tag:ref:v*:ref_protected:true']);
    const deploy = JSON.parse(readme.resource.aws_iam_role.deploy.assume_role_policy);
    expect(deploy.Statement[0].Condition.StringEquals).toMatchObject({ 'gitlab.com:ref_protected': ['true'], 'gitlab.com:project_id': ['4242'] });
  });
});
