/**
 * Runs a CDKTF app written in TypeScript, as cdktf.json's `app`: `node tools/run-app.js
 * [entry.ts] [--hcl]` (default main.ts). Run by `cdktf synth`, it gets the output folder and
 * the cdktf.json context from the CLI; run on its own (`npm run synth`), it reads the context
 * of the cdktf.json beside the entry and writes to cdktf.out there, as the CLI would.
 *
 * The entry and the project sources it imports are bundled by esbuild and run. esbuild
 * removes the types without checking them, in milliseconds, from the sources as they are
 * now, so a change is always picked up; `tsc` checks the types in `npm test` and CI.
 * Packages stay outside the bundle and load from node_modules, by the deep paths the
 * sources use; this package's own name (as the examples import it) is its sources. The
 * bundle is run from memory: apps running side by side share no file.
 */
const fs = require('fs');
const path = require('path');
const Module = require('module');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const entry = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(root, 'main.ts'));
if (args.includes('--hcl')) process.env.SYNTH_HCL_OUTPUT = 'true';
if (process.env.CDKTF_CONTEXT_JSON === undefined) {
  // Not run by the cdktf CLI: what it would pass, from the cdktf.json beside the entry.
  const config = path.join(path.dirname(entry), 'cdktf.json');
  const context = fs.existsSync(config) ? JSON.parse(fs.readFileSync(config, 'utf8')).context : undefined;
  process.env.CDKTF_CONTEXT_JSON = JSON.stringify(context ?? {});
  process.env.CDKTF_OUTDIR = process.env.CDKTF_OUTDIR || path.join(path.dirname(entry), 'cdktf.out');
}
// Where the bundle would sit: packages resolve from there, and stack traces name it.
const filename = entry.replace(/\.ts$/, '.bundle.js');
const { outputFiles } = esbuild.buildSync({
  entryPoints: [entry],
  outfile: filename,
  write: false,
  bundle: true,
  packages: 'external',
  alias: { 'gitlab-aws-oidc-cdktf': path.join(root, 'src', 'index.ts') },
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Messages name constructs by their class (GitlabCiRole): keep class names as written.
  keepNames: true,
  logLevel: 'error',
});

/** The files a synth writes in each stack folder; those a new synth does not write again are removed. */
const SYNTH_FILES = ['cdk.tf.json', 'cdk.tf', 'metadata.json'];

// The app writes into a staging folder beside the output folder; only a synth that
// succeeds replaces what it writes there, so a failed one leaves the earlier output whole.
const outdir = path.resolve(process.env.CDKTF_OUTDIR || 'cdktf.out');
fs.mkdirSync(path.dirname(outdir), { recursive: true });
const staging = fs.mkdtempSync(path.join(path.dirname(outdir), `.${path.basename(outdir)}-synth-`));
process.env.CDKTF_OUTDIR = staging;
process.env.RUN_APP_OUTDIR = outdir;
// cdktf synth sets this so that an app writes its stacks despite error annotations: an error
// here fails synth before anything is published instead.
delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;

try {
  const app = new Module(filename, module);
  app.filename = filename;
  app.paths = Module._nodeModulePaths(path.dirname(filename));
  app._compile(outputFiles[0].text, filename);
  publish(staging, outdir);
} catch (error) {
  console.error(`gitlab-oidc: ${synthErrorMessage(error)}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}

/**
 * What a failed synth prints: the project's message, once, without a stack trace. cdktf's
 * annotation errors keep their lines, not its advice to set CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS.
 * An error of any other kind is a bug, and keeps its stack.
 */
function synthErrorMessage(error) {
  const message = String(error && error.message ? error.message : error);
  const annotations = /^Encountered Annotations with level "ERROR":\n([\s\S]*?)\n\nEither fix the issues above/.exec(message);
  if (annotations) return annotations[1];
  if (error && (error.name === 'SynthOptionError' || /^Validation failed with the following errors:/.test(message))) return message;
  return (error && error.stack) || message;
}

/**
 * Moves the staged synth into `outdir`: each stack's files, then the manifest that names them.
 * Anything else in a stack folder (.terraform, a local terraform.tfstate) stays.
 */
function publish(from, to) {
  const stacks = path.join(from, 'stacks');
  for (const stack of fs.existsSync(stacks) ? fs.readdirSync(stacks) : []) {
    const target = path.join(to, 'stacks', stack);
    fs.mkdirSync(target, { recursive: true });
    const written = fs.readdirSync(path.join(stacks, stack));
    for (const name of SYNTH_FILES.filter((f) => !written.includes(f))) fs.rmSync(path.join(target, name), { force: true });
    for (const name of written) {
      fs.rmSync(path.join(target, name), { recursive: true, force: true });
      fs.renameSync(path.join(stacks, stack, name), path.join(target, name));
    }
  }
  for (const name of fs.readdirSync(from).filter((f) => f !== 'stacks')) {
    fs.rmSync(path.join(to, name), { recursive: true, force: true });
    fs.renameSync(path.join(from, name), path.join(to, name));
  }
}
