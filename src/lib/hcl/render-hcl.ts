/**
 * Renders the synthesized Terraform JSON as native HCL for review.
 *
 * cdktf 0.21's own HCL renderer writes `precondition` blocks as attributes and drops
 * `terraform.required_version`, leaves double quotes unescaped next to interpolations,
 * wraps every expression as `"${…}"` and turns multi-line strings into heredocs that
 * gain a trailing newline. This renderer follows Terraform's JSON syntax rules instead:
 * a string that is one whole interpolation becomes a bare expression, any other string a
 * quoted template with the same value, and cdktf's `"//"` metadata is left out.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Body = { [key: string]: Json };

/** Nested block types of provider resources and data sources that this project writes. */
const SCHEMA_BLOCKS: Record<string, readonly string[]> = {};

/** Block types Terraform itself defines inside a resource, data source, variable or output. */
const META_BLOCKS: Record<string, readonly string[]> = {
  resource: ['lifecycle', 'provisioner', 'connection'],
  data: ['lifecycle'],
  lifecycle: ['precondition', 'postcondition'],
  variable: ['validation'],
  output: ['precondition'],
  check: ['assert'],
};

/** Arguments a reader looks for first, in this order; the others keep cdktf's order after them. */
const LEADING_ARGUMENTS = ['for_each', 'count', 'provider', 'depends_on', 'source', 'version', 'description', 'type', 'default', 'condition', 'value'];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INDENT = '  ';

/** Index of the `}` closing the interpolation whose expression starts at `from`. */
export function interpolationEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = quotedEnd(text, i + 1);
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new Error(`Unterminated interpolation in ${JSON.stringify(text)}`);
}

/** Index of the `"` closing a string literal inside an expression, which may hold interpolations itself. */
function quotedEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
    else if (text.startsWith('${', i) || text.startsWith('%{', i)) i = interpolationEnd(text, i + 2);
  }
  throw new Error(`Unterminated string in ${JSON.stringify(text)}`);
}

/** Text as Terraform reads it in a template: its own `${` and `%{` escaped (`$${`, `%%{`), so that they start no interpolation or directive. */
export const escapeTemplateSequences = (text: string): string => text.replace(/([$%])\{/g, '$1$1{');

/** True when the string is one `${…}` interpolation and nothing else. */
export const isWholeInterpolation = (text: string): boolean => text.startsWith('${') && interpolationEnd(text, 2) === text.length - 1;

/** A JSON string value as HCL: a bare expression when it is one whole interpolation, else a quoted template. */
export function renderString(value: string): string {
  if (isWholeInterpolation(value)) {
    return value.slice(2, -1).trim();
  }
  return quotedTemplate(value);
}

/** A template (text with `${…}` interpolations) as an HCL quoted string: the text escaped, the interpolations kept. */
export function quotedTemplate(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value.startsWith('$${', i) || value.startsWith('%%{', i)) {
      out += value.slice(i, i + 3);
      i += 2;
    } else if (value.startsWith('${', i) || value.startsWith('%{', i)) {
      const end = interpolationEnd(value, i + 2);
      out += value.slice(i, end + 1);
      i = end;
    } else {
      const c = value[i];
      out += c === '\\' ? '\\\\' : c === '"' ? '\\"' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : c;
    }
  }
  return `"${out}"`;
}

/**
 * The arguments of each resource and data source type the project writes, in the order of
 * the registry's examples (the name and what the block is about first, tags last).
 */
const ARGUMENT_ORDER: Record<string, readonly string[]> = {
  aws_iam_openid_connect_provider: ['url', 'client_id_list', 'thumbprint_list', 'tags'],
  aws_iam_role: ['name', 'name_prefix', 'path', 'description', 'assume_role_policy', 'max_session_duration', 'permissions_boundary', 'tags'],
  aws_iam_role_policy_attachment: ['role', 'policy_arn'],
  aws_iam_role_policy: ['name', 'role', 'policy'],
  gitlab_project_variable: ['project', 'key', 'value', 'protected', 'masked', 'environment_scope'],
};

function ordered<T>(entries: [string, T][], typeOrder: readonly string[] = []): [string, T][] {
  // A resource's meta-arguments, then its own arguments in the registry's order.
  const order = typeOrder.length ? ['for_each', 'count', 'provider', 'depends_on', ...typeOrder] : LEADING_ARGUMENTS;
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i === -1 ? order.length : i;
  };
  return entries.filter(([k]) => k !== '//').sort(([a], [b]) => rank(a) - rank(b));
}

function renderKey(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key);
}

