/**
 * Compiles the project into dist/ with tsc, unless dist/ already holds a compile newer than
 * every TypeScript file tsc reads and than tsconfig.json: the npm scripts that run compiled
 * code (`npm run access`, `export`, `ci-snippets`, …) run it first. tsc has nothing to do then
 * either, but it still loads every declaration file to find that out (about 2.5 s here);
 * comparing file times takes milliseconds. `npm test` and CI always run tsc, which checks the types.
 */
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const config = path.join(root, 'tsconfig.json');
const { compilerOptions, include, exclude } = JSON.parse(fs.readFileSync(config, 'utf8'));
const buildInfo = path.join(root, compilerOptions.tsBuildInfoFile);

/** The top folder or file of each `include` pattern (`src/**\/*.ts` → `src`). */
const tops = [...new Set(include.map((pattern) => pattern.split('/')[0]))];
const skipped = new Set(exclude);

/** The latest modification time of the .ts files under `entry` (a file or folder of the project). */
function latest(entry) {
  const file = path.join(root, entry);
  if (!fs.existsSync(file)) return 0;
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return entry.endsWith('.ts') ? stat.mtimeMs : 0;
  let newest = 0;
  for (const child of fs.readdirSync(file)) {
    if (!skipped.has(child)) newest = Math.max(newest, latest(path.join(entry, child)));
  }
  return newest;
}

const compiled = fs.existsSync(buildInfo) ? fs.statSync(buildInfo).mtimeMs : 0;
const sources = Math.max(fs.statSync(config).mtimeMs, ...tops.map(latest));
if (sources >= compiled) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    // tsc writes its build info even when it finds errors: date it back, so the next run compiles again.
    if (fs.existsSync(buildInfo)) fs.utimesSync(buildInfo, 0, 0);
    process.exit(tsc.status ?? 1);
  }
  // tsc leaves its build info as it was when nothing changed: mark this compile as the latest.
  const now = new Date();
  fs.utimesSync(buildInfo, now, now);
}
