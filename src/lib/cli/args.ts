/**
 * What the project's commands share: one way to read arguments (Node's `util.parseArgs`),
 * bad usage as one line, where they write, and their exit codes.
 */

import { parseArgs } from 'node:util';

/** Bad arguments or input: the command prints the message as one line and exits with `EXIT.input`. */
export class UsageError extends Error {}

/** Exit codes of every command: ran with nothing to report, ran and found something, usage or input error. */
export const EXIT = { ok: 0, found: 1, input: 2 } as const;

/** Where a command writes: its answer to `out`, errors and notes to `err`. */
export interface Output {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The options a command takes, as `util.parseArgs` declares them. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** One option as given, in the order given: its name (without `--`) and its value (undefined for a flag). */
export interface GivenOption {
  readonly name: string;
  readonly value?: string;
}

export interface CommandLine {
  readonly positionals: readonly string[];
  /** Every option in the order given, so that a later one can be checked against an earlier one. */
  readonly options: readonly GivenOption[];
  readonly help: boolean;
}

/** Reads `argv` against `options` (and `--help`); an unknown option or a missing value is a `UsageError`. */
export function readCommandLine(argv: readonly string[], options: OptionSpec): CommandLine {
  try {
    const { tokens } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    const given = tokens.flatMap((t) => (t.kind === 'option' ? [{ name: t.name, value: t.value }] : []));
    return {
      positionals: tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : [])),
      options: given.filter((o) => o.name !== 'help'),
      help: given.some((o) => o.name === 'help'),
    };
  } catch (error) {
    if (String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(usageMessage((error as Error).message));
    throw error;
  }
}

/** util.parseArgs's messages in the commands' words: the option, and what to do. */
function usageMessage(message: string): string {
  const missing = /^Option '(?:-\w, )?(--[\w-]+)(?:, -\w)? <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}: see --help`;
  return message.split('\n')[0];
}

/** The last value of option `name`, if given. */
export const lastValue = (line: CommandLine, name: string): string | undefined => line.options.filter((o) => o.name === name).at(-1)?.value;

/** Whether the flag `name` was given. */
export const hasFlag = (line: CommandLine, name: string): boolean => line.options.some((o) => o.name === name);

/**
 * Runs a command's body: an error of one of the `expected` kinds (bad usage, unreadable input)
 * is printed as one line, `<command>: <message> (<command> --help)`, and exits 2; any other is a bug and is thrown.
 */
export async function runCommand(command: string, io: Output, expected: readonly (new (...args: never[]) => Error)[], body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError || expected.some((kind) => error instanceof kind)) {
      io.err(`${command}: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`);
      return EXIT.input;
    }
    throw error;
  }
}

/** The process's output, for a command run from npm. */
export const CONSOLE: Output = { out: (line) => console.log(line), err: (line) => console.error(line) };
