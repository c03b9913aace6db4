/**
 * `npm run check:cdktn`: CDK Terrain (cdktn, the community fork of the archived cdktf)
 * synthesizes the same Terraform as cdktf from this app.
 *
 * Installs, in a temporary folder, this project's runtime dependencies with `cdktf` aliased
 * to `cdktn` (and `constructs` below 10.8, which cdktn asks for), runs the compiled app
 * (`dist/main.js`) against each install, and compares the stacks' JSON for a few
 * synth-time options. Only `//.metadata.version` may differ. Exit 0 when all match, 1 when
 * one differs, 2 when the install or a synth fails.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckError, run, runCheck } from './checks';

const ROOT = path.resolve(__dirname, '..', '..');
const CDKTN = 'cdktn@0.24.0';
const CONSTRUCTS_FOR_CDKTN = '10.7.0';
const STACK = 'gitlab-oidc';

/** Synth-time options to compare under, as cdktf.json context. */
const CONTEXTS: Record<string, Record<string, unknown>>[] = [
  { defaults: {} },
  { 'thumbprintSource none, s3 backend': { thumbprintSource: 'none', backend: 's3', backendConfig: { bucket: 'state', key: 'k', region: 'eu-west-1' } } },
  { manageGitlabVariables: { manageGitlabVariables: true } },
];

/** A folder holding the compiled app and its runtime dependencies, with cdktf aliased to cdktn. */
function cdktnInstall(work: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<'dependencies', Record<string, string>>;
  // The package's runtime dependencies (none: the app loads only cdktf and constructs). Not the
  // CLI: the app does not load it, and cdktn-cli needs Node 22.
  const deps: Record<string, string> = {
    ...manifest.dependencies,
    cdktf: `npm:${CDKTN}`,
    constructs: CONSTRUCTS_FOR_CDKTN,
  };
  const dir = path.join(work, 'cdktn');
  fs.mkdirSync(dir);
  // overrides makes the providers' own cdktf peer resolve to the alias too.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cdktn-check', private: true, dependencies: deps, overrides: { cdktf: '$cdktf' } }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--package-lock=false'], dir);
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  return dir;
}

/** The stack's JSON as the app in `appDir` writes it with `context`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of another tool's output, read field by field
function synth(appDir: string, outdir: string, context: Record<string, unknown>): Record<string, any> {
  // The CI snippets read tfvars from the working directory: the project's own, for both.
  run(process.execPath, [path.join(appDir, 'dist', 'main.js')], ROOT, { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: JSON.stringify(context) });
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8'));
}

/** The paths (keys joined by '.') at which two JSON values differ. */
export function differences(a: unknown, b: unknown, at: string[] = []): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return JSON.stringify(a) === JSON.stringify(b) ? [] : [at.join('.')];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...at, k]));
}

/** What may differ: the version cdktf records in its metadata. */
const ALLOWED = '//.metadata.version';

function main(): number {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'main.js'))) throw new CheckError('dist/main.js is missing: run npm run build first');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'check-cdktn-'));
  try {
    const cdktnDir = cdktnInstall(work);
    const version = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'cdktf', 'package.json'), 'utf8')) as { name: string; version: string };
    const used = version(cdktnDir);
    console.log(`cdktf ${version(ROOT).version} (this project) against ${used.name} ${used.version} (aliased as cdktf)`);
    if (used.name !== 'cdktn') throw new CheckError(`the alias did not take: node_modules/cdktf is ${used.name}`);
    let failed = 0;
    for (const [i, [name, context]] of CONTEXTS.flatMap((c) => Object.entries(c)).entries()) {
      const expected = synth(ROOT, path.join(work, `cdktf-${i}`), context);
      const actual = synth(cdktnDir, path.join(work, `cdktn-${i}`), context);
      const diff = differences(expected, actual).filter((p) => p !== ALLOWED);
      console.log(
        `${diff.length === 0 ? 'same' : 'DIFFERENT'}  ${name}${diff.length ? `: ${diff.slice(0, 10).join(', ')}` : ''}  (metadata version ${expected['//'].metadata.version} / ${actual['//'].metadata.version})`,
      );
      if (diff.length) failed++;
    }
    return failed ? 1 : 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) runCheck('check:cdktn', main);
