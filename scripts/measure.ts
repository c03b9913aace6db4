import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';

/** One run of a command, as the bench reports it. */
export interface Measured {
  readonly seconds: number;
  /**
   * User + system CPU seconds, where GNU time is installed: unlike wall time, not lengthened by
   * other processes, but it moves with the machine's speed (see `speedProbe`).
   */
  readonly cpuSeconds?: number;
  /** Peak RSS of its largest process, where GNU time is installed. */
  readonly maxRssMb?: number;
  readonly stdout: string;
}

/** Runs the command once, through GNU time where it is installed; throws with its output when it fails. */
export function timed(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Measured {
  const gnuTime = fs.existsSync('/usr/bin/time');
  const start = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', 'BENCH_TIME=%U %S %M', command, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  const [, user, sys, rss] = /BENCH_TIME=([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? '') ?? [];
  return { seconds, cpuSeconds: user ? Number(user) + Number(sys) : undefined, maxRssMb: rss ? Number(rss) / 1024 : undefined, stdout: r.stdout };
}

/** The middle value (the upper one of an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * CPU seconds of a fixed piece of work (SHA-256 over 256 MB): the machine's speed at that
 * moment. A fixed piece of work like this one took from 2.5 to 4.7 CPU-s here within a minute,
 * so the bench prints it beside its figures.
 */
export function speedProbe(): number {
  const block = Buffer.alloc(64 * 1024 * 1024, 7);
  const start = process.cpuUsage();
  for (let i = 0; i < 4; i++) createHash('sha256').update(block).digest();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}
