import * as fs from 'fs';
import * as path from 'path';
import { App, Fn, TerraformLocal, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GitlabCiRole, GitlabCiRoleProps, GitlabOidcProvider, GitlabOidcProviderProps, checkProps } from '../src/lib';
import * as rules from '../src/lib/guardrails/rules';
import { setIn } from '../src/lib/guardrails/prop-checks';
import { readsOf } from '../src/lib/hcl/expression';
import { ValueRule } from '../src/lib/guardrails/rules';
import { tempDir } from './helpers/synth';
import { describeWithTerraform, init, tf, workdir } from './helpers/terraform';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read synthesized and planned JSON field by field */

/**
 * Every rule, once as a literal and once through a variable. A bad literal fails synth
 * with a message naming the construct path, the prop, the value and the fix; the same
 * value given through a variable fails the plan, at the variable or at the role.
 */

/** Props that a rule checks, each with a good value and how a variable of its type becomes a token. */
const PROPS = {
  issuerUrl: { of: 'provider', type: 'string', good: 'https://gitlab.com', token: (v: TerraformVariable) => v.stringValue },
  audiences: { of: 'provider', type: 'list(string)', good: ['https://gitlab.com'], token: (v: TerraformVariable) => v.listValue },
  existingProviderArn: { of: 'provider', type: 'string', good: null, token: (v: TerraformVariable) => v.stringValue },
  trustPolicyMaxLength: { of: 'provider', type: 'number', good: 2048, token: (v: TerraformVariable) => v.numberValue },
  maxManagedPoliciesPerRole: { of: 'provider', type: 'number', good: 10, token: (v: TerraformVariable) => v.numberValue },
  subjects: { of: 'role', type: 'list(string)', good: ['project_path:acme/api:ref_type:branch:ref:main'], token: (v: TerraformVariable) => v.listValue },
  roleAudiences: { of: 'role', type: 'list(string)', good: ['https://gitlab.com'], token: (v: TerraformVariable) => v.listValue },
  claims: { of: 'role', type: 'map(list(string))', good: {}, token: (v: TerraformVariable) => Token.asAnyMap(v.value) },
  managedPolicyArns: { of: 'role', type: 'list(string)', good: [], token: (v: TerraformVariable) => v.listValue },
  inlinePolicies: { of: 'role', type: 'map(string)', good: {}, token: (v: TerraformVariable) => Token.asStringMap(v.value) },
  roleName: { of: 'role', type: 'string', good: null, token: (v: TerraformVariable) => v.stringValue },
  roleNamePrefix: { of: 'role', type: 'string', good: 'GitLabCI', token: (v: TerraformVariable) => v.stringValue },
  path: { of: 'role', type: 'string', good: '/', token: (v: TerraformVariable) => v.stringValue },
  description: { of: 'role', type: 'string', good: null, token: (v: TerraformVariable) => v.stringValue },
  maxSessionDuration: { of: 'role', type: 'number', good: 3600, token: (v: TerraformVariable) => v.numberValue },
  permissionsBoundary: { of: 'role', type: 'string', good: null, token: (v: TerraformVariable) => v.stringValue },
  tags: { of: 'role', type: 'map(string)', good: {}, token: (v: TerraformVariable) => Token.asStringMap(v.value) },
  arnVariable: { of: 'role', type: 'string', good: 'ROLE_ARN_DEPLOY', token: (v: TerraformVariable) => v.stringValue },
  ciJobName: { of: 'role', type: 'string', good: '.aws-oidc-deploy', token: (v: TerraformVariable) => v.stringValue },
  subClaimComponents: { of: 'role', type: 'list(string)', good: ['project_path', 'ref_type', 'ref'], token: (v: TerraformVariable) => v.listValue },
} as const;
type Prop = keyof typeof PROPS;
/** The role's `audiences` prop, named apart from the provider's. */
const propName = (prop: Prop) => (prop === 'roleAudiences' ? 'audiences' : prop);

