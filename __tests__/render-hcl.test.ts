import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { describeWithTerraform } from './helpers/terraform';
import { renderHcl, renderString } from '../src/lib/hcl/render-hcl';
import { textExpression, textParts, textTemplate } from '../src/lib/hcl/text';
import { synthStack } from './helpers/synth';
import { HclString } from '../src/lib/hcl/expression';

describe('renderString: a JSON template string as HCL with the same value', () => {
  test('one whole interpolation becomes a bare expression', () => {
    expect(renderString('${var.mygitlab}')).toBe('var.mygitlab');
    expect(renderString('${toset(var.role_arn)}')).toBe('toset(var.role_arn)');
  });

  test('an interpolation followed by more text stays a template', () => {
    expect(renderString('${var.a}-${var.b}')).toBe('"${var.a}-${var.b}"');
    expect(renderString('tls://${local.host}:443')).toBe('"tls://${local.host}:443"');
  });

  test('quotes and braces inside an interpolation are expression syntax and stay as they are', () => {
    const expr = '${jsonencode({ a = "}", b = "${x}" })}';
    expect(renderString(expr)).toBe('jsonencode({ a = "}", b = "${x}" })');
    expect(renderString(`key ${expr} end`)).toBe(`"key ${expr} end"`);
  });

  test('literal quotes, backslashes and newlines are escaped, never turned into a heredoc', () => {
    expect(renderString('say "hi"\\n\nnext')).toBe('"say \\"hi\\"\\\\n\\nnext"');
  });

  test('escaped template sequences stay escaped', () => {
    expect(renderString('$${not.an.interpolation}')).toBe('"$${not.an.interpolation}"');
  });

  test('an unterminated interpolation is an error, not silently wrong output', () => {
    expect(() => renderString('${var.a')).toThrow('Unterminated interpolation');
  });
});