function renderValue(value: Json, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return renderString(value);
  if (typeof value !== 'object') return String(value);
  const pad = INDENT.repeat(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => renderValue(v, depth + 1));
    const inline = `[${items.join(', ')}]`;
    if (inline.length <= 80 && !inline.includes('\n')) return inline;
    return `[\n${items.map((i) => `${pad}${i},`).join('\n')}\n${INDENT.repeat(depth)}]`;
  }
  const entries = ordered(Object.entries(value));
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${renderKey(k)} = ${renderValue(v, depth + 1)}`).join('\n')}\n${INDENT.repeat(depth)}}`;
}

/** A block body: attributes first, then nested blocks (one per element of an array). */
function renderBody(body: Body, blockTypes: readonly string[], depth: number, kind: string, typeOrder: readonly string[] = []): string[] {
  const pad = INDENT.repeat(depth);
  const attributes: string[] = [];
  const blocks: string[] = [];
  for (const [key, value] of ordered(Object.entries(body), typeOrder)) {
    if (blockTypes.includes(key) && value !== null && typeof value === 'object') {
      for (const nested of Array.isArray(value) ? value : [value]) {
        blocks.push(renderBlock(key, [], nested as Body, META_BLOCKS[key] ?? [], depth));
      }
    } else if (kind === 'variable' && key === 'type' && typeof value === 'string') {
      // A type constraint, not a template: list(string), not "list(string)".
      attributes.push(`${pad}${key} = ${value}`);
    } else if (kind === 'lifecycle' && key === 'ignore_changes' && Array.isArray(value)) {
      // Attribute names, bare: quoted ones are deprecated in HCL.
      attributes.push(`${pad}${key} = [${value.join(', ')}]`);
    } else {
      attributes.push(`${pad}${renderKey(key)} = ${renderValue(value, depth)}`);
    }
  }
  return [...attributes, ...(attributes.length && blocks.length ? [''] : []), ...blocks.flatMap((b, i) => (i ? ['', b] : [b]))];
}

function renderBlock(type: string, labels: string[], body: Body, blockTypes: readonly string[], depth: number, typeOrder: readonly string[] = []): string {
  const pad = INDENT.repeat(depth);
  const header = [type, ...labels.map((l) => JSON.stringify(l))].join(' ');
  const lines = renderBody(body, blockTypes, depth + 1, type, typeOrder);
  return lines.length === 0 ? `${pad}${header} {}` : `${pad}${header} {\n${lines.join('\n')}\n${pad}}`;
}

function renderTerraformBlock(body: Body): string {
  const { backend, required_providers: providers, ...rest } = body as Record<string, Body>;
  const parts: string[] = [];
  const attributes = renderBody(rest as Body, [], 1, 'terraform');
  if (attributes.length) parts.push(attributes.join('\n'));
  if (providers) parts.push(renderBlock('required_providers', [], providers, [], 1));
  for (const [type, settings] of Object.entries(backend ?? {})) {
    parts.push(renderBlock('backend', [type], settings as Body, [], 1));
  }
  return `terraform {\n${parts.join('\n\n')}\n}`;
}

/** Renders a Terraform JSON configuration (as cdktf writes it) as HCL. */
export function renderHcl(config: Record<string, unknown>): string {
  const c = config as Record<string, Body>;
  const sections: string[] = [];
  if (c.terraform) sections.push(renderTerraformBlock(c.terraform));
  for (const [name, bodies] of Object.entries(c.provider ?? {})) {
    for (const body of ([] as Json[]).concat(bodies)) sections.push(renderBlock('provider', [name], body as Body, [], 0));
  }
  for (const [name, body] of Object.entries(c.variable ?? {})) {
    sections.push(renderBlock('variable', [name], body as Body, META_BLOCKS.variable, 0));
  }
  if (c.locals) sections.push(renderBlock('locals', [], c.locals, [], 0));
  for (const kind of ['data', 'resource'] as const) {
    for (const [type, byName] of Object.entries(c[kind] ?? {})) {
      const blockTypes = [...META_BLOCKS[kind], ...(SCHEMA_BLOCKS[type] ?? [])];
      for (const [name, body] of Object.entries(byName as Record<string, Body>)) {
        sections.push(renderBlock(kind, [type, name], body, blockTypes, 0, ARGUMENT_ORDER[type]));
      }
    }
  }
  for (const move of (c.moved ?? []) as unknown as { from: string; to: string }[]) {
    // from and to are addresses, not strings.
    sections.push(`moved {\n${INDENT}from = ${move.from}\n${INDENT}to   = ${move.to}\n}`);
  }
  for (const [name, body] of Object.entries(c.output ?? {})) {
    sections.push(renderBlock('output', [name], body as Body, META_BLOCKS.output, 0));
  }
  const known = new Set(['//', 'terraform', 'provider', 'variable', 'locals', 'data', 'resource', 'moved', 'output']);
  const unknown = Object.keys(c).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`renderHcl: no HCL rendering for top-level ${unknown.join(', ')}`);
  return `${sections.join('\n\n')}\n`;
}
