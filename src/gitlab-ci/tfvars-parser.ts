/**
 * Reads a `.tfvars` file: assignments of literal values (strings, heredocs, numbers,
 * booleans, null, lists, maps and objects), with `#`, `//` and `/* *\/` comments. Terraform
 * evaluates tfvars without references or functions, so literals are all it can hold; a
 * full HCL parser (WebAssembly) would more than double the synth app's memory.
 */

export class TfvarsSyntaxError extends Error {}

type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

class Reader {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  fail(what: string): never {
    const line = this.text.slice(0, this.pos).split('\n').length;
    throw new TfvarsSyntaxError(`${this.file}:${line}: ${what}`);
  }

  /** Skips white space, newlines and comments. */
  skip(): void {
    for (;;) {
      const rest = this.text.slice(this.pos);
      const m = /^(\s+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(rest);
      if (!m) return;
      this.pos += m[0].length;
    }
  }

  atEnd(): boolean {
    this.skip();
    return this.pos >= this.text.length;
  }

  peek(): string {
    this.skip();
    return this.text[this.pos] ?? '';
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected '${char}'`);
    this.pos++;
  }

  match(re: RegExp): string | undefined {
    this.skip();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  value(): Value {
    const c = this.peek();
    if (c === '"') return this.quoted();
    if (c === '[') return this.list();
    if (c === '{') return this.object();
    if (this.text.startsWith('<<', this.pos)) return this.heredoc();
    const number = this.match(NUMBER);
    if (number !== undefined) return Number(number);
    const word = this.match(IDENT);
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
    return this.fail(word ? `'${word}' is not a literal value (tfvars hold no references or function calls)` : 'expected a value');
  }

  quoted(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.text[this.pos++];
        if (e === 'u') {
          out += String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 4), 16));
          this.pos += 4;
        } else if (e in ESCAPES) {
          out += ESCAPES[e];
        } else {
          this.fail(`unknown escape \\${e}`);
        }
      } else if ((c === '$' || c === '%') && this.text.startsWith(`${c}{`, this.pos)) {
        out += `${c}{`; // $${ and %%{ are escapes for a literal ${ and %{
        this.pos += 2;
      } else if ((c === '$' || c === '%') && this.text[this.pos] === '{') {
        this.fail('template sequences are not literal values in tfvars');
      } else {
        out += c;
      }
    }
  }

  heredoc(): string {
    const m = /<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/y;
    m.lastIndex = this.pos;
    const open = m.exec(this.text) ?? this.fail('malformed heredoc');
    this.pos += open[0].length;
    const lines: string[] = [];
    for (;;) {
      const end = this.text.indexOf('\n', this.pos);
      const line = this.text.slice(this.pos, end === -1 ? undefined : end);
      if (end === -1 && line.trim() !== open[2]) this.fail(`heredoc ${open[2]} is not closed`);
      this.pos = end === -1 ? this.text.length : end + 1;
      if (line.trim() === open[2]) break;
      lines.push(line);
    }
    if (open[1] === '-') {
      const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length));
      return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n') + '\n';
    }
    return lines.join('\n') + '\n';
  }

  list(): Value[] {
    this.expect('[');
    const items: Value[] = [];
    while (this.peek() !== ']') {
      items.push(this.value());
      if (this.peek() === ',') this.pos++;
    }
    this.pos++;
    return items;
  }

  object(): Record<string, Value> {
    this.expect('{');
    const entries: Record<string, Value> = {};
    while (this.peek() !== '}') {
      const key = this.peek() === '"' ? this.quoted() : (this.match(IDENT) ?? this.fail('expected a key'));
      const sep = this.peek();
      if (sep !== '=' && sep !== ':') this.fail(`expected '=' after ${key}`);
      this.pos++;
      entries[key] = this.value();
      if (this.peek() === ',') this.pos++;
    }
    this.pos++;
    return entries;
  }
}

/** The variable values a tfvars file assigns. */
export function parseTfvars(text: string, file = 'tfvars'): Record<string, Value> {
  const reader = new Reader(text, file);
  const values: Record<string, Value> = {};
  while (!reader.atEnd()) {
    const name = reader.match(IDENT) ?? reader.fail('expected a variable name');
    reader.expect('=');
    values[name] = reader.value();
  }
  return values;
}
