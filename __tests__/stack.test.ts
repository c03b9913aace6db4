import * as os from 'os';
import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';
import { DataTlsCertificate } from '@cdktf/provider-tls/lib/data-tls-certificate';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SynthOptions, readSynthOptions } from '../src/app/config/synth-options';
import { GitlabOidcStack } from '../src/app/stacks/gitlab-oidc-stack';
import { withoutJobPaths } from './helpers/synth';

Testing.setupJest();

const DEFAULTS: SynthOptions = readSynthOptions({}, {});

function synth(options: Partial<SynthOptions> = {}): string {
  const app = Testing.app();
  return Testing.synth(new GitlabOidcStack(app, 'gitlab-oidc', { ...DEFAULTS, ...options }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the synthesized JSON, read field by field
const parsed = (options: Partial<SynthOptions> = {}): any => JSON.parse(synth(options));

/** Whether `version` satisfies a Terraform constraint made of `>=`/`<` terms, as Terraform reads it. */
function satisfies(constraint: string, version: string): boolean {
  const num = (v: string) => v.split('.').map(Number);
  const cmp = (a: number[], b: number[]) => a.reduce((r, x, i) => r || x - (b[i] ?? 0), 0);
  return constraint.split(',').every((term) => {
    const [, op, v] = term.trim().match(/^(>=|<|~>)\s*(\S+)$/) ?? [];
    if (op === '>=') return cmp(num(version), num(v)) >= 0;
    if (op === '<') return cmp(num(version), num(v)) < 0;
    if (op === '~>') return cmp(num(version), num(v)) >= 0 && num(version)[0] === num(v)[0];
    throw new Error(`unhandled constraint term ${term}`);
  });
}

describe('the article stack', () => {
  test("declares the hand-written variables with their types; the provider's three are required, the article role's five default to null", () => {
    const vars = parsed().variable;
    const typeOf = (names: string[]) => Object.fromEntries(names.map((n) => [n, vars[n].type]));
    const required = Object.keys(vars).filter((n) => !('default' in vars[n]));
    expect(typeOf(required)).toEqual({ aws_region: 'string', mygitlab: 'string', mygitlab_aud_value: 'string' });
    const articleRole = ['mygitlab_match_field', 'mygitlab_match_field1', 'mygitlab_match_value', 'mygitlab_match_value1', 'role_arn'];
    expect(typeOf(articleRole)).toEqual({
      mygitlab_match_field: 'string',
      mygitlab_match_field1: 'string',
      mygitlab_match_value: 'list(string)',
      mygitlab_match_value1: 'list(string)',
      role_arn: 'list(string)',
    });
    for (const name of articleRole) expect([name, vars[name].default]).toEqual([name, null]);
  });

  test('gives every variable a description and a validation, and every output a description', () => {
    const tf = parsed();
    for (const [name, v] of Object.entries(tf.variable) as [string, { description?: string; validation?: unknown[] }][]) {
      expect([name, (v.description ?? '').length > 20]).toEqual([name, true]);
      expect([name, (v.validation ?? []).length > 0]).toEqual([name, true]);
    }
    for (const [name, o] of Object.entries(tf.output) as [string, { description?: string }][]) {
      expect([name, Boolean(o.description)]).toEqual([name, true]);
    }
  });

  test('keeps the hand-written addresses: provider, role and attachments', () => {
    const tf = parsed();
    expect(Object.keys(tf.resource.aws_iam_openid_connect_provider)).toEqual(['gitlab']);
    expect(Object.keys(tf.resource.aws_iam_role)).toEqual(['fleet', 'gitlab_ci']);
    expect(Object.keys(tf.resource.aws_iam_role_policy_attachment)).toEqual(['fleet', 'gitlab_ci']);
    expect(Object.keys(tf.data.tls_certificate)).toEqual(['gitlab']);
  });

  test('creates the provider only without existing_provider_arn, and moves state of the unindexed address to [0]', () => {
    const tf = parsed();
    expect(tf.resource.aws_iam_openid_connect_provider.gitlab.count).toBe('${var.existing_provider_arn == null ? 1 : 0}');
    expect(tf.data.tls_certificate.gitlab.count).toBe('${var.existing_provider_arn == null ? 1 : 0}');
    expect(tf.moved).toEqual([
      { from: 'aws_iam_openid_connect_provider.gitlab', to: 'aws_iam_openid_connect_provider.gitlab[0]' },
      { from: 'aws_iam_role.gitlab_ci', to: 'aws_iam_role.gitlab_ci[0]' },
    ]);
    expect(tf.locals.gitlab_arn).toBe('${var.existing_provider_arn != null ? var.existing_provider_arn : one(aws_iam_openid_connect_provider.gitlab[*].arn)}');
  });

  test('creates the role, when all its inputs are set, with its entry of the trust policies and the hand-written name prefix by default', () => {
    expect(synth()).toHaveResourceWithProperties(IamRole, {
      count: '${local.gitlab_ci_role_enabled ? 1 : 0}',
      name: '${var.role_name}',
      name_prefix: '${var.role_name == null ? var.role_name_prefix : null}',
      path: '${var.role_path}',
      assume_role_policy: '${local.gitlab_trust_policies["gitlab_ci"]}',
    });
    const vars = parsed().variable;
    expect([vars.role_name.default, vars.role_name_prefix.default, vars.role_path.default, vars.role_max_session_duration.default]).toEqual([null, 'GitLabCI', '/', 3600]);
    expect(parsed().locals.gitlab_ci_role_enabled).toBe('${length(local.gitlab_ci_role_missing) == 0}');
  });

  test('keys policy attachments by ARN with for_each', () => {
    expect(synth()).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      for_each: '${toset(local.gitlab_ci_role_enabled ? var.role_arn : [])}',
      policy_arn: '${each.value}',
      role: '${aws_iam_role.gitlab_ci[0].name}',
    });
  });

  test('builds the trust policy with jsonencode, never the aws_iam_policy_document data source', () => {
    const tf = parsed();
    expect(tf.locals.gitlab_trust_policies).toMatch(/^\$\{\{ for name, condition in local\.gitlab_trust_conditions : name => jsonencode\(/);
    expect(tf.data.aws_iam_policy_document).toBeUndefined();
  });

  test('prefixes condition keys with the host derived from var.mygitlab, not the provider url attribute', () => {
    const tf = parsed();
    expect(tf.locals.gitlab_issuer_host).toBe('${trimsuffix(trimprefix(var.mygitlab, "https://"), "/")}');
    expect(tf.locals.gitlab_trust_conditions).toContain('"${local.gitlab_issuer_host}:${claim}"');
    expect(JSON.stringify(tf.locals)).not.toContain('aws_iam_openid_connect_provider.gitlab.url');
  });

  test('configures the aws provider from var.aws_region', () => {
    expect(parsed().provider.aws).toEqual([{ region: '${var.aws_region}' }]);
  });

  test('outputs ROLE_ARN and the provider ARN', () => {
    const out = parsed().output;
    expect(out.ROLE_ARN.value).toBe('${one(aws_iam_role.gitlab_ci[*].arn)}');
    expect(out.oidc_provider_arn.value).toBe('${local.gitlab_arn}');
  });

  test('accepts aws provider 5.81 and later, 6.x, but not 5.80 or 7.x; tls 4.x only', () => {
    const req = parsed().terraform.required_providers;
    expect(req.aws.source).toBe('hashicorp/aws');
    const aws = req.aws.version;
    expect(['5.80.0', '5.81.0', '5.100.0', '6.0.0', '6.30.1', '7.0.0'].map((v) => satisfies(aws, v))).toEqual([false, true, true, true, true, false]);
    expect(['3.4.0', '4.0.0', '4.1.0', '5.0.0'].map((v) => satisfies(req.tls.version, v))).toEqual([false, true, true, false]);
  });
});

describe('thumbprint source', () => {
  test('tls (default): reads the certificate over tls://<host>:443 and pins its fingerprint', () => {
    const out = synth();
    expect(out).toHaveProvider(TlsProvider);
    expect(out).toHaveDataSourceWithProperties(DataTlsCertificate, { url: 'tls://${local.gitlab_issuer_host}:443' });
    expect(out).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: '${var.mygitlab}',
      thumbprint_list: ['${data.tls_certificate.gitlab[0].certificates[0].sha1_fingerprint}'],
    });
  });

  test('none: no tls provider, data source or constraint, and no thumbprint_list', () => {
    const out = synth({ thumbprintSource: 'none' });
    const tf = JSON.parse(out);
    expect(out).not.toHaveProvider(TlsProvider);
    expect(out).not.toHaveDataSource(DataTlsCertificate);
    expect(tf.terraform.required_providers.tls).toBeUndefined();
    expect(tf.resource.aws_iam_openid_connect_provider.gitlab).not.toHaveProperty('thumbprint_list');
  });
});

describe('backend', () => {
  test('local (default) names no path, so no machine path lands in the output', () => {
    const out = synth();
    expect(JSON.parse(out).terraform.backend).toEqual({ local: {} });
    for (const machinePath of [process.cwd(), os.tmpdir(), os.homedir()]) expect(withoutJobPaths(out)).not.toContain(machinePath);
  });

  test('s3 and http are partial configurations holding only the given settings', () => {
    expect(parsed({ backend: 's3', backendConfig: { bucket: 'state', key: 'gitlab-oidc.tfstate', region: 'eu-west-1' } }).terraform.backend).toEqual({
      s3: { bucket: 'state', key: 'gitlab-oidc.tfstate', region: 'eu-west-1' },
    });
    expect(parsed({ backend: 'http' }).terraform.backend).toEqual({ http: {} });
  });

  test('none leaves the backend to the directory the output is dropped into', () => {
    expect(parsed({ backend: 'none' }).terraform.backend).toBeUndefined();
  });
});

test('snapshot of the default synthesis', () => {
  expect(parsed()).toMatchSnapshot();
});
