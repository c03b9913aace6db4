import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, tempDir } from './helpers/synth';
import { describeWithTerraform, terraformEnv } from './helpers/terraform';
import { ShellBlock, readmeShellBlocks, shownPattern } from './helpers/readme';
import { findPluginMirror } from '../tools/terraform-offline';

/**
 * The README's shell blocks, run as written. Each `sh` block carries a marker on the line
 * before it: `<!-- readme-blocks: run -->` (optionally `, exits 1 (why)`), `not run (why)` or
 * `run by <test>`. The blocks to run run in README order, each from the project's root in a
 * fresh copy of the project, on a machine without AWS or a registry: providers come from the
 * mirror, and AWS's STS is a stand-in on the loopback that answers GetCallerIdentity, so that
 * `terraform plan` runs with the README's own commands. Where the README shows a block's
 * output (the plain block right after it), the output must be it, `…` standing for what it
 * leaves out.
 */

/** A project folder as a fresh clone has it after npm ci, with this run's compiled files (so `tsc` has little left to do). */
function freshProject(): string {
  const dir = path.join(tempDir('readme-blocks'), 'project');
  fs.mkdirSync(dir);
  for (const file of ['cdktf.json', 'package.json', 'tsconfig.json', 'terraform.tfvars.example']) fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
  for (const link of ['main.ts', 'src', 'tools', 'scripts', 'examples', '__tests__', 'node_modules']) fs.symlinkSync(path.join(REPO_ROOT, link), path.join(dir, link));
  if (fs.existsSync(path.join(REPO_ROOT, 'dist'))) fs.cpSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  return dir;
}

/** AWS STS on the loopback, as far as the aws provider asks it at plan: who the caller is. Returns its URL once it listens. */
async function stsStandIn(): Promise<{ url: string; server: ChildProcess }> {
  const response =
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
    '<Arn>arn:aws:iam::123456789012:user/readme</Arn><UserId>AIDAREADMEREADME</UserId><Account>123456789012</Account>' +
    '</GetCallerIdentityResult><ResponseMetadata><RequestId>readme</RequestId></ResponseMetadata></GetCallerIdentityResponse>';
  const program =
    `const s = require('http').createServer((q, r) => { q.resume(); q.on('end', () => { r.setHeader('Content-Type', 'text/xml'); r.end(${JSON.stringify(response)}); }); });` +
    "s.listen(0, '127.0.0.1', () => console.log(s.address().port));";
  const server = spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => server.stdout!.once('data', (data) => resolve(String(data).trim())));
  return { url: `http://127.0.0.1:${port}`, server };
}

const blocks = readmeShellBlocks();

describeWithTerraform("the README's runnable sh blocks, run as written on a machine with no AWS and no registry", () => {
  const runs: { block: ShellBlock; status: number | null; stdout: string; stderr: string }[] = [];
  let sts: ChildProcess | undefined;
  let project: string;

  beforeAll(async () => {
    project = freshProject();
    const standIn = await stsStandIn();
    sts = standIn.server;
    const env: NodeJS.ProcessEnv = {
      ...terraformEnv().env,
      AWS_ENDPOINT_URL_STS: standIn.url,
      AWS_ACCESS_KEY_ID: 'AKIAREADMEREADMEREAD',
      AWS_SECRET_ACCESS_KEY: 'readme',
      // No registry here: the tls provider cannot be installed (see "Offline and air-gapped use").
      GITLAB_OIDC_THUMBPRINT_SOURCE: 'none',
      // The provider mirror, as "Offline and air-gapped use" asks for it.
      MIRROR: findPluginMirror() ?? '',
      CHECKPOINT_DISABLE: '1',
      CI: 'true',
      HOME: tempDir('home'),
    };
    // The README's set-up (its first block) synthesizes first; npm ci is this run's node_modules.
    const setUp = spawnSync('npx', ['cdktf', 'synth'], { cwd: project, encoding: 'utf8', env });
    if (setUp.status !== 0) throw new Error(`npx cdktf synth failed:\n${setUp.stderr}`);
    for (const block of blocks.filter((b) => /^run(,|$)/.test(b.marker))) {
      const started = Date.now();
      const r = spawnSync('bash', ['-e', '-c', block.script], { cwd: project, encoding: 'utf8', env, timeout: 120_000 });
      if (process.env.README_BLOCKS_TIMES) console.log(`README.md:${block.line} ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // Terraform colours its output for a terminal; the README shows it plain.
      // eslint-disable-next-line no-control-regex -- strips the terminal's colour codes (ESC)
      const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
      runs.push({ block, status: r.status, stdout: plain(r.stdout), stderr: plain(r.stderr) });
    }
  }, 400_000);

  afterAll(() => sts?.kill());

  test('each exits as its marker says', () => {
    const exits = (b: ShellBlock) => Number(/exits (\d+)/.exec(b.marker)?.[1] ?? 0);
    expect(runs.map((r) => ({ line: r.block.line, status: r.status, ...(r.status === exits(r.block) ? {} : { stderr: r.stderr.slice(-2000) }) }))).toEqual(
      runs.map((r) => ({ line: r.block.line, status: exits(r.block) })),
    );
  });

  test('where the README shows the output, it is what the block prints', () => {
    const shown = runs.filter((r) => r.block.shown !== undefined);
    expect(shown.length).toBeGreaterThan(2);
    for (const r of shown) expect({ line: r.block.line, stdout: r.stdout }).toEqual({ line: r.block.line, stdout: expect.stringMatching(shownPattern(r.block.shown!)) });
  });

  test("the fleet example plans the count its comment gives, and the drop-in plan the hand-written setup's", () => {
    const fleet = runs.find((r) => r.block.script.includes('-var-file=fleet.tfvars'))!;
    expect(fleet.stdout).toContain('Plan: 19 to add, 0 to change, 0 to destroy.');
    const dropIn = runs.find((r) => r.block.script.startsWith('npx cdktf synth'))!;
    expect(dropIn.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
  });

  test('offline: cdktf diff plans from the mirror with no tls provider, with AWS credentials and then with none', () => {
    const offline = runs.filter((r) => r.block.script.includes('cdktf diff --skip-provider-lock'));
    expect(offline).toHaveLength(2);
    // cdktf prefixes terraform's lines with the stack name.
    for (const r of offline) expect(r.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    const stack = path.join(project, 'cdktf.out', 'stacks', 'gitlab-oidc');
    expect(JSON.parse(fs.readFileSync(path.join(stack, 'cdk.tf.json'), 'utf8')).data?.tls_certificate).toBeUndefined();
    // The override file stays across the second diff's synth; the tfvars are the example's, copied once.
    expect(fs.readdirSync(stack)).toContain('offline_override.tf.json');
    expect(fs.readFileSync(path.join(project, 'terraform.tfvars'), 'utf8')).toBe(fs.readFileSync(path.join(project, 'terraform.tfvars.example'), 'utf8'));
  });

  test('the CI snippets written before those synths are still there', () => {
    const snippets = runs.findIndex((r) => r.block.script.includes('npm run -s ci-snippets'));
    const synthAfter = runs.findIndex((r, i) => i > snippets && /cdktf (synth|diff)/.test(r.block.script));
    expect([snippets >= 0, synthAfter > snippets]).toEqual([true, true]);
    expect(fs.readdirSync(path.join(project, 'gitlab-ci'))).toEqual(expect.arrayContaining(['example.gitlab-ci.yml', 'aws-oidc-gitlab-ci.gitlab-ci.yml']));
  });
});
