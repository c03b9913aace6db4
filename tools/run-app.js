/**
 * Runs a CDKTF app written in TypeScript, as cdktf.json's `app`: `node tools/run-app.js
 * [entry.ts] [--hcl]` (default main.ts). Run by `cdktf synth`, it gets the output folder and
 * the cdktf.json context from the CLI; run on its own (`npm run synth`), it reads the context
 * of the cdktf.json beside the entry and writes to cdktf.out there, as the CLI would.
 *
 * The entry, the project sources it imports and the packages they load (cdktf, the provider
 * bindings by the deep paths the sources use) are bundled by esbuild and run. esbuild
 * removes the types without checking them, in milliseconds, from the sources as they are
 * now, so a change is always picked up; `tsc` checks the types in `npm test` and CI. This
 * package's own name (as the examples import it) is its sources. The bundle is run from
 * memory, and kept for the next run while none of its inputs changes (cachedBundle).
 *
 * Packages are bundled too because loading cdktf from node_modules was most of the app's
 * time: about 400 modules, each found, read and compiled on its own (0.24 of 0.40 s here);
 * one bundle of the same code ran the app in about 0.3 s.
 */
const fs = require('fs');
const path = require('path');
const Module = require('module');
const crypto = require('crypto');

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
/** Where the last bundle of each entry is kept (cachedBundle): env RUN_APP_BUNDLE_CACHE, else under node_modules/.cache. */
const BUNDLE_CACHE = process.env.RUN_APP_BUNDLE_CACHE || path.join(root, 'node_modules', '.cache', 'gitlab-oidc-run-app');
const CACHE_FILE = path.join(BUNDLE_CACHE, `${crypto.createHash('sha256').update(entry).digest('hex').slice(0, 16)}.json`);
// Where the bundle would sit: packages resolve from there, and stack traces name it.
const filename = entry.replace(/\.ts$/, '.bundle.js');
const bundle = cachedBundle() ?? build();

/**
 * Bundles the entry with esbuild, and keeps the bundle (see cachedBundle) with a hash of each
 * file that went into it.
 */
function build() {
  const started = Date.now();
  // Loaded only to bundle: a cached bundle runs without it.
  const { outputFiles, metafile } = require('esbuild').buildSync({
    entryPoints: [entry],
    outfile: filename,
    write: false,
    bundle: true,
    metafile: true,
    alias: { 'gitlab-aws-oidc-cdktf': path.join(root, 'src', 'lib', 'index.ts') },
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Messages name constructs by their class (GitlabCiRole): keep class names as written.
    keepNames: true,
    logLevel: 'error',
  });
  // Besides the files it read, esbuild takes settings from tsconfig.json, which it does not list.
  const tsconfig = path.join(root, 'tsconfig.json');
  const inputs = [__filename, ...(fs.existsSync(tsconfig) ? [tsconfig] : []), ...Object.keys(metafile.inputs).map((input) => path.resolve(input))];
  const code = outputFiles[0].text;
  // A file written since the build started may hold content the bundle does not: keep nothing,
  // or its new hash would stand for the old content.
  if (inputs.some((f) => fs.statSync(f).mtimeMs >= started)) return code;
  try {
    // Written whole, then renamed: apps running side by side read one bundle or the other.
    fs.mkdirSync(BUNDLE_CACHE, { recursive: true });
    const staged = `${CACHE_FILE}.${process.pid}`;
    fs.writeFileSync(staged, JSON.stringify({ inputs: Object.fromEntries(inputs.map((f) => [f, fingerprint(f)])), code }));
    fs.renameSync(staged, CACHE_FILE);
  } catch {
    // No cache where node_modules cannot be written: the next run bundles again.
  }
  return code;
}

/**
 * The last bundle of this entry, if every file that went into it (and this runner and the
 * project's tsconfig.json) is still as it was then: a change to any of them is picked up,
 * and a new import can only come from a changed file. Starting esbuild is about 0.1 s of
 * the app's time.
 */
