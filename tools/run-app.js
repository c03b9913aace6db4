/**
 * Runs a CDKTF app written in TypeScript, as cdktf.json's `app`: `node tools/run-app.js
 * [entry.ts]` (default main.ts). The entry and the project sources it imports are bundled
 * by esbuild and run. esbuild removes the types without checking them, in milliseconds,
 * from the sources as they are now, so a change is always picked up; `tsc` checks the types
 * in `npm test` and CI. Packages stay outside the bundle and load from node_modules, by the
 * deep paths the sources use; this package's own name (as the examples import it) is its
 * sources. The bundle is run from memory: apps running side by side share no file.
 */
const path = require('path');
const Module = require('module');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const entry = path.resolve(process.argv[2] ?? path.join(root, 'main.ts'));
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
const app = new Module(filename, module);
app.filename = filename;
app.paths = Module._nodeModulePaths(path.dirname(filename));
app._compile(outputFiles[0].text, filename);
