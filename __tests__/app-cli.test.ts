import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, tempDir } from './helpers/synth';
import { describeWithTerraform, runAsync, terraformEnv } from './helpers/terraform';
import { ISSUER_URL } from '../src/lib/guardrails/rules';

/** The `app` command of cdktf.json, with the project's path: what `cdktf synth` runs. */
const APP = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdktf.json'), 'utf8')).app.replace('tools/', `${REPO_ROOT}/tools/`);

/** Runs the app as `cdktf synth` does: output dir and cdktf.json context through the environment. */
function synthApp(outdir: string, context: Record<string, unknown>, env: Record<string, string> = {}, cwd = REPO_ROOT) {
  return runAsync(APP, [], {
    shell: true,
    cwd,
    env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: JSON.stringify(context), ...env },
  });
}

async function runApp(context: Record<string, unknown>, env: Record<string, string> = {}, cwd = REPO_ROOT) {
  const outdir = tempDir('app');
  const r = await synthApp(outdir, context, env, cwd);
  return { ...r, stackDir: path.join(outdir, 'stacks', 'gitlab-oidc'), ciDir: path.join(outdir, 'gitlab-ci') };
}

/** The issuer-app fixture, run as cdktf.json runs an app, into `outdir`. */
const runIssuerApp = (outdir: string, env: Record<string, string>) =>
  runAsync('node', [path.join(REPO_ROOT, 'tools', 'run-app.js'), path.join(__dirname, 'fixtures', 'issuer-app', 'main.ts')], {
    env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, ...env },
  });
const ISSUER_REFUSED = `[issuer/gitlab] GitlabOidcProvider 'issuer/gitlab': issuerUrl "http://gitlab.com" is refused: ${ISSUER_URL.fix}.`;

