import { synthStack } from './synth';
import { OFFLINE_AWS_OVERRIDE, init, tfAsync, workdir } from './terraform';

/** Terraform's diagnostics as one line: box-drawing characters and wrapping removed. */
export const flatten = (text: string) => text.replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ');

/** A bad input: its name, the extra `terraform plan` arguments that give it, and what the error must say. */
export type PlanCase = [name: string, args: string[], expected: string[]];

/**
 * A synthesized stack in a working directory, initialised once, against which plans run
 * side by side (no lock, no state written). Concurrent tests start before beforeAll ends
 * (jest#7997), so each test asks for the directory instead.
 */
export function planDirectory(files: Record<string, string>): () => string {
  let prepared: string | undefined;
  return () => {
    if (!prepared) {
      const { file } = synthStack({ thumbprintSource: 'none' });
      prepared = workdir(file, { ...files, 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE });
      init(prepared);
    }
    return prepared;
  };
}

/** Plans with extra arguments, against the real aws provider with fake credentials. */
export function plan(dir: string, args: string[]) {
  return tfAsync(dir, ['plan', '-refresh=false', '-lock=false', ...args]);
}

/** Runs each case as its own test: the plan must fail, and its output hold every expected fragment. */
export function expectPlansToFail(ready: () => string, cases: PlanCase[]): void {
  test.concurrent.each(cases)('%s', async (_name, args, expected) => {
    const r = await plan(ready(), args);
    expect(r.status).not.toBe(0);
    const message = flatten(r.output);
    for (const fragment of expected) expect(message).toContain(flatten(fragment));
  });
}
