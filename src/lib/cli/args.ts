/** What the project's commands share: bad usage, where they write, and reading their arguments. */

/** Bad arguments: the command prints the message and its usage line. */
export class UsageError extends Error {}

/** Where a command writes: its answer to `out`, errors to `err`. */
export interface Output {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * Reads `<file> [--option value | --flag]...`: hands each option to `option`, with `value`
 * to take the argument after it, and returns the one file. `option` returns false for an
 * option it does not know.
 */
export function readArgs(argv: readonly string[], option: (name: string, value: () => string) => boolean): string {
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg.startsWith('-')) {
      if (!option(arg, value)) throw new UsageError(`unknown option ${arg}`);
    } else if (file === undefined) file = arg;
    else throw new UsageError(`one file only; also got ${JSON.stringify(arg)}`);
  }
  if (!file) throw new UsageError('no file given');
  return file;
}

/** The process's output, for a command run from npm. */
export const CONSOLE: Output = { out: (line) => console.log(line), err: (line) => console.error(line) };