describe('the synth app, as cdktf.json runs it', () => {
  test.concurrent('writes cdk.tf.json from the cdktf.json context', async () => {
    const r = await runApp({ thumbprintSource: 'none' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const tf = JSON.parse(fs.readFileSync(path.join(r.stackDir, 'cdk.tf.json'), 'utf8'));
    expect(tf.data?.tls_certificate).toBeUndefined();
  });

  test.concurrent('an unknown thumbprint source fails synth with a message naming it and the fix', async () => {
    const r = await runApp({ thumbprintSource: 'tls' }, { GITLAB_OIDC_THUMBPRINT_SOURCE: 'sha1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('gitlab-oidc: Unknown thumbprintSource "sha1" (from environment variable GITLAB_OIDC_THUMBPRINT_SOURCE): use one of "tls", "none".');
  });

  test.concurrent('reads no tfvars: a broken terraform.tfvars beside it is left to terraform plan to report', async () => {
    const project = tempDir('project');
    fs.writeFileSync(path.join(project, 'terraform.tfvars'), 'mygitlab_match_value = ["project_path:g/p:ref_type:branch:ref:main"\n');
    const r = await runApp({ thumbprintSource: 'none' }, {}, project);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(r.stackDir, 'cdk.tf.json'))).toBe(true);
  });

  test.concurrent('removes the CI snippets an earlier release wrote at synth: they now come from the plan', async () => {
    const first = await runApp({ thumbprintSource: 'none' });
    fs.mkdirSync(first.ciDir, { recursive: true });
    fs.writeFileSync(path.join(first.ciDir, 'aws-oidc-gitlab-ci.gitlab-ci.yml'), 'stale');
    const outdir = path.dirname(first.ciDir);
    const r = await synthApp(outdir, { thumbprintSource: 'none' });
    expect(r.status).toBe(0);
    expect(fs.existsSync(first.ciDir)).toBe(false);
  });

  test.concurrent('a misspelt option in the cdktf.json context fails synth in one line with the nearest option, and writes nothing', async () => {
    const r = await runApp({ thumbprintSorce: 'none' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'gitlab-oidc: Unknown option "thumbprintSorce" in the cdktf.json context: did you mean "thumbprintSource"? The options are thumbprintSource, backend, backendConfig, manageGitlabVariables.',
    ]);
    expect(fs.existsSync(r.stackDir)).toBe(false);
  });

  test.concurrent('a misspelt GITLAB_OIDC_ variable fails synth in one line with the nearest variable, and writes nothing', async () => {
    const r = await runApp({ thumbprintSource: 'none' }, { GITLAB_OIDC_THUMBPRINT_SORCE: 'none' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'gitlab-oidc: Unknown environment variable GITLAB_OIDC_THUMBPRINT_SORCE: did you mean GITLAB_OIDC_THUMBPRINT_SOURCE? ' +
        "The options' variables are GITLAB_OIDC_THUMBPRINT_SOURCE, GITLAB_OIDC_BACKEND, GITLAB_OIDC_BACKEND_CONFIG, GITLAB_OIDC_MANAGE_GITLAB_VARIABLES.",
    ]);
    expect(fs.existsSync(r.stackDir)).toBe(false);
  });

  test.concurrent('an option of an earlier release fails synth in one line, with what replaces it, and writes nothing', async () => {
    const r = await runApp({ thumbprintSource: 'none', ciTfvars: ['terraform.tfvars'] });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('gitlab-oidc: ciTfvars (from cdktf.json context "ciTfvars") was removed');
    expect(fs.existsSync(r.stackDir)).toBe(false);
  });

  test.concurrent('backendConfig for another backend fails synth in one line, and leaves the earlier output whole', async () => {
    const first = await runApp({ thumbprintSource: 'none' });
    const before = fs.readFileSync(path.join(first.stackDir, 'cdk.tf.json'), 'utf8');
    const files = fs.readdirSync(first.stackDir);
    const outdir = path.dirname(path.dirname(first.stackDir));
    const r = await synthApp(outdir, { thumbprintSource: 'none', backend: 'local', backendConfig: { bucket: 'my-state', key: 'gitlab-oidc.tfstate' } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'gitlab-oidc: backendConfig.bucket is not a setting of the "local" backend: it is a setting of the "s3" backend: set "backend": "s3" in the cdktf.json context, or remove it.',
    ]);
    expect(fs.readdirSync(first.stackDir)).toEqual(files);
    expect(fs.readFileSync(path.join(first.stackDir, 'cdk.tf.json'), 'utf8')).toBe(before);
  });

  test.concurrent('a value a construct refuses fails synth in one line, without a stack trace, and leaves the earlier output whole', async () => {
    const outdir = tempDir('issuer-app');
    // Run on its own (npm run synth), the app reads the context of the cdktf.json beside it.
    const first = await runIssuerApp(outdir, {});
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const file = path.join(outdir, 'stacks', 'issuer', 'cdk.tf.json');
    const before = fs.readFileSync(file, 'utf8');

    const r = await runIssuerApp(outdir, { CDKTF_CONTEXT_JSON: JSON.stringify({ issuerUrl: 'http://gitlab.com' }) });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`gitlab-oidc: ${ISSUER_REFUSED}`]);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(path.dirname(outdir)).filter((f) => f.startsWith(`.${path.basename(outdir)}-synth-`))).toEqual([]);
  });

  test.concurrent(
    'for cdktf synth (which shows annotations itself), a failed synth prints nothing: its error is an annotation of the earlier manifest, the stack files as they were',
    async () => {
      const outdir = tempDir('issuer-app');
      expect((await runIssuerApp(outdir, {})).status).toBe(0);
      const stackFiles = () =>
        Object.fromEntries(fs.readdirSync(path.join(outdir, 'stacks', 'issuer')).map((f) => [f, fs.readFileSync(path.join(outdir, 'stacks', 'issuer', f), 'utf8')]));
      const before = stackFiles();
      const earlier = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));

      const r = await runIssuerApp(outdir, { CDKTF_CONTEXT_JSON: JSON.stringify({ issuerUrl: 'http://gitlab.com' }), CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
      expect(manifest.stacks.issuer.annotations).toEqual([{ constructPath: 'gitlab-oidc', level: '@cdktf/error', message: ISSUER_REFUSED }]);
      expect({ ...manifest.stacks.issuer, annotations: [] }).toEqual(earlier.stacks.issuer);
      expect(stackFiles()).toEqual(before);
    },
  );

  test.concurrent("for cdktf synth with no earlier output, the error's manifest names a stand-in that holds no Terraform, which the next synth removes", async () => {
    const outdir = tempDir('issuer-app');
    const underCli = { CDKTF_CONTEXT_JSON: JSON.stringify({ issuerUrl: 'http://gitlab.com' }), CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' };
    expect((await runIssuerApp(outdir, underCli)).status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.values(manifest.stacks).map((s: any) => [s.name, s.annotations.map((a: any) => a.message)])).toEqual([['synth-failed', [ISSUER_REFUSED]]]); // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of another tool's output, read field by field
    expect(fs.readdirSync(outdir).sort()).toEqual(['manifest.json', 'synth-failed']);
    expect(fs.readdirSync(path.join(outdir, 'synth-failed'))).toEqual(['metadata.json']);

    expect((await runIssuerApp(outdir, {})).status).toBe(0);
    expect(fs.readdirSync(outdir).sort()).toEqual(['manifest.json', 'stacks']);
  });

  test.concurrent('a change to any file the app imports is picked up by the next run, though the runner keeps its last bundle', async () => {
    const dir = tempDir('edited-app');
    // Packages resolve from beside the entry, as in a project of its own.
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const entry = path.join(dir, 'main.ts');
    fs.writeFileSync(
      entry,
      [
        "import { App, TerraformStack } from 'cdktf';",
        "import { AwsProvider } from '@cdktf/provider-aws/lib/provider';",
        "import { REGION } from './region';",
        'const app = new App();',
        "new AwsProvider(new TerraformStack(app, 'edited'), 'aws', { region: REGION });",
        'app.synth();',
      ].join('\n'),
    );
    const region = async (value: string) => {
      fs.writeFileSync(path.join(dir, 'region.ts'), `export const REGION = '${value}';\n`);
      const r = await runAsync('node', [path.join(REPO_ROOT, 'tools', 'run-app.js'), entry], { cwd: REPO_ROOT, env: { PATH: process.env.PATH } });
      expect(r.stderr).toBe('');
      return JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'edited', 'cdk.tf.json'), 'utf8')).provider.aws[0].region;
    };
    expect(await region('eu-west-1')).toBe('eu-west-1');
    expect(await region('eu-central-1')).toBe('eu-central-1');
  });

  test.concurrent('an app with no stack synthesizes its manifest, as cdktf does', async () => {
    const dir = tempDir('empty-app');
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'main.ts'), "import { App } from 'cdktf';\nnew App().synth();\n");
    const r = await runAsync('node', [path.join(REPO_ROOT, 'tools', 'run-app.js'), path.join(dir, 'main.ts')], { env: { PATH: process.env.PATH } });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), 'utf8')).stacks).toEqual({});
  });

  test.concurrent('a bundle is not kept when a file it read was written after the bundling started', async () => {
    const dir = tempDir('touched-app');
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const entry = path.join(dir, 'main.ts');
    fs.writeFileSync(entry, "import { App } from 'cdktf';\nnew App().synth();\n");
    const cache = tempDir('bundle-cache');
    const runEntry = () => runAsync('node', [path.join(REPO_ROOT, 'tools', 'run-app.js'), entry], { env: { PATH: process.env.PATH, RUN_APP_BUNDLE_CACHE: cache } });
    // As if saved while the bundle was being made: its time is after the run starts.
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(entry, later, later);
    expect((await runEntry()).status).toBe(0);
    expect(fs.readdirSync(cache)).toEqual([]);
    const now = new Date();
    fs.utimesSync(entry, now, now);
    expect((await runEntry()).status).toBe(0);
    expect(fs.readdirSync(cache)).toHaveLength(1);
  });

  test.concurrent('a warning says "warning": with no terraform to format cdk.tf, synth passes and says so in one line', async () => {
    const r = await runApp({ thumbprintSource: 'none' }, { SYNTH_HCL_OUTPUT: 'true', TERRAFORM_BINARY_NAME: 'no-such-terraform' });
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(['gitlab-oidc: warning: no-such-terraform fmt could not run (spawnSync no-such-terraform ENOENT); cdk.tf is left unformatted.']);
    expect(fs.readdirSync(r.stackDir).filter((f) => f.startsWith('cdk.'))).toEqual(['cdk.tf']);
  });
});

