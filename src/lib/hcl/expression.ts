import { IConstruct } from 'constructs';
import { DefaultTokenResolver, StringConcat, Tokenization } from 'cdktf';
import { interpolationEnd } from './render-hcl';

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

/** True when the string is one `${…}` interpolation and nothing else. */
const isWholeInterpolation = (text: string): boolean => text.startsWith('${') && interpolationEnd(text, 2) === text.length - 1;

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
 * An HCL expression as part of a quoted template: a string literal's own characters (so a
 * literal host reads `"gitlab.com:sub"`, not `"${"gitlab.com"}:sub"`), else `${expression}`.
 */
export function templatePart(expression: string): string {
  return /^"(?:[^"\\$%]|\\.)*"$/.test(expression) ? expression.slice(1, -1) : `\${${expression}}`;
}
