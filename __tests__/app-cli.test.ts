import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, tempDir } from './helpers/synth';
import { describeWithTerraform } from './helpers/terraform';

/** The `app` command of cdktf.json, with the project's path: what `cdktf synth` runs. */
const APP = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdktf.json'), 'utf8')).app.replace('tools/', `${REPO_ROOT}/tools/`);

/** Runs the app as `cdktf synth` does: output dir and cdktf.json context through the environment. */
function synthApp(outdir: string, context: Record<string, unknown>, env: Record<string, string> = {}, cwd = REPO_ROOT) {
  return spawnSync(APP, {
    shell: true,
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: JSON.stringify(context), ...env },
  });
}

function runApp(context: Record<string, unknown>, env: Record<string, string> = {}, cwd = REPO_ROOT) {
  const outdir = tempDir('app');
  const r = synthApp(outdir, context, env, cwd);
  return { ...r, stackDir: path.join(outdir, 'stacks', 'gitlab-oidc'), ciDir: path.join(outdir, 'gitlab-ci') };
}

describe('the synth app, as cdktf.json runs it', () => {
  test('writes cdk.tf.json from the cdktf.json context', () => {
    const r = runApp({ thumbprintSource: 'none' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const tf = JSON.parse(fs.readFileSync(path.join(r.stackDir, 'cdk.tf.json'), 'utf8'));
    expect(tf.data?.tls_certificate).toBeUndefined();
  });

  test('an unknown thumbprint source fails synth with a message naming it and the fix', () => {
    const r = runApp({ thumbprintSource: 'tls' }, { GITLAB_OIDC_THUMBPRINT_SOURCE: 'sha1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('gitlab-oidc: Unknown thumbprintSource "sha1" (from environment variable GITLAB_OIDC_THUMBPRINT_SOURCE): use one of "tls", "none".');
  });

  test('reads no tfvars: a broken terraform.tfvars beside it is left to terraform plan to report', () => {
    const project = tempDir('project');
    fs.writeFileSync(path.join(project, 'terraform.tfvars'), 'mygitlab_match_value = ["project_path:g/p:ref_type:branch:ref:main"\n');
    const r = runApp({ thumbprintSource: 'none' }, {}, project);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(r.stackDir, 'cdk.tf.json'))).toBe(true);
  });

  test('removes the CI snippets an earlier release wrote at synth: they now come from the plan', () => {
    const first = runApp({ thumbprintSource: 'none' });
    fs.mkdirSync(first.ciDir, { recursive: true });
    fs.writeFileSync(path.join(first.ciDir, 'aws-oidc-gitlab-ci.gitlab-ci.yml'), 'stale');
    const outdir = path.dirname(first.ciDir);
    const r = synthApp(outdir, { thumbprintSource: 'none' });
    expect(r.status).toBe(0);
    expect(fs.existsSync(first.ciDir)).toBe(false);
  });

  test('a misspelt option in the cdktf.json context fails synth in one line with the nearest option, and writes nothing', () => {
    const r = runApp({ thumbprintSorce: 'none' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'gitlab-oidc: Unknown option "thumbprintSorce" in the cdktf.json context: did you mean "thumbprintSource"? The options are thumbprintSource, backend, backendConfig, manageGitlabVariables.',
    ]);
    expect(fs.existsSync(r.stackDir)).toBe(false);
  });

  test('an option of an earlier release fails synth in one line, with what replaces it, and writes nothing', () => {
    const r = runApp({ thumbprintSource: 'none', ciTfvars: ['terraform.tfvars'] });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('gitlab-oidc: ciTfvars (from cdktf.json context "ciTfvars") was removed');
    expect(fs.existsSync(r.stackDir)).toBe(false);
  });

  test('backendConfig for another backend fails synth in one line, and leaves the earlier output whole', () => {
    const first = runApp({ thumbprintSource: 'none' });
    const before = fs.readFileSync(path.join(first.stackDir, 'cdk.tf.json'), 'utf8');
    const files = fs.readdirSync(first.stackDir);
    const outdir = path.dirname(path.dirname(first.stackDir));
    const r = synthApp(outdir, { thumbprintSource: 'none', backend: 'local', backendConfig: { bucket: 'my-state', key: 'gitlab-oidc.tfstate' } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'gitlab-oidc: backendConfig.bucket is not a setting of the "local" backend: it is a setting of the "s3" backend: set "backend": "s3", or remove it.',
    ]);
    expect(fs.readdirSync(first.stackDir)).toEqual(files);
    expect(fs.readFileSync(path.join(first.stackDir, 'cdk.tf.json'), 'utf8')).toBe(before);
  });
});

// terraform fmt formats cdk.tf: a Terraform-level test.
describeWithTerraform('the synth app with --hcl', () => {
  test('with --hcl it writes only cdk.tf, removing the cdk.tf.json of an earlier synth', () => {
    const json = runApp({});
    expect(fs.existsSync(path.join(json.stackDir, 'cdk.tf.json'))).toBe(true);
    const outdir = path.dirname(path.dirname(json.stackDir));
    const r = synthApp(outdir, {}, { SYNTH_HCL_OUTPUT: 'true' });
    expect(r.status).toBe(0);
    expect(fs.readdirSync(json.stackDir).filter((f) => f.startsWith('cdk.'))).toEqual(['cdk.tf']);
    expect(fs.readFileSync(path.join(json.stackDir, 'cdk.tf'), 'utf8')).toContain('data "tls_certificate" "gitlab" {');
  });
});
