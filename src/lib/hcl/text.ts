import { interpolationEnd, quotedTemplate } from './render-hcl';

/**
 * Long messages, written so that no line of the generated HCL runs past the page: a
 * short text stays one quoted string; a longer one becomes `join(" ", [...])` of parts
 * cut at spaces, one part per line. The value is the same either way.
 *
 * Texts are templates: literal text and `${…}` interpolations.
 */

/** Longest part a text is cut into, interpolations aside (they are never cut). */
const PART_WIDTH = 160;

/** The text cut at spaces outside interpolations into parts of about PART_WIDTH characters. */
export function textParts(text: string): string[] {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      const end = interpolationEnd(text, i + 2);
      word += text.slice(i, end + 1);
      i = end;
    } else if (text[i] === ' ') {
      words.push(word);
      word = '';
    } else {
      word += text[i];
    }
  }
  words.push(word);
  const parts: string[] = [];
  for (const w of words) {
    const last = parts.length - 1;
    if (last >= 0 && parts[last].length + 1 + w.length <= PART_WIDTH) parts[last] += ` ${w}`;
    else parts.push(w);
  }
  return parts;
}

/**
 * Longest text kept as one quoted string, a little over PART_WIDTH: a text that would be cut
 * into two short parts reads better whole, and its line still ends before 200 characters.
 */
const ONE_STRING_WIDTH = 170;

/** The parts the text is written in: itself when short enough, else `textParts`. */
const partsOf = (text: string): string[] => (text.length <= ONE_STRING_WIDTH ? [text] : textParts(text));

/** HCL expression of the text: a quoted string, or join(" ", [...]) of its parts. */
export function textExpression(text: string): string {
  const parts = partsOf(text);
  return parts.length === 1 ? quotedTemplate(text) : `join(" ", [\n${parts.map((p) => `${quotedTemplate(p)},`).join('\n')}\n])`;
}

/** The text as a Terraform JSON string value (a template): itself when short, else the join as one interpolation. */
export function textTemplate(text: string): string {
  return partsOf(text).length === 1 ? text : `\${${textExpression(text)}}`;
}

/** Longest bracketed expression the output keeps on one line. */
export const INLINE_WIDTH = 130;

/** HCL: `body` between `open` and `close`, on one line when it fits there, else on lines of its own. */
export const enclosed = (open: string, body: string, close: string): string =>
  !body.includes('\n') && open.length + body.length + close.length <= INLINE_WIDTH ? `${open}${body}${close}` : `${open}\n${body}\n${close}`;
