import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GitlabClaims, gitlabSubject } from '../src/lib/access/gitlab-token';
import { readTerraformShow, ReviewedConfiguration, rolesLettingIn } from '../src/lib/access/terraform-show';
import { run } from '../src/lib/access/command';
import { EXAMPLE_TFVARS, REPO_ROOT, synthStack } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tfOk, workdir } from './helpers/terraform';

/**
 * Who gets in, decided on what Terraform plans: the article's tfvars plus six roles
 * (exact, wildcard, mixed exact+wildcard, `?`, gitlab.com claims, a second audience),
 * nineteen tokens, and for every token and role the decision IAM makes with the planned
 * trust. Planned for a fresh account (the trust is read from trust_conditions) and with
 * an existing provider (from assume_role_policy), from the JSON and from the HCL output.
 */

const MATRIX_TFVARS = fs.readFileSync(path.join(__dirname, 'fixtures', 'access-matrix.tfvars'), 'utf8');
const EXISTING_PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com';
const ROLES = ['exact', 'gitlab_ci', 'mixed', 'protected', 'second-audience', 'single-char', 'wildcard'];

const GITLAB = 'https://gitlab.com';
const branch = (project: string, ref: string) => gitlabSubject(project, ref, 'branch');
const tag = (project: string, ref: string) => gitlabSubject(project, ref, 'tag');
const protectedApi = { project_id: '1001', ref_protected: 'true' };

/** Each token, and the roles that must let it in; every other role must refuse it. */
const MATRIX: [name: string, token: GitlabClaims, allowedBy: string[]][] = [
  ['the article project on main', { sub: branch('mygroup/myproject', 'main'), aud: GITLAB }, ['gitlab_ci']],
  ['the article project on another branch', { sub: branch('mygroup/myproject', 'dev'), aud: GITLAB }, []],
  ['the article project with the second audience', { sub: branch('mygroup/myproject', 'main'), aud: 'sts.amazonaws.com' }, []],
  ['acme/api main, protected, its project ID', { sub: branch('acme/api', 'main'), aud: GITLAB, ...protectedApi }, ['exact', 'protected']],
  ['acme/api main, unprotected', { sub: branch('acme/api', 'main'), aud: GITLAB, project_id: '1001', ref_protected: 'false' }, ['exact']],
  ['acme/api main, protected, another project ID', { sub: branch('acme/api', 'main'), aud: GITLAB, project_id: '9999', ref_protected: 'true' }, ['exact']],
  ['acme/api main with the second audience', { sub: branch('acme/api', 'main'), aud: 'sts.amazonaws.com', ...protectedApi }, ['second-audience']],
  ['acme/api main with an audience the provider does not list', { sub: branch('acme/api', 'main'), aud: 'https://gitlab.example.com' }, []],
  ['ACME/api main (case differs)', { sub: branch('ACME/api', 'main'), aud: GITLAB }, []],
  ['acme/api tag v1.0.0', { sub: tag('acme/api', 'v1.0.0'), aud: GITLAB }, ['mixed', 'wildcard']],
  ['acme/tools tag v2', { sub: tag('acme/tools', 'v2'), aud: GITLAB }, ['mixed', 'wildcard']],
  ['a subgroup project acme/platform/db tag v3 (* spans /)', { sub: tag('acme/platform/db', 'v3'), aud: GITLAB }, ['mixed', 'wildcard']],
  ['acme/api tag main (tag, not v*)', { sub: tag('acme/api', 'main'), aud: GITLAB }, []],
  ['another group other/api tag v1', { sub: tag('other/api', 'v1'), aud: GITLAB }, []],
  ["acme/infra main (the mixed list's exact value)", { sub: branch('acme/infra', 'main'), aud: GITLAB }, ['mixed']],
  ['acme/infra dev', { sub: branch('acme/infra', 'dev'), aud: GITLAB }, []],
  ['acme/api release-1', { sub: branch('acme/api', 'release-1'), aud: GITLAB }, ['single-char']],
  ['acme/api release-1, protected, its project ID', { sub: branch('acme/api', 'release-1'), aud: GITLAB, ...protectedApi }, ['protected', 'single-char']],
  ['acme/api release-12 (? is one character)', { sub: branch('acme/api', 'release-12'), aud: GITLAB }, []],
];

/** The matrix as decided on a configuration: token name → roles that allow it. */
function decisions(configuration: ReviewedConfiguration): Record<string, string[]> {
  return Object.fromEntries(MATRIX.map(([name, token]) => [name, rolesLettingIn(configuration, token)]));
}

