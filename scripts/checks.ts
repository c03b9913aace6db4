import { spawnSync } from 'child_process';
import * as path from 'path';

/**
 * What the CI checks (`npm run check:cdktn`, `npm run check:toolchains`) share: the error of a
 * check that could not run, running a command, and the exit codes.
 */

/** An install, a command or an input failed: the check could not run (exit 2). */
export class CheckError extends Error {}

/** Runs a command in `cwd`; its output, or a CheckError with what it printed. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new CheckError(`${path.basename(command)} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs a check's `main` as the process: its exit code, or 2 with one line naming the check when it could not run. */
export function runCheck(name: string, main: () => number): void {
  try {
    process.exitCode = main();
  } catch (error) {
    if (!(error instanceof CheckError)) throw error;
    console.error(`${name}: ${error.message}`);
    process.exitCode = 2;
  }
}
