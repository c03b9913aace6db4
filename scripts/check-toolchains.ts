/**
 * `npm run check:toolchains`: the packed package, installed as a user installs it, in a new
 * app on each toolchain it supports: cdktf 0.20.x, cdktf 0.21.x and CDK Terrain (cdktn 0.24,
 * aliased as cdktf).
 *
 * For each toolchain, in a fresh folder: `npm install` of the tarball with that toolchain's
 * cdktf and constructs (one copy of each in the tree, or the check fails), the fixture app
 * `__tests__/fixtures/library-app/main.ts` type-checked against the installed declarations
 * and run for JSON and for HCL (`SYNTH_HCL_OUTPUT=true`, what `cdktf synth --hcl` sets), both
 * outputs through `terraform validate` and a plan with the mirror's aws provider, and who
 * the planned roles let in. The JSON of every toolchain must equal the first one's apart
 * from cdktf's metadata version.
 *
 * Needs the npm registry; not part of `npm test`. Exit 0 when all hold, 1 when one differs
 * or refuses, 2 when an install or a command fails.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { differences } from './check-cdktn';
import { CheckError, run, runCheck } from './checks';
import { findPluginMirror, offlineEnv, TERRAFORM, writeMirrorConfig } from '../tools/terraform-offline';
import { readTerraformShow } from '../src/lib/access/terraform-show';
import { decideTokenAmong, gitlabSubject } from '../src/lib/access/gitlab-token';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURE = path.join(ROOT, '__tests__', 'fixtures', 'library-app', 'main.ts');
const STACK = 'platform';

/** The toolchains the package supports, as an app's dependencies pin them. */
const TOOLCHAINS: readonly { readonly name: string; readonly cdktf: string; readonly constructs: string }[] = [
  { name: 'cdktf 0.20', cdktf: '0.20.12', constructs: '10.3.0' },
  { name: 'cdktf 0.21', cdktf: '0.21.0', constructs: '10.4.2' },
  // cdktn asks for constructs below 10.8.
  { name: 'cdktn 0.24', cdktf: 'npm:cdktn@0.24.0', constructs: '10.7.0' },
];

/** What may differ between toolchains' JSON: the version cdktf records in its metadata. */
const ALLOWED = '//.metadata.version';

/** The aws provider block for a plan without credentials or network (the fixture writes none). */
const OFFLINE_AWS = { provider: { aws: [{ region: 'eu-west-1', skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true }] } };

/** A toolchain on which the package does not hold: reported, and the check goes on with the next one (exit 1). */
class Refused extends Error {}

/** Every installed copy of the named packages in an app's tree, as `name@version at path`. */
function copies(app: string, names: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (modules: string) => {
    if (!fs.existsSync(modules)) return;
    for (const entry of fs.readdirSync(modules)) {
      const dirs = entry.startsWith('@') ? fs.readdirSync(path.join(modules, entry)).map((e) => path.join(entry, e)) : [entry];
      for (const dir of dirs) {
        const manifest = path.join(modules, dir, 'package.json');
        if (!fs.existsSync(manifest)) continue;
        const { name, version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string; version: string };
        if (names.includes(name)) found.push(`${name}@${version} at ${path.relative(app, path.join(modules, dir))}`);
        walk(path.join(modules, dir, 'node_modules'));
      }
    }
  };
  walk(path.join(app, 'node_modules'));
  return found;
}

/** A new app folder with the tarball and the toolchain installed, and the fixture compiled. */
function install(work: string, tarball: string, toolchain: (typeof TOOLCHAINS)[number]): string {
  const app = path.join(work, toolchain.name.replace(/\W+/g, '-'));
  fs.mkdirSync(app);
  const manifest = {
    name: 'library-user',
    private: true,
    dependencies: { cdktf: toolchain.cdktf, constructs: toolchain.constructs, 'gitlab-aws-oidc-cdktf': `file:${tarball}` },
    // Makes every package's own cdktf (a peer) resolve to the app's, the alias included.
    overrides: { cdktf: '$cdktf' },
  };
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--package-lock=false'], app);
  const duplicated = ['cdktf', 'cdktn', 'constructs'].map((name) => copies(app, [name])).filter((c) => c.length > 1);
  if (duplicated.length) throw new Refused(`${toolchain.name}: more than one copy in the tree: ${duplicated.flat().join('; ')}`);

  fs.copyFileSync(FIXTURE, path.join(app, 'main.ts'));
  const compilerOptions = { target: 'ES2022', module: 'commonjs', strict: true, skipLibCheck: true, types: [] };
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }));
  run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
  return app;
}