/** An error line where none is expected. */
const fail = (line: string) => {
  throw new Error(`unexpected error output: ${line}`);
};

const expected = Object.fromEntries(MATRIX.map(([name, , allowedBy]) => [name, [...allowedBy].sort()]));

/** Plans the stack in `dir` and returns `terraform show -json` of the saved plan, as a file and parsed. */
function showPlan(dir: string, name: string, args: string[]): { file: string; configuration: ReviewedConfiguration } {
  tfOk(dir, ['plan', '-refresh=false', '-lock=false', `-out=${name}.bin`, '-var-file=matrix.tfvars', ...args]);
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, tfOk(dir, ['show', '-json', `${name}.bin`]).stdout);
  return { file, configuration: readTerraformShow(JSON.parse(fs.readFileSync(file, 'utf8'))) };
}

/** The working directory of the JSON output's plans. */
const plansDir = () => path.dirname(plans(false).fresh.file);

type Plans = { fresh: { file: string; configuration: ReviewedConfiguration }; existing: { file: string; configuration: ReviewedConfiguration } };
const planned = new Map<boolean, Plans>();

/** The fresh-account and existing-provider plans of the JSON (or HCL) output, made once per form. */
function plans(hcl: boolean): Plans {
  if (!planned.has(hcl)) {
    const { file } = synthStack({ thumbprintSource: 'none' }, { hcl });
    const dir = workdir(file, { 'terraform.tfvars': EXAMPLE_TFVARS, 'matrix.tfvars': MATRIX_TFVARS, 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE });
    init(dir);
    planned.set(hcl, { fresh: showPlan(dir, 'fresh', []), existing: showPlan(dir, 'existing', ['-var', `existing_provider_arn=${EXISTING_PROVIDER}`]) });
  }
  return planned.get(hcl)!;
}

describeWithTerraform('who gets in: every token against every planned role', () => {
  test('the matrix has at least 15 tokens and 7 roles, and every role lets someone in and keeps someone out', () => {
    expect(MATRIX.length).toBeGreaterThanOrEqual(15);
    for (const role of ROLES) {
      const allowed = MATRIX.filter(([, , by]) => by.includes(role)).length;
      expect([role, allowed > 0 && allowed < MATRIX.length]).toEqual([role, true]);
    }
  });

  describe.each([
    ['JSON', false],
    ['HCL', true],
  ])('the %s output', (_form, hcl) => {
    let fresh: { file: string; configuration: ReviewedConfiguration };
    let existing: { file: string; configuration: ReviewedConfiguration };

    beforeAll(() => {
      ({ fresh, existing } = plans(hcl));
    });

    test("a fresh account: the provider is created, so each role's trust is read from trust_conditions, and the matrix holds", () => {
      expect(fresh.configuration.providers.map((p) => p.pending)).toEqual([true]);
      expect(fresh.configuration.providers[0].audiences).toEqual([GITLAB, 'sts.amazonaws.com']);
      expect(fresh.configuration.roles.map((r) => [r.name, r.source]).sort()).toEqual(ROLES.map((r) => [r, 'output']));
      expect(decisions(fresh.configuration)).toEqual(expected);
    });

    test("an existing provider: each role's planned assume_role_policy is read whole, and the matrix holds", () => {
      expect(existing.configuration.providers.map((p) => p.arn)).toEqual([EXISTING_PROVIDER]);
      expect(existing.configuration.roles.map((r) => [r.name, r.source]).sort()).toEqual(ROLES.map((r) => [r, 'assume_role_policy']));
      expect(decisions(existing.configuration)).toEqual(expected);
    });

    test('npm run access answers for both plans, one line per role, with the reason of a deny', async () => {
      for (const plan of [fresh, existing]) {
        const lines: string[] = [];
        expect(await run([plan.file, '--project', 'acme/infra', '--ref', 'dev'], { out: (l) => lines.push(l), err: fail })).toBe(0);
        expect(lines).toHaveLength(ROLES.length);
        expect(lines).toContain(
          'mixed deny StringLike gitlab.com:sub: the token has "project_path:acme/infra:ref_type:branch:ref:dev", the role lists ' +
            '["project_path:acme/infra:ref_type:branch:ref:main","project_path:acme/*:ref_type:tag:ref:v*"]',
        );
        expect(await run([plan.file, '--sub', tag('acme/tools', 'v2'), '--role', 'mixed', '--expect', 'allow'], { out: () => undefined, err: fail })).toBe(0);
        const errors: string[] = [];
        expect(await run([plan.file, '--sub', tag('acme/tools', 'v2'), '--role', 'exact', '--expect', 'allow'], { out: () => undefined, err: (l) => errors.push(l) })).toBe(1);
        expect(errors).toEqual(['access: expected allow for exact, got deny']);
      }
    });
  });
});