// terraform fmt formats cdk.tf: a Terraform-level test.
describeWithTerraform('the synth app with --hcl', () => {
  test('with --hcl it writes only cdk.tf, removing the cdk.tf.json of an earlier synth', async () => {
    const json = await runApp({});
    expect(fs.existsSync(path.join(json.stackDir, 'cdk.tf.json'))).toBe(true);
    const outdir = path.dirname(path.dirname(json.stackDir));
    const r = await synthApp(outdir, {}, { SYNTH_HCL_OUTPUT: 'true' });
    expect(r.status).toBe(0);
    expect(fs.readdirSync(json.stackDir).filter((f) => f.startsWith('cdk.'))).toEqual(['cdk.tf']);
    expect(fs.readFileSync(path.join(json.stackDir, 'cdk.tf'), 'utf8')).toContain('data "tls_certificate" "gitlab" {');
  });
});

// The cdktf CLI runs terraform to read its version: a Terraform-level test.
describeWithTerraform('the app under the cdktf CLI', () => {
  test('cdktf synth with a misspelt option exits 1 with the message once, no stack trace, and the earlier output whole; with no earlier output too', () => {
    const project = tempDir('cli-project');
    const context = { thumbprintSorce: 'none' };
    fs.writeFileSync(path.join(project, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${REPO_ROOT}/tools/run-app.js ${REPO_ROOT}/main.ts`, context }));
    const cdktf = () =>
      spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'cdktf'), ['synth'], { cwd: project, encoding: 'utf8', env: { ...terraformEnv().env, CI: 'true', HOME: project } });
    const message = 'Unknown option "thumbprintSorce" in the cdktf.json context: did you mean "thumbprintSource"?';
    const expectOnce = (r: ReturnType<typeof cdktf>) => {
      expect(r.status).toBe(1);
      expect(`${r.stdout}${r.stderr}`.split(message)).toHaveLength(2);
      expect(r.stdout).toContain(`ERROR [gitlab-oidc]: ${message}`);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/^\s+at /m);
    };

    expectOnce(cdktf());
    // An earlier output, as the app writes it for cdktf synth.
    const outdir = path.join(project, 'cdktf.out');
    const good = spawnSync('node', [path.join(REPO_ROOT, 'tools', 'run-app.js'), path.join(REPO_ROOT, 'main.ts')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: JSON.stringify({ thumbprintSource: 'none' }) },
    });
    expect(good.status).toBe(0);
    const file = path.join(outdir, 'stacks', 'gitlab-oidc', 'cdk.tf.json');
    const before = fs.readFileSync(file, 'utf8');

    expectOnce(cdktf());
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });
});
