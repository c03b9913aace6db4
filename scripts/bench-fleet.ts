/**
 * Fleet scale: synth, then `terraform test` planning 1, 100 and 1,000 roles against a
 * mocked aws provider, with wall time and peak memory, so growth with the number of
 * roles is visible. Roles are tfvars, so the synthesized configuration is the same for all.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { STACK_NAME } from '../src/stacks/gitlab-oidc-stack';
import { TERRAFORM, findPluginMirror, offlineEnv, terraformOnPath, writeMirrorConfig } from '../tools/terraform-offline';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE_TFVARS = fs.readFileSync(path.join(ROOT, 'terraform.tfvars.example'), 'utf8');
const PLAN_TEST = 'mock_provider "aws" {}\n\nrun "plan" {\n  command = plan\n}\n';

/** `count` roles in the shape of examples/fleet.tfvars: two subjects, one policy, one protected-ref claim. */
export function generateRoles(count: number): Record<string, unknown> {
  const roles: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    roles[`team-${i}-deploy`] = {
      subjects: [`project_path:team-${i}/service:ref_type:branch:ref:main`, `project_path:team-${i}/*:ref_type:tag:ref:v*`],
      managed_policy_arns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
      claims: { ref_protected: ['true'] },
      tags: { team: `team-${i}` },
    };
  }
  return { roles };
}

/** Wall seconds and, where GNU time is installed, the peak RSS (MB) of the largest process. */
function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { seconds: number; maxRssMb?: number; stdout: string } {
  const gnuTime = fs.existsSync('/usr/bin/time');
  const start = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', 'BENCH_TIME_MAX_RSS_KB=%M', command, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  const rss = /BENCH_TIME_MAX_RSS_KB=(\d+)/.exec(r.stderr ?? '');
  return { seconds, maxRssMb: rss ? Number(rss[1]) / 1024 : undefined, stdout: r.stdout };
}

export interface FleetRow {
  readonly roles: number;
  readonly synthSeconds: number;
  readonly planSeconds: number;
  readonly planMaxRssMb?: number;
}

export function benchFleet(sizes: readonly number[]): FleetRow[] | string {
  const mirror = findPluginMirror();
  if (!terraformOnPath() || !mirror) return `skipped: ${TERRAFORM} or a provider mirror is missing`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fleet-'));
  try {
    const env = offlineEnv(writeMirrorConfig(work, mirror));
    const rows: FleetRow[] = [];
    for (const size of sizes) {
      const outdir = path.join(work, `out-${size}`);
      const synth = timed(process.execPath, [path.join(ROOT, 'dist', 'main.js')], ROOT, {
        ...process.env,
        CDKTF_OUTDIR: outdir,
        CDKTF_CONTEXT_JSON: JSON.stringify({ thumbprintSource: 'none' }),
      });
      const dir = path.join(outdir, 'stacks', STACK_NAME);
      fs.writeFileSync(path.join(dir, 'terraform.tfvars'), EXAMPLE_TFVARS);
      fs.writeFileSync(path.join(dir, 'roles.auto.tfvars.json'), JSON.stringify(generateRoles(size)));
      fs.mkdirSync(path.join(dir, 'tests'));
      fs.writeFileSync(path.join(dir, 'tests', 'plan.tftest.hcl'), PLAN_TEST);
      timed(TERRAFORM, ['init', '-input=false', '-backend=false'], dir, env);
      const plan = timed(TERRAFORM, ['test', '-no-color'], dir, env);
      if (!plan.stdout.includes('1 passed, 0 failed')) throw new Error(`terraform test did not pass for ${size} roles:\n${plan.stdout}`);
      rows.push({ roles: size, synthSeconds: synth.seconds, planSeconds: plan.seconds, planMaxRssMb: plan.maxRssMb });
    }
    return rows;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
