/**
 * `npm run bench`: what synthesis costs, beside what the cdktf habits it avoids would cost.
 *
 * Prints, in one run: the compiled app's synth wall time and peak memory; the cost of
 * `require("@cdktf/provider-aws")` from the package root; `cdktf synth` through the CLI;
 * fleet scale (synth and a mocked `terraform test` plan of 1, 100 and 1,000 roles); and the
 * jest suite's wall time (skip it with BENCH_SKIP_JEST=1).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchFleet } from './bench-fleet';

const ROOT = path.resolve(__dirname, '..', '..');
const PRELOAD = path.join(__dirname, 'report-usage.js');

interface Sample {
  readonly seconds: number;
  readonly maxRssMb: number | undefined;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  const rss = /BENCH_MAX_RSS_KB=(\d+)/.exec(r.stderr ?? '');
  return { seconds, maxRssMb: rss ? Number(rss[1]) / 1024 : undefined };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label: string, times: number, command: string, args: string[], env?: NodeJS.ProcessEnv) {
  const samples = Array.from({ length: times }, () => run(command, args, env));
  const seconds = median(samples.map((s) => s.seconds));
  const rss = samples.map((s) => s.maxRssMb).filter((x): x is number => x !== undefined);
  return { label, seconds, maxRssMb: rss.length ? Math.max(...rss) : undefined, runs: times };
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
const node = process.execPath;
const rows = [
  measure('app synth (node dist/main.js, deep imports)', 5, node, ['-r', PRELOAD, 'dist/main.js'], { CDKTF_OUTDIR: outdir }),
  measure('require("@cdktf/provider-aws") from the package root', 3, node, ['-r', PRELOAD, '-e', 'require("@cdktf/provider-aws")']),
  measure('npx cdktf synth (CLI start-up included)', 1, 'npx', ['cdktf', 'synth'], { CDKTF_OUTDIR: outdir }),
];
if (!process.env.BENCH_SKIP_JEST) rows.push(measure('npm test: jest suite', 1, 'npx', ['jest', '--silent']));
fs.rmSync(outdir, { recursive: true, force: true });

console.log(`\nbench on ${os.cpus().length} cores, node ${process.version}\n`);
console.log('| measured | runs | wall s (median) | peak RSS MB |');
console.log('|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.label} | ${r.runs} | ${r.seconds.toFixed(2)} | ${r.maxRssMb === undefined ? 'n/a' : r.maxRssMb.toFixed(0)} |`);
}
const [app, rootImport] = rows;
const ratio = app.seconds / rootImport.seconds;
console.log(
  `\napp / root import wall time: ${ratio.toFixed(2)} (goal <= 0.25: ${ratio <= 0.25 ? 'met' : 'NOT met'}); ` +
    `app peak RSS ${app.maxRssMb?.toFixed(0)} MB (goal < 150: ${(app.maxRssMb ?? Infinity) < 150 ? 'met' : 'NOT met'})`,
);

const fleet = benchFleet([1, 100, 1000]);
console.log('\nfleet scale: terraform test (command = plan, mock_provider "aws") with N roles in tfvars\n');
if (typeof fleet === 'string') {
  console.log(fleet);
} else {
  console.log('| roles | synth s | plan s | plan peak RSS MB | plan s per 100 roles over 1 role |');
  console.log('|---|---|---|---|---|');
  for (const r of fleet) {
    const per100 = r.roles > 1 ? (((r.planSeconds - fleet[0].planSeconds) / (r.roles - 1)) * 100).toFixed(2) : '-';
    console.log(`| ${r.roles} | ${r.synthSeconds.toFixed(2)} | ${r.planSeconds.toFixed(2)} | ${r.planMaxRssMb?.toFixed(0) ?? 'n/a'} | ${per100} |`);
  }
  const largest = fleet[fleet.length - 1];
  console.log(`\n${largest.roles} roles planned in ${largest.planSeconds.toFixed(1)} s (goal <= 60 s: ${largest.planSeconds <= 60 ? 'met' : 'NOT met'})`);
}