/** A rule, the prop it guards, a value it refuses (and the part of it the message quotes), and what fails the plan. */
type Row = [rule: string, prop: Prop, bad: unknown, quoted: unknown, failsAtPlan: 'variable' | 'role'];
const ROWS: Row[] = [
  ['ISSUER_URL', 'issuerUrl', 'http://gitlab.com', 'http://gitlab.com', 'variable'],
  ['AUDIENCE', 'audiences', ['https://*.gitlab.com'], 'https://*.gitlab.com', 'variable'],
  ['OIDC_PROVIDER_ARN', 'existingProviderArn', 'arn:aws:iam::123456789012:role/gitlab', 'arn:aws:iam::123456789012:role/gitlab', 'variable'],
  ['QUOTA_TRUST_POLICY_LENGTH', 'trustPolicyMaxLength', 8192, 8192, 'variable'],
  ['QUOTA_MANAGED_POLICIES', 'maxManagedPoliciesPerRole', 25, 25, 'variable'],
  ['NOT_GITHUB_SUBJECT', 'subjects', ['repo:acme/api:environment:production'], 'repo:acme/api:environment:production', 'role'],
  ['NOT_OPEN_TO_OTHER_OWNERS', 'subjects', ['project_path:*/api:ref_type:branch:ref:main'], 'project_path:*/api:ref_type:branch:ref:main', 'role'],
  ['SUB_LEADS_WITH_PROJECT', 'subjects', ['ref_type:branch:project_path:acme/api'], 'ref_type:branch:project_path:acme/api', 'role'],
  ['SUB_COMPONENTS_ONLY', 'subjects', ['project_path:acme/api:pipeline_source:push'], 'project_path:acme/api:pipeline_source:push', 'role'],
  ['SUB_NUMERIC_PROJECT_ID', 'subjects', ['project_id:*:ref_type:branch:ref:main'], 'project_id:*:ref_type:branch:ref:main', 'role'],
  ['GITLAB_SUBJECT', 'subjects', ['project_path:acme/api:ref_type:any:ref:main'], 'project_path:acme/api:ref_type:any:ref:main', 'role'],
  ['NOT_GIT_REF_PATH', 'subjects', ['project_path:acme/api:ref_type:branch:ref:refs/heads/main'], 'project_path:acme/api:ref_type:branch:ref:refs/heads/main', 'role'],
  ['SUB_COMPONENTS_LIST_RULE', 'subClaimComponents', ['ref', 'project_path'], 'ref,project_path', 'role'],
  ['CLAIM_NAME', 'claims', { 'Project-Id': ['42'] }, 'Project-Id', 'role'],
  ['GITLAB_COM_CLAIM', 'claims', { project_path: ['acme/api'] }, 'project_path', 'role'],
  ['NOT_EMPTY_VALUE', 'claims', { project_id: [''] }, '', 'role'],
  ['CLAIM_VALUE_LITERAL_START', 'claims', { ref_protected: ['*'] }, '*', 'role'],
  ['MANAGED_POLICY_ARN', 'managedPolicyArns', ['arn:aws:iam::aws:role/ReadOnly'], 'arn:aws:iam::aws:role/ReadOnly', 'variable'],
  ['INLINE_POLICY_NAME', 'inlinePolicies', { 'read artifacts': '{}' }, 'read artifacts', 'variable'],
  ['JSON_DOCUMENT', 'inlinePolicies', { read: 'Statement: []' }, 'Statement: []', 'variable'],
  ['ROLE_NAME', 'roleName', 'deploy role', 'deploy role', 'variable'],
  ['ROLE_NAME_PREFIX', 'roleNamePrefix', 'p'.repeat(39), 'p'.repeat(39), 'variable'],
  ['ROLE_PATH', 'path', 'ci', 'ci', 'variable'],
  ['ROLE_DESCRIPTION', 'description', 'line one\nline two', 'line one\nline two', 'variable'],
  ['SESSION_DURATION', 'maxSessionDuration', 60, 60, 'variable'],
  ['PERMISSIONS_BOUNDARY', 'permissionsBoundary', 'arn:aws:iam::123456789012:role/boundary', 'arn:aws:iam::123456789012:role/boundary', 'variable'],
  ['ROLE_TAGS', 'tags', { 'aws:team': 'platform' }, { 'aws:team': 'platform' }, 'variable'],
  ['CI_VARIABLE_NAME', 'arnVariable', 'ROLE-ARN', 'ROLE-ARN', 'variable'],
  ['CI_HIDDEN_JOB', 'ciJobName', 'aws-oidc-deploy', 'aws-oidc-deploy', 'variable'],
];
/** A rule applied by a stack, not by a construct: the region of an account's provider. */
const REGION_ROW = ['AWS_REGION', 'eu-west', 'variable'] as const;
/** Rules the others are built from, with no prop of their own. */
const PARTS_OF_OTHER_RULES = ['CLAIM_VALUE_RULES', 'GITLAB_COM_EXTRA_CLAIMS', 'SUBJECT_RULES'];

