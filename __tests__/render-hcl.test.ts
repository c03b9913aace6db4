import { renderHcl, renderString } from '../src/hcl/render-hcl';

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