/** Synthesizes the app (JSON, or HCL as `cdktf synth --hcl` asks for it); returns the stack's folder. */
function synth(app: string, hcl: boolean): string {
  const outdir = path.join(app, hcl ? 'out-hcl' : 'out');
  run(process.execPath, ['main.js'], app, { ...process.env, CDKTF_OUTDIR: outdir, SYNTH_HCL_OUTPUT: String(hcl) });
  return path.join(outdir, 'stacks', STACK);
}

/** `terraform validate` and a plan of a synthesized stack; returns the plan as `terraform show -json` gives it. */
function validateAndPlan(stack: string, cliConfig: string): Record<string, unknown> {
  const env = offlineEnv(cliConfig);
  fs.writeFileSync(path.join(stack, 'offline_provider.tf.json'), JSON.stringify(OFFLINE_AWS));
  run(TERRAFORM, ['init', '-input=false', '-no-color'], stack, env);
  const validation = JSON.parse(spawnSync(TERRAFORM, ['validate', '-json', '-no-color'], { cwd: stack, env, encoding: 'utf8' }).stdout) as {
    valid: boolean;
    diagnostics: { summary: string; detail: string }[];
  };
  if (!validation.valid) throw new Refused(`terraform validate refuses ${stack}: ${validation.diagnostics.map((d) => `${d.summary}: ${d.detail}`).join('; ')}`);
  run(TERRAFORM, ['plan', '-refresh=false', '-lock=false', '-input=false', '-no-color', '-out=plan.bin'], stack, env);
  return JSON.parse(run(TERRAFORM, ['show', '-json', 'plan.bin'], stack, env)) as Record<string, unknown>;
}

/** Who the fixture's roles let in, by the planned trust policies: it names what it expects. */
function checkAccess(label: string, plan: Record<string, unknown>): void {
  const reviewed = readTerraformShow(plan);
  const allowed = (role: string, ref: string, refProtected: boolean) => {
    const statements = reviewed.roles.find((r) => r.name === role)?.statements;
    if (!statements) throw new Refused(`${label}: the plan has no role ${role}`);
    const claims = { sub: gitlabSubject('acme/api', ref), aud: 'https://gitlab.com', ref_protected: String(refProtected) };
    return decideTokenAmong(reviewed.providers, claims, statements).decision === 'allow';
  };
  const cases: [string, string, boolean, boolean][] = [
    ['deploy', 'main', true, true],
    ['deploy', 'main', false, false],
    ['deploy', 'feature', true, false],
    ['plan', 'feature', false, true],
  ];
  const wrong = cases.filter(([role, ref, refProtected, expected]) => allowed(role, ref, refProtected) !== expected);
  if (wrong.length) throw new Refused(`${label}: decisions differ from the props: ${JSON.stringify(wrong)}`);
}

function main(): number {
  const mirror = findPluginMirror();
  if (!mirror) throw new CheckError('no provider mirror: set TF_PLUGIN_MIRROR to a filesystem_mirror root holding hashicorp/aws');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'check-toolchains-'));
  try {
    const tarball = path.join(work, run('npm', ['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop()!);
    const cliConfig = writeMirrorConfig(work, mirror);
    let first: { name: string; json: unknown } | undefined;
    let failed = 0;
    for (const toolchain of TOOLCHAINS) {
      try {
        const app = install(work, tarball, toolchain);
        const used = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'cdktf', 'package.json'), 'utf8')) as { name: string; version: string };
        const jsonStack = synth(app, false);
        // cdktf's default local backend records the app's folder, which each toolchain has its own of.
        const json = JSON.parse(fs.readFileSync(path.join(jsonStack, 'cdk.tf.json'), 'utf8').split(app).join('<app>'));
        checkAccess(`${toolchain.name} JSON`, validateAndPlan(jsonStack, cliConfig));
        checkAccess(`${toolchain.name} HCL`, validateAndPlan(synth(app, true), cliConfig));
        const diff = first ? differences(first.json, json).filter((p) => p !== ALLOWED) : [];
        if (diff.length) throw new Refused(`${toolchain.name}: JSON differs from ${first!.name} at ${diff.slice(0, 10).join(', ')}`);
        first ??= { name: toolchain.name, json };
        console.log(
          `ok  ${toolchain.name} (${used.name} ${used.version}, ${copies(app, ['constructs'])[0]}): JSON and HCL validate and plan; roles decide as their props say${first.name === toolchain.name ? '' : `; JSON as ${first.name}'s`}`,
        );
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        console.log(`FAIL ${error.message}`);
        failed++;
      }
    }
    return failed ? 1 : 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) runCheck('check:toolchains', main);