describe('renderHcl', () => {
  const hcl = renderHcl({
    '//': { metadata: { path: 'x' } },
    terraform: { required_providers: { aws: { version: '>= 5', source: 'hashicorp/aws' } }, backend: { local: {} } },
    variable: { v: { type: 'list(string)', description: 'd', validation: [{ error_message: 'm', condition: '${length(var.v) > 0}' }] } },
    resource: {
      aws_ssm_parameter: {
        p: { '//': { metadata: {} }, type: 'String', name: 'n', for_each: '${toset(var.v)}', lifecycle: { precondition: [{ condition: '${true}', error_message: 'e' }] } },
      },
    },
    output: { o: { value: '${var.v}', description: 'out' } },
  });

  test('drops cdktf metadata', () => {
    expect(hcl).not.toContain('//');
    expect(hcl).not.toContain('metadata');
  });

  test('writes a variable type as a type expression, but a resource argument named type as a string', () => {
    expect(hcl).toContain('  type = list(string)');
    expect(hcl).toContain('  type = "String"');
  });

  test('writes validation, lifecycle and precondition as blocks, the backend with its label', () => {
    expect(hcl).toMatch(/validation \{\n\s+condition = length\(var.v\) > 0\n\s+error_message = "m"\n\s+\}/);
    expect(hcl).toMatch(/lifecycle \{\n\s+precondition \{\n\s+condition = true/);
    expect(hcl).toContain('backend "local" {}');
  });

  test('puts meta-arguments and descriptions first', () => {
    expect(hcl).toMatch(/resource "aws_ssm_parameter" "p" \{\n\s+for_each = toset\(var.v\)/);
    expect(hcl).toMatch(/output "o" \{\n\s+description = "out"\n\s+value = var.v/);
    expect(hcl).toMatch(/aws = \{\n\s+source = "hashicorp\/aws"\n\s+version = ">= 5"/);
  });

  test('writes moved blocks with bare addresses', () => {
    expect(renderHcl({ moved: [{ from: 'aws_x.a', to: 'aws_x.a[0]' }] })).toBe('moved {\n  from = aws_x.a\n  to   = aws_x.a[0]\n}\n');
  });

  test('refuses a top-level block it cannot render', () => {
    expect(() => renderHcl({ import: [{}] })).toThrow('no HCL rendering for top-level import');
  });
});

describe('long text', () => {
  test('a short text stays one quoted string; a long one is joined from parts cut at spaces, with the same value', () => {
    expect(textExpression('Role ${var.x} is fine.')).toBe('"Role ${var.x} is fine."');
    const long = `${'word '.repeat(40)}\${jsonencode([for v in var.list : v if v != "a b c"])} say "hi" and end.`;
    const parts = textParts(long);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join(' ')).toBe(long);
    // The interpolation is never cut, though it holds spaces.
    const interpolation = '${jsonencode([for v in var.list : v if v != "a b c"])}';
    expect(parts.filter((p) => p.includes(interpolation))).toHaveLength(1);
    expect(parts.filter((p) => p.includes('${') && !p.includes(interpolation))).toEqual([]);
    expect(textExpression(long)).toMatch(/^join\(" ", \[\n"word word/);
    expect(textExpression(long)).toContain('say \\"hi\\" and end."');
    expect(textTemplate(long)).toBe(`\${${textExpression(long)}}`);
    expect(textTemplate('${join("\\n", local.x)}')).toBe('${join("\\n", local.x)}');
  });

  test('a text a little longer than a part stays whole, rather than be cut in two short parts', () => {
    const text = (length: number) =>
      'word '
        .repeat(length / 5)
        .trimEnd()
        .padEnd(length, 'x');
    expect(textParts(text(170)).length).toBe(2);
    expect(textExpression(text(170))).toBe(JSON.stringify(text(170)));
    expect(textExpression(text(171))).toMatch(/^join\(" ", \[\n/);
  });
});

// terraform fmt formats cdk.tf: a Terraform-level test.
describeWithTerraform('the synthesized cdk.tf reads like a careful human wrote it', () => {
  test.each([
    ['defaults', {}],
    ['thumbprintSource none, s3 backend', { thumbprintSource: 'none', backend: 's3', backendConfig: { bucket: 'b', key: 'k', region: 'eu-west-1' } }],
    ['manageGitlabVariables', { manageGitlabVariables: true }],
  ])('%s: no line is over 200 characters', (_name, context) => {
    const { text } = synthStack(context, { hcl: true });
    const long = text.split('\n').filter((line) => line.length > 200);
    expect(long).toEqual([]);
  });
});

test('ignore_changes lists attribute names bare, as HCL wants them', () => {
  expect(renderHcl({ resource: { aws_iam_role: { deploy: { name_prefix: 'deploy-', lifecycle: { ignore_changes: ['name_prefix'] } } } } })).toContain(
    '  lifecycle {\n    ignore_changes = [name_prefix]\n  }',
  );
});

describe('HclString: a string expression knows whether it is a literal, and writes itself into a template as one', () => {
  test('a literal is its own characters in a template, escaped as HCL escapes them', () => {
    expect(HclString.literal('gitlab.com').inTemplate).toBe('gitlab.com');
    expect(HclString.literal('gitlab.com').hcl).toBe('"gitlab.com"');
    expect(HclString.literal('a "b" \\ c').inTemplate).toBe('a \\"b\\" \\\\ c');
  });

  test("a literal's template sequences are escaped, and an expression is interpolated", () => {
    expect(HclString.literal('a${b}').hcl).toBe('"a$${b}"');
    expect(HclString.literal('100%{x}').inTemplate).toBe('100%%{x}');
    expect(HclString.expression('local.gitlab_issuer_host').inTemplate).toBe('${local.gitlab_issuer_host}');
  });

  test('of a prop: a literal string is a literal, a token is its expression', () => {
    const stack = new TerraformStack(new App(), 'strings');
    const host = new TerraformVariable(stack, 'host', { type: 'string' });
    expect(HclString.of(stack, 'gitlab.example.com').literal).toBe('gitlab.example.com');
    expect(HclString.of(stack, host.stringValue)).toEqual(HclString.expression('var.host'));
  });
});