describeWithTerraform('npm run access as a pipeline runs it', () => {
  let planFile: string;
  beforeAll(() => {
    planFile = plans(false).fresh.file;
  });
  const access = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'lib', 'access', 'command.js'), ...args], { encoding: 'utf8' });

  test('--json prints { role, decision, reason } per role; --claim adds gitlab.com claims', () => {
    const r = access(planFile, '--sub', branch('acme/api', 'main'), '--claim', 'ref_protected=true', '--claim', 'project_id=1001', '--json');
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout) as { role: string; decision: string; reason: string }[];
    expect(
      parsed
        .filter((d) => d.decision === 'allow')
        .map((d) => d.role)
        .sort(),
    ).toEqual(['exact', 'protected']);
    expect(Object.keys(parsed[0]).sort()).toEqual(['decision', 'reason', 'role']);
  });

  test('--expect exits 1 when the decision differs, naming the role', () => {
    const r = access(planFile, '--project', 'acme/api', '--ref', 'main', '--role', 'gitlab_ci', '--expect', 'allow');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^gitlab_ci deny StringEquals gitlab.com:sub: /);
    expect(r.stderr).toBe('access: expected allow for gitlab_ci, got deny\n');
  });

  test.each([
    ['no such file', ['/nonexistent/plan.json', '--sub', 'x'], /^access: cannot read \/nonexistent\/plan.json \(ENOENT\)/],
    ['a file that is not JSON', ['PLAN.txt', '--sub', 'x'], /is not JSON/],
    ['JSON that is not terraform show output', [path.join(REPO_ROOT, 'package.json'), '--sub', 'x'], /^access: not the output of terraform show -json/],
    ['an unknown role', ['PLAN', '--sub', 'x', '--role', 'nobody', '--expect', 'deny'], /no role named "nobody"/],
    ['no subject', ['PLAN'], /give the token's --token or --sub/],
  ])('bad input (%s) gets one clear line and exit 2', (_name, args, message) => {
    fs.writeFileSync(`${planFile}.txt`, 'Plan: 11 to add, 0 to change, 0 to destroy.\n');
    const r = access(...args.map((a) => a.replace(/^PLAN/, planFile)));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(message);
  });

  test('STS checks the audience for every role: with an existing provider, a role without an aud condition still refuses an audience the provider does not list', () => {
    // The article role checks sub and ref_protected, not aud; the provider is not created here.
    const { file } = showPlan(plansDir(), 'existing-no-aud', [
      '-var',
      `existing_provider_arn=${EXISTING_PROVIDER}`,
      '-var',
      'mygitlab_match_field1=ref_protected',
      '-var',
      'mygitlab_match_value1=["true"]',
    ]);
    const token = ['--project', 'mygroup/myproject', '--ref', 'main', '--claim', 'ref_protected=true', '--role', 'gitlab_ci'];
    const listed = access(file, ...token, '--aud', GITLAB, '--expect', 'allow');
    expect([listed.status, listed.stderr]).toEqual([0, '']);
    const unlisted = access(file, ...token, '--aud', 'https://attacker.example.com', '--expect', 'deny');
    expect([unlisted.status, unlisted.stderr]).toEqual([0, '']);
    expect(unlisted.stdout).toBe(
      'gitlab_ci deny InvalidIdentityToken: Incorrect token audience: the token has aud "https://attacker.example.com", the provider lists ["https://gitlab.com","sts.amazonaws.com"]\n',
    );
  });

  test('a policy the module cannot read: exit 2 naming the role and the operator', () => {
    const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
    const mixed = plan.planned_values.root_module.resources.find((r: { address: string }) => r.address === 'aws_iam_role.fleet["mixed"]');
    mixed.values.assume_role_policy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: '*' }, Condition: { NumericLessThan: { 'gitlab.com:project_id': '5' } } }],
    });
    const edited = `${planFile}.edited.json`;
    fs.writeFileSync(edited, JSON.stringify(plan));
    const r = access(edited, '--sub', 'x');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^access: aws_iam_role\.fleet\["mixed"\]: condition operator "NumericLessThan" is not one this check knows/);
  });
});
