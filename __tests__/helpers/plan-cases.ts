import * as fs from 'fs';
import * as path from 'path';
import { synthStack } from './synth';
import { OFFLINE_AWS_OVERRIDE, RunResult, init, tfAsync, workdir } from './terraform';
import { escapeTemplateSequences } from '../../src/lib/hcl/render-hcl';

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

/** A case's `-var name=value` arguments as the `variables` block of a run, typed as `declared` (the configuration's `variable` block). */
function variablesBlock(declared: Record<string, { type?: string }>, args: string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] !== '-var') throw new Error(`plan case argument ${args[i]}: only -var name=value can be batched`);
    const [, name, value] = /^([^=]+)=(.*)$/s.exec(args[i + 1]) ?? [];
    if (!declared[name]) throw new Error(`plan case sets ${name}, which the configuration does not declare`);
    // As with -var: a string variable takes the text as it is, any other type parses it as HCL.
    const isString = (declared[name].type ?? 'string') === 'string';
    lines.push(`    ${name} = ${isString ? escapeTemplateSequences(JSON.stringify(value)) : value}`);
  }
  return `  variables {\n${lines.join('\n')}\n  }\n`;
}

export interface BatchedRun {
  /** Whether the plan failed. */
  readonly failed: boolean;
  /** Every diagnostic of the run, summary and detail, as one line. */
  readonly message: string;
}

/**
 * Plans every case in `terraform test` (one file per case, so that one failing plan does not
 * skip the next), in two processes side by side: each terraform process spends seconds loading
 * the aws provider's schema, which a process running many plans pays once. The provider is
 * mocked, so no value comes from AWS; the messages are the configuration's own checks.
 */
export async function planInBatches(dir: string, cases: PlanCase[], processes = 2): Promise<BatchedRun[]> {
  const groups = Array.from({ length: processes }, (_, g) => cases.map((c, i) => [c, i] as const).filter(([, i]) => i % processes === g));
  const declared = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')).variable ?? {};
  const results: BatchedRun[] = [];
  await Promise.all(
    groups.map(async (group, g) => {
      const testDir = `batch-${g}-${process.pid}`;
      fs.mkdirSync(path.join(dir, testDir));
      for (const [[, args], i] of group) {
        fs.writeFileSync(path.join(dir, testDir, `case_${i}.tftest.hcl`), `mock_provider "aws" {}\n\nrun "case" {\n  command = plan\n${variablesBlock(declared, args)}}\n`);
      }
      const r: RunResult = await tfAsync(dir, ['test', '-json', `-test-directory=${testDir}`]);
      const events = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      for (const [, i] of group) {
        const file = `${testDir}/case_${i}.tftest.hcl`;
        const mine = events.filter((e) => e['@testfile'] === file);
        const status = mine.find((e) => e.type === 'test_file' && e.test_file.status)?.test_file.status;
        if (!status) throw new Error(`terraform test did not report ${file}:\n${r.output}`);
        const diagnostics = mine.filter((e) => e.type === 'diagnostic').map((e) => `${e.diagnostic.summary}: ${e.diagnostic.detail ?? ''}`);
        results[i] = { failed: status !== 'pass', message: flatten(diagnostics.join('\n')) };
      }
    }),
  );
  return results;
}

/**
 * Runs each case as its own test: the plan must fail, and its messages hold every expected
 * fragment. The cases are planned together (planInBatches), once, when the first test asks.
 */
export function expectPlansToFail(ready: () => string, cases: PlanCase[]): void {
  let batch: Promise<BatchedRun[]> | undefined;
  test.concurrent.each(cases.map((c, i) => [...c, i] as const))('%s', async (_name, _args, expected, i) => {
    batch ??= planInBatches(ready(), cases);
    const run = (await batch)[i];
    expect(run.failed).toBe(true);
    for (const fragment of expected) expect(run.message).toContain(flatten(fragment));
  });
}

/** `-var` arguments for the article's variables on a self-managed instance, gitlab.example.com. */
export const SELF_MANAGED = [
  '-var',
  'mygitlab=https://gitlab.example.com',
  '-var',
  'mygitlab_aud_value=https://gitlab.example.com',
  '-var',
  'mygitlab_match_value1=["https://gitlab.example.com"]',
];
