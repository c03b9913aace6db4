import { IConstruct } from 'constructs';
import { DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, StringConcat, Tokenization } from 'cdktf';
import { escapeTemplateSequences, isWholeInterpolation } from './render-hcl';

/**
 * Typed construct props as HCL. A prop holds a TypeScript value (string, number, list,
 * record), a cdktf token (a variable, a local, another resource's attribute), or a raw
 * `${…}` expression, as cdktf allows everywhere. The trust model is written in HCL, so each
 * prop is turned into one HCL expression here.
 *
 * Tokens are resolved when the construct is built, not embedded: cdktf takes the first `}`
 * of an HCL object in a raw expression for the end of the interpolation, and would write
 * the tokens that follow it as `${…}` inside an expression.
 */

/** The value with every token resolved to its `${…}` expression, as cdktf writes it. */
function resolved(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, { scope, resolver: new DefaultTokenResolver(new StringConcat()), preparing: false });
}

/**
 * Resolves as `resolved` does, and notes the tokens that stand for one thing and hold no other
 * token: a variable, a local, a resource's attribute, a raw `${…}` given as a token. A function
 * of cdktf's `Fn` resolves its arguments through the same resolver, so what they read is noted too.
 */
class ReadsResolver extends DefaultTokenResolver {
  /** The expressions of the tokens that held no other token, in the order they resolved. */
  readonly reads: string[] = [];
  private readonly nested: number[] = [];

  constructor() {
    super(new StringConcat());
  }

  resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    if (this.nested.length > 0) this.nested[this.nested.length - 1]++;
    this.nested.push(0);
    const value = super.resolveToken(token, context, postProcessor);
    const held = this.nested.pop();
    if (held === 0 && typeof value === 'string') this.reads.push(isWholeInterpolation(value) ? value.slice(2, -1) : value);
    return value;
  }
}

/**
 * What the value reads, as the HCL expressions of its tokens (`var.roles`, `local.x`,
 * `aws_iam_role.r.arn`), each once: known from the tokens themselves, not from the text they
 * print. A string that is one `${…}` and no token reads what it says.
 */
export function readsOf(scope: IConstruct, value: unknown): string[] {
  const resolver = new ReadsResolver();
  const plain = Tokenization.resolve(value, { scope, resolver, preparing: false });
  if (resolver.reads.length === 0 && typeof plain === 'string' && isWholeInterpolation(plain)) return [plain.slice(2, -1)];
  return [...new Set(resolver.reads)];
}

function render(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return isWholeInterpolation(value) ? value.slice(2, -1) : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(render).join(', ')}]`;
  if (typeof value === 'object') {
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([key, v]) => `${JSON.stringify(key)} = ${render(v)}`)
      .join(', ')} }`;
  }
  throw new Error(`No HCL for a value of type ${typeof value}`);
}

/** The HCL expression of a prop's value: a literal, or the expression of its tokens. */
export function hclOf(scope: IConstruct, value: unknown): string {
  return render(resolved(scope, value));
}

/**
 * The prop's value when it is known at synth (holds no token or expression), else
 * `undefined`: such a value is checked by Terraform at plan instead.
 */
export function literalOf<T>(scope: IConstruct, value: T): T | undefined {
  const plain = resolved(scope, value);
  return JSON.stringify(plain ?? null).includes('${') ? undefined : (plain as T);
}

/**
 * A string-valued HCL expression, with the string itself where it is known at synth: code that
 * writes it into a template asks which it is, rather than reading the expression's quotes.
 */
export class HclString {
  /** The string `value`, known at synth: quoted, with `$${` and `%%{` so that no part of it reads as a template sequence. */
  static literal(value: string): HclString {
    return new HclString(escapeTemplateSequences(JSON.stringify(value)), value);
  }

  /** An expression whose value Terraform knows only at plan. */
  static expression(hcl: string): HclString {
    return new HclString(hcl, undefined);
  }

  /** A string prop's value: its literal, or the expression of its tokens. */
  static of(scope: IConstruct, value: string): HclString {
    const literal = literalOf(scope, value);
    return typeof literal === 'string' ? HclString.literal(literal) : HclString.expression(hclOf(scope, value));
  }

  private constructor(
    /** The HCL expression. */
    readonly hcl: string,
    /** The string, where known at synth. */
    readonly literal: string | undefined,
  ) {}

  /**
   * As part of a quoted template: a literal's own characters (so a literal host reads
   * `"gitlab.com:sub"`, not `"${"gitlab.com"}:sub"`), else `${expression}`.
   */
  get inTemplate(): string {
    return this.literal !== undefined ? this.hcl.slice(1, -1) : `\${${this.hcl}}`;
  }
}