function cachedBundle() {
  try {
    const { inputs, code } = JSON.parse(fs.readFileSync(CACHE_FILE, 'utf8'));
    return Object.entries(inputs).every(([file, print]) => fingerprint(file) === print) ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What stands for a file's content: a hash of it for the project's files; for a package's
 * files (about 400), which change only when npm writes them again, their size and time of
 * writing, which cost a stat instead of a read.
 */
function fingerprint(file) {
  if (file.split(path.sep).includes('node_modules')) {
    const { size, mtimeMs } = fs.statSync(file);
    return `${size}:${mtimeMs}`;
  }
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The files a synth writes in each stack folder; those a new synth does not write again are removed. */
const SYNTH_FILES = ['cdk.tf.json', 'cdk.tf', 'metadata.json'];
/** Where a failed synth's manifest puts its stand-in stack, when no earlier synth left one (reportToCli). */
const FAILED_SYNTH = 'synth-failed';
/** cdktf's error for annotations of level ERROR: the lines between are the project's. */
const ANNOTATION_ERRORS = /^Encountered Annotations with level "ERROR":\n([\s\S]*?)\n\nEither fix the issues above/;

// The app writes into a staging folder beside the output folder; only a synth that
// succeeds replaces what it writes there, so a failed one leaves the earlier output whole.
const outdir = path.resolve(process.env.CDKTF_OUTDIR || 'cdktf.out');
fs.mkdirSync(path.dirname(outdir), { recursive: true });
const staging = fs.mkdtempSync(path.join(path.dirname(outdir), `.${path.basename(outdir)}-synth-`));
process.env.CDKTF_OUTDIR = staging;
process.env.RUN_APP_OUTDIR = outdir;
// cdktf synth sets this so that an app writes its stacks despite error annotations, which the
// CLI then shows itself. Here an error fails synth before anything is published instead, and
// reaches the CLI as an annotation of the manifest (reportToCli).
const cliShowsAnnotations = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === 'true';
delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;

try {
  const app = new Module(filename, module);
  app.filename = filename;
  app.paths = Module._nodeModulePaths(path.dirname(filename));
  app._compile(bundle, filename);
  publish(staging, outdir);
} catch (error) {
  const message = synthErrorMessage(error);
  if (!(cliShowsAnnotations && !isBug(error) && reportToCli(outdir, message))) {
    console.error(`gitlab-oidc: ${message}`);
    process.exitCode = 1;
  }
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}

/**
 * What a failed synth prints: the project's message, once, without a stack trace. cdktf's
 * annotation errors keep their lines, not its advice to set CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS.
 * An error of any other kind is a bug, and keeps its stack.
 */
function synthErrorMessage(error) {
  const annotations = ANNOTATION_ERRORS.exec(messageOf(error));
  if (annotations) return annotations[1];
  return isBug(error) ? (error && error.stack) || messageOf(error) : messageOf(error);
}

function messageOf(error) {
  return String(error && error.message ? error.message : error);
}

/** Whether an error is not one of the project's messages about its input. */
function isBug(error) {
  const message = messageOf(error);
  return !(ANNOTATION_ERRORS.test(message) || (error && error.name === 'SynthOptionError') || /^Validation failed with the following errors:/.test(message));
}

/**
 * Under `cdktf synth`, a project error goes where the CLI shows it once: as an error annotation
 * in the manifest, with nothing printed. The CLI prints every byte an app writes twice (as it
 * comes, then in its summary); an annotation it prints once, as "ERROR [gitlab-oidc]: ...",
 * followed by its own line that errors were found, and it exits 1.
 *
 * The CLI reads every stack the manifest names, and deletes stack folders it does not name. So
 * the earlier manifest is kept, with the error on its first stack, and every stack file stays
 * as it was; `cdktf diff --skip-synth` then refuses them too, until a synth succeeds. With no
 * earlier output, the manifest names a stand-in stack outside `stacks/` that holds no
 * Terraform. Returns false where neither fits (then the message is printed as usual).
 */
function reportToCli(outdir, message) {
  const annotation = { constructPath: 'gitlab-oidc', level: '@cdktf/error', message };
  const manifestFile = path.join(outdir, 'manifest.json');
  const hcl = process.env.SYNTH_HCL_OUTPUT === 'true';
  let manifest;
  if (fs.existsSync(manifestFile)) {
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    } catch {
      return false;
    }
    const stacks = Object.values(manifest.stacks ?? {});
    // What the CLI reads of each stack: the .tf.json, else the metadata; with --hcl it also rewrites cdk.tf.
    const readable = (stack) =>
      fs.existsSync(path.join(outdir, stack.synthesizedStackPath.endsWith('.tf.json') ? stack.synthesizedStackPath : stack.stackMetadataPath)) &&
      (!hcl || (stack.synthesizedStackPath.endsWith('.tf') && fs.existsSync(path.join(outdir, stack.synthesizedStackPath))));
    if (stacks.length === 0 || !stacks.every(readable)) return false;
    stacks.forEach((stack, i) => (stack.annotations = i === 0 ? [annotation] : []));
  } else {
    const stacksDir = path.join(outdir, 'stacks');
    if (fs.existsSync(stacksDir) && fs.readdirSync(stacksDir).length > 0) return false;
    const standIn = path.join(outdir, FAILED_SYNTH);
    fs.mkdirSync(standIn, { recursive: true });
    // The CLI reads the metadata (for a path not ending .tf.json) and, with --hcl, formats cdk.tf.
    fs.writeFileSync(path.join(standIn, 'metadata.json'), JSON.stringify({ '//': { metadata: { stackName: FAILED_SYNTH } }, terraform: {} }, null, 2));
    if (hcl) fs.writeFileSync(path.join(standIn, 'cdk.tf'), '');
    const stack = { name: FAILED_SYNTH, constructPath: FAILED_SYNTH, workingDirectory: FAILED_SYNTH, dependencies: [], annotations: [annotation] };
    manifest = { version: '0.0.0', stacks: { [FAILED_SYNTH]: { ...stack, synthesizedStackPath: `${FAILED_SYNTH}/cdk.tf`, stackMetadataPath: `${FAILED_SYNTH}/metadata.json` } } };
  }
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return true;
}

/**
 * Moves the staged synth into `outdir`: each stack's files, then the manifest that names them.
 * Anything else in a stack folder (.terraform, a local terraform.tfstate) stays.
 */
function publish(from, to) {
  // An app with no stack writes only a manifest, and no stack folder creates `to` for it.
  fs.mkdirSync(to, { recursive: true });
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
  // A failed synth's stand-in (reportToCli) goes once a synth succeeds.
  fs.rmSync(path.join(to, FAILED_SYNTH), { recursive: true, force: true });
  for (const name of fs.readdirSync(from).filter((f) => f !== 'stacks')) {
    fs.rmSync(path.join(to, name), { recursive: true, force: true });
    fs.renameSync(path.join(from, name), path.join(to, name));
  }
}