const isRule = (value: unknown): value is ValueRule => typeof value === 'object' && value !== null && 'fix' in value && 'check' in value;
const ruleOf = (name: string) => (rules as Record<string, unknown>)[name] as ValueRule;

/** A provider and a role with good literals, or with `prop` set to `value`. */
function build(stack: TerraformStack, props: Partial<Record<Prop, unknown>> = {}): void {
  const given = (of: 'provider' | 'role') =>
    Object.fromEntries(
      Object.entries(props)
        .filter(([prop]) => PROPS[prop as Prop].of === of)
        .map(([prop, value]) => [propName(prop as Prop), value]),
    );
  const provider = new GitlabOidcProvider(stack, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none', ...given('provider') } as GitlabOidcProviderProps);
  new GitlabCiRole(stack, 'deploy', { provider, subjects: PROPS.subjects.good as unknown as string[], ...given('role') } as GitlabCiRoleProps);
}

/** Synthesizes; returns the error message, or '' when synth passes. */
function synthError(body: (stack: TerraformStack) => void): string {
  const app = new App({ outdir: tempDir('prop-checks') });
  const stack = new TerraformStack(app, 'checks');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  body(stack);
  try {
    app.synth();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('every rule is tested here', () => {
  test('each rule of the guardrails has its row', () => {
    const tested = new Set([...ROWS.map(([rule]) => rule), REGION_ROW[0], ...PARTS_OF_OTHER_RULES]);
    const all = Object.entries(rules)
      .filter(([, value]) => isRule(value) || Array.isArray(value))
      .map(([name]) => name);
    expect(all.filter((name) => !tested.has(name))).toEqual([]);
  });
});

describe('a bad literal fails synth, naming the construct path, the prop, the value and the fix', () => {
  test('good literals synthesize', () => {
    expect(synthError((stack) => build(stack))).toBe('');
  });

  test('the inline policy hint works where TypeScript reads it: a JSON.stringify document synthesizes', () => {
    expect(rules.JSON_DOCUMENT.fix).toContain('in TypeScript, JSON.stringify(');
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    expect(synthError((stack) => build(stack, { inlinePolicies: { read: policy } }))).toBe('');
  });

  test.each(ROWS)('%s: %s', (rule, prop, bad, quoted) => {
    const message = synthError((stack) => build(stack, { [prop]: bad }));
    const path = PROPS[prop].of === 'provider' ? 'checks/gitlab' : 'checks/deploy';
    expect(message).toContain(`[${path}]`);
    expect(message).toContain(`'${path}': ${propName(prop)}`);
    expect(message).toContain(` ${JSON.stringify(quoted)} is refused: ${ruleOf(rule).fix}.`);
    // One line per bad value: the first rule it breaks.
    expect(message.split('\n').filter((line) => line.startsWith('['))).toHaveLength(1);
  });

  test('AWS_REGION: a stack applies a rule to its own input with checkProps', () => {
    const message = synthError((stack) => checkProps(stack, [{ prop: 'region', value: REGION_ROW[1], rules: [rules.AWS_REGION] }]));
    expect(message).toContain(`TerraformStack 'checks': region "eu-west" is refused: ${rules.AWS_REGION.fix}.`);
  });

  test('a value that is a token is not checked at synth', () => {
    expect(
      synthError((stack) => {
        const name = new TerraformVariable(stack, 'name', { type: 'string' });
        build(stack, { roleName: name.stringValue });
      }),
    ).toBe('');
  });
});

/** The stack with every prop from a variable `v_<prop>`, at its good value. */
function tokenStackConfig(): string {
  const app = new App({ outdir: tempDir('prop-checks-tokens') });
  const stack = new TerraformStack(app, 'tokens');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const props: Partial<Record<Prop, unknown>> = {};
  for (const [prop, spec] of Object.entries(PROPS)) {
    const variable = new TerraformVariable(stack, `v_${prop}`, { type: spec.type });
    variable.addOverride('default', spec.good);
    props[prop as Prop] = spec.token(variable);
  }
  const region = new TerraformVariable(stack, 'v_region', { type: 'string', default: 'eu-west-1' });
  checkProps(stack, [{ prop: 'region', value: region.stringValue, rules: [rules.AWS_REGION] }]);
  build(stack, props);
  app.synth();
  return path.join(app.outdir, 'stacks', 'tokens', 'cdk.tf.json');
}

/** HCL of a value in a run block's variables (HCL takes JSON's lists and `:` in objects). */
const hcl = (value: unknown) => JSON.stringify(value);

describeWithTerraform('the same value through a variable fails plan (terraform test, mocked aws provider)', () => {
  let output = '';
  let config: any;
  beforeAll(() => {
    const file = tokenStackConfig();
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
    const runs = [
      'run "good_values" {\n  command = plan\n}',
      ...ROWS.map(([rule, prop, bad, , failsAtPlan]) =>
        [
          `run "${rule}" {`,
          '  command = plan',
          `  variables {\n    v_${prop} = ${hcl(bad)}\n  }`,
          `  expect_failures = [${failsAtPlan === 'variable' ? `var.v_${prop}` : 'aws_iam_role.deploy'}]`,
          '}',
        ].join('\n'),
      ),
      `run "${REGION_ROW[0]}" {\n  command = plan\n  variables {\n    v_region = ${hcl(REGION_ROW[1])}\n  }\n  expect_failures = [var.v_region]\n}`,
    ];
    const dir = workdir(file, { 'tests/checks.tftest.hcl': ['mock_provider "aws" {}', ...runs].join('\n\n') });
    init(dir);
    output = tf(dir, ['test']).output;
  }, 180_000);

  test('each variable carries its rules once, as a validation', () => {
    const validations = (prop: string) => (config.variable[`v_${prop}`].validation ?? []).length;
    expect(validations('issuerUrl')).toBe(1);
    // Checked with the whole trust, at the role: claim names and values, subjects.
    expect(validations('claims')).toBe(0);
    expect(validations('subjects')).toBe(0);
    // The role's problems, and its components list (joined, so not the variable's own value).
    expect(config.resource.aws_iam_role.deploy.lifecycle.precondition).toHaveLength(2);
  });

  test('good values plan', () => {
    expect(output).toMatch(/run "good_values"\.\.\. pass/);
  });

  test.each([...ROWS.map(([rule]) => rule), REGION_ROW[0]])('%s', (rule) => {
    expect(output).toMatch(new RegExp(`run "${rule}"\\.\\.\\. pass`));
  });
});

describe('what a value reads is told by its tokens, not by the text they print', () => {
  const stackWith = () => {
    const stack = new TerraformStack(new App({ outdir: tempDir('prop-checks-reads') }), 'reads');
    const region = new TerraformVariable(stack, 'region', { type: 'string' });
    const list = new TerraformVariable(stack, 'list', { type: 'list(string)' });
    const local = new TerraformLocal(stack, 'fallback', 'eu-west-1');
    return { stack, region, list, local };
  };

  test('readsOf names each variable, local or raw expression a value holds, through functions, once', () => {
    const { stack, region, list, local } = stackWith();
    expect(readsOf(stack, region.stringValue)).toEqual(['var.region']);
    expect(readsOf(stack, Fn.join(',', list.listValue))).toEqual(['var.list']);
    expect(readsOf(stack, Fn.coalesce([region.stringValue, local.asString, region.stringValue]))).toEqual(['var.region', 'local.fallback']);
    expect(readsOf(stack, Token.asList('${var.list}'))).toEqual(['var.list']);
    expect(readsOf(stack, '${var.region}')).toEqual(['var.region']);
    // A literal reads nothing, though it may look like a reference.
    expect(readsOf(stack, ['var.region', 'eu-west-1'])).toEqual([]);
  });

  test('setIn names the variables a value reads, else the prop of the construct', () => {
    const { stack, region, list } = stackWith();
    expect(setIn(stack, 'regions', Fn.concat([[region.stringValue], list.listValue]))).toBe('region or list');
    expect(setIn(stack, 'regions', ['eu-west-1'])).toBe("regions of TerraformStack 'reads'");
  });

  test('a rule its variable carries is not checked again on the variable, but is on an expression that also reads a local', () => {
    const { stack, region, local } = stackWith();
    const check = (value: unknown) => checkProps(stack, [{ prop: 'region', value, rules: [rules.AWS_REGION] }]);
    // The variable gets the validation; the second check of it adds nothing.
    expect(check(region.stringValue)).toEqual([]);
    expect(check(region.stringValue)).toEqual([]);
    // Read through a function with a local, the value is not only the variable's: checked where it is read.
    expect(check(Fn.coalesce([region.stringValue, local.asString]))).toHaveLength(1);
  });
});
