import * as ruleModule from '../src/lib/guardrails/rules';
import * as api from '../src/lib';
import { spawnSync } from 'child_process';
import * as rules from '../src/lib/guardrails/rules';
import { ValueRule } from '../src/lib/guardrails/rules';
import { tempDir } from './helpers/synth';
import { TERRAFORM, describeWithTerraform, terraformEnv } from './helpers/terraform';

/**
 * Each guardrail is one check, from which come the Terraform predicate and the TypeScript
 * test. For every rule, values it must accept and values it must refuse: the TypeScript test
 * decides them so, and so does Terraform evaluating the predicate.
 */

const SAMPLES: Record<string, { accept: unknown[]; refuse: unknown[] }> = {
  ISSUER_URL: {
    accept: ['https://gitlab.com', 'https://gitlab.example.com/gitlab/'],
    refuse: ['http://gitlab.com', 'gitlab.com', 'https://gitlab.com:443', 'https://gitlab.com/?x=1'],
  },
  AWS_REGION: { accept: ['ap-south-1', 'us-gov-west-1', 'eu-west-1'], refuse: ['Mumbai', 'eu-west', 'EU-WEST-1'] },
  AUDIENCE: { accept: ['https://gitlab.com', 'sts.amazonaws.com'], refuse: ['', '   ', 'https://*', 'aud?'] },
  CLAIM_NAME: { accept: ['sub', 'ref_protected'], refuse: ['Sub', 'gitlab.com:sub', '', '1sub'] },
  NOT_EMPTY_VALUE: { accept: ['x', ' a '], refuse: ['', ' \t '] },
  CLAIM_VALUE_LITERAL_START: { accept: ['true', '4242', 'push*', 'a?'], refuse: ['*', '?rue', '*@example.com'] },
  NOT_OPEN_TO_OTHER_OWNERS: { accept: ['project_path:acme/*:ref_type:tag:ref:v*', 'main'], refuse: ['*', '?x', 'project_path:*', 'project_path:ac*/api:ref_type:branch:ref:main'] },
  NOT_GIT_REF_PATH: {
    accept: ['project_path:acme/api:ref_type:branch:ref:main', 'project_path:acme/api:ref_type:branch:ref:feature/refs/heads/x'],
    refuse: ['project_path:acme/api:ref_type:branch:ref:refs/heads/main', 'project_path:acme/api:ref_type:tag:ref:refs/tags/v1'],
  },
  NOT_GITHUB_SUBJECT: { accept: ['project_path:acme/api:ref_type:branch:ref:main'], refuse: ['repo:acme/api:ref:refs/heads/main'] },
  GITLAB_SUBJECT: {
    accept: [
      'project_path:acme/api:ref_type:branch:ref:main',
      'project_path:acme/*:ref_type:tag:ref:v*',
      'project_id:4242:ref_type:branch:ref:main:ref_protected:true',
      'project_path:acme/api',
      'project_id:42:ref_protected:true',
      'project_path:acme/api:ref_type:branch:ref:main:environment_protected:true:deployment_tier:production',
      'project_path:g/p:ref:main:ref_type:branch',
      'project_id:42:ref_type:tag:ref:*:deployment_tier:*',
    ],
    refuse: [
      'project_path:acme',
      'project_path:a*/api:ref_type:branch:ref:main',
      'project_path:acme/api:ref_type:*:ref:main',
      'acme/api',
      'project_id:*:ref_type:branch:ref:main',
      'ref:main',
      'project_path:acme/api:pipeline_source:push',
      'project_path:acme/api:ref_type:branch:ref:refs/heads/main',
      'project_id:42:deployment_tier:prod',
      'project_id:42:ref_protected:yes',
      'project_id:42:ref_type:branch:ref:',
    ],
  },
  SUB_LEADS_WITH_PROJECT: { accept: ['project_id:42', 'project_path:a/b:ref:main'], refuse: ['ref:main:project_id:42', 'repo:a/b', ''] },
  SUB_COMPONENTS_ONLY: {
    accept: ['project_id:42:ref_protected:true', 'project_path:a/b:ref_type:branch:ref:*'],
    refuse: ['project_path:a/b:pipeline_source:push', 'project_id:42:environment:production', 'project_path:a/b:ref_type'],
  },
  SUB_NUMERIC_PROJECT_ID: {
    accept: ['project_id:4242:ref:main', 'project_path:a/b'],
    refuse: ['project_id:*', 'project_id:42a:ref:main', 'project_id::ref:main', 'project_path:a/b:project_id:'],
  },
  SUB_COMPONENTS_LIST_RULE: {
    accept: ['project_path,ref_type,ref', 'project_id', 'project_id,ref_protected', 'project_path,ref,ref_type'],
    refuse: ['', 'ref,project_path', 'project_path,pipeline_source', 'project_path,,ref'],
  },
  MANAGED_POLICY_ARN: {
    accept: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws-us-gov:iam::123456789012:policy/team/deploy'],
    refuse: ['ReadOnlyAccess', 'arn:aws:iam::123456789012:role/x'],
  },
  PERMISSIONS_BOUNDARY: { accept: [null, 'arn:aws:iam::123456789012:policy/boundary'], refuse: ['boundary'] },
  ROLE_NAME: { accept: ['gitlab-ci', 'a'.repeat(64), 'ci+deploy=1,x.y@z_'], refuse: ['', 'a'.repeat(65), 'ci deploy', 'ci/deploy'] },
  ROLE_NAME_PREFIX: { accept: ['GitLabCI', 'p'.repeat(38)], refuse: ['p'.repeat(39), ''] },
  ROLE_PATH: { accept: ['/', '/ci/', '/a/b/'], refuse: ['ci', '/ci', `/${'a'.repeat(511)}/`] },
  ROLE_DESCRIPTION: { accept: [null, '', 'Déploiement depuis main', 'x'.repeat(1000)], refuse: ['x'.repeat(1001), 'two\nlines', 'emoji 🚀'] },
  ROLE_TAGS: { accept: [{}, { team: 'web' }], refuse: [{ 'aws:team': 'x' }, { 'AWS:x': 'y' }, { '': 'x' }, { k: 'v'.repeat(257) }] },
  SESSION_DURATION: { accept: [3600, 43200], refuse: [3599, 43201, 900] },
  QUOTA_TRUST_POLICY_LENGTH: { accept: [1, 2048, 4096], refuse: [0, 4097] },
  QUOTA_MANAGED_POLICIES: { accept: [1, 10, 20], refuse: [0, 21] },
  CI_VARIABLE_NAME: { accept: ['ROLE_ARN', 'role_arn_2', 'A'.repeat(255)], refuse: ['ROLE-ARN', '', 'A'.repeat(256), 'ROLE ARN'] },
  CI_HIDDEN_JOB: { accept: ['.aws-oidc-deploy', '.a_b.c', `.${'a'.repeat(254)}`], refuse: ['aws-oidc-deploy', '.', '.a b', `.${'a'.repeat(255)}`] },
  INLINE_POLICY_NAME: { accept: ['etl-bucket', 'x'.repeat(128)], refuse: ['etl bucket', 'x'.repeat(129), ''] },
  JSON_DOCUMENT: { accept: ['{"Version":"2012-10-17"}', '[]'], refuse: ['Allow s3:*', '{'] },
  OIDC_PROVIDER_ARN: { accept: [null, 'arn:aws:iam::123456789012:oidc-provider/gitlab.com'], refuse: ['arn:aws:iam::123456789012:role/x', 'gitlab.com'] },
  GITLAB_COM_CLAIM: { accept: ['project_id', 'ref_protected'], refuse: ['environment', 'sub'] },
};

const RULES = Object.entries(rules).filter((e): e is [string, ValueRule] => typeof e[1] === 'object' && e[1] !== null && 'check' in e[1]);

/** A literal as HCL. */
function hcl(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  return `{ ${Object.entries(value as Record<string, string>)
    .map(([k, v]) => `${hcl(k)} = ${hcl(v)}`)
    .join(', ')} }`;
}

const cases = RULES.flatMap(([name, rule]) => [
  ...(SAMPLES[name]?.accept ?? []).map((value) => ({ name, rule, value, accepted: true })),
  ...(SAMPLES[name]?.refuse ?? []).map((value) => ({ name, rule, value, accepted: false })),
]);

describe('every guardrail is one check: the TypeScript test', () => {
  test('every rule has values it accepts and values it refuses', () => {
    for (const [name] of RULES) expect([name, (SAMPLES[name]?.accept.length ?? 0) > 0 && (SAMPLES[name]?.refuse.length ?? 0) > 0]).toEqual([name, true]);
    expect(RULES.length).toBe(Object.keys(SAMPLES).length);
  });

  test.each(cases.map((c) => [c.name, JSON.stringify(c.value)?.slice(0, 40), c.accepted ? 'accepts' : 'refuses', c] as const))('%s %s: %s', (_n, _v, _a, c) => {
    expect(c.rule.test(c.value)).toBe(c.accepted);
  });
});

/** The values of HCL expressions as `terraform console` evaluates them, in groups: it reads a line of at most 64 KiB. */
function evaluate(expressions: readonly string[], groupSize: number): unknown[] {
  const results: unknown[] = [];
  for (let i = 0; i < expressions.length; i += groupSize) {
    // terraform console reading stdin prints only its last result: one expression holds the group.
    const input = `jsonencode([${expressions
      .slice(i, i + groupSize)
      .join(', ')
      .replace(/\n/g, ' ')}])`;
    const r = spawnSync(TERRAFORM, ['console'], { cwd: tempDir('console'), input: `${input}\n`, encoding: 'utf8', env: terraformEnv().env });
    expect(r.status).toBe(0);
    results.push(...(JSON.parse(JSON.parse(r.stdout.trim())) as unknown[]));
  }
  return results;
}

describeWithTerraform('every guardrail is one check: Terraform evaluating its predicate', () => {
  test('decides every sample as the TypeScript test does, and refuses exactly what it does not accept', () => {
    const results = evaluate(
      cases.flatMap((c) => [c.rule.accepts(hcl(c.value)), c.rule.rejects(hcl(c.value))]),
      200,
    );
    const decided = cases.map((c, i) => [c.name, c.value, { accepts: results[2 * i], rejects: results[2 * i + 1] }]);
    expect(decided).toEqual(cases.map((c) => [c.name, c.value, { accepts: c.accepted, rejects: !c.accepted }]));
  });
});

/** Every `sub` sample of the subject rules: the fix each gets is that of the first rule it breaks. */
const SUB_SAMPLES = [
  ...new Set(
    ['GITLAB_SUBJECT', 'SUB_LEADS_WITH_PROJECT', 'SUB_COMPONENTS_ONLY', 'SUB_NUMERIC_PROJECT_ID', 'NOT_GITHUB_SUBJECT', 'NOT_OPEN_TO_OTHER_OWNERS', 'NOT_GIT_REF_PATH'].flatMap(
      (name) => [...SAMPLES[name].accept, ...SAMPLES[name].refuse],
    ),
  ),
] as string[];

describe('a refused sub is told the fix of the first subject rule it breaks', () => {
  test.each([
    ['repo:acme/api:ref:refs/heads/main', rules.NOT_GITHUB_SUBJECT],
    ['project_path:ac*/api:ref_type:branch:ref:main', rules.NOT_OPEN_TO_OTHER_OWNERS],
    ['ref:main:project_id:42', rules.SUB_LEADS_WITH_PROJECT],
    ['project_path:acme/api:pipeline_source:push', rules.SUB_COMPONENTS_ONLY],
    ['project_id:*:ref_type:branch:ref:main', rules.SUB_NUMERIC_PROJECT_ID],
    ['project_path:acme/api:ref_type:branch:ref:refs/heads/main', rules.NOT_GIT_REF_PATH],
    ['project_id:42:ref_protected:yes', rules.GITLAB_SUBJECT],
  ])('%s', (sub, rule) => {
    expect(rules.subjectProblem(sub)).toBe(rule.fix);
  });

  test('an accepted sub has no problem', () => {
    expect(rules.subjectProblem('project_id:4242:ref_type:branch:ref:main:ref_protected:true')).toBeUndefined();
  });
});

describeWithTerraform('a refused sub: Terraform picks the same fix as TypeScript', () => {
  test(`for each of ${SUB_SAMPLES.length} samples`, () => {
    const results = evaluate(
      SUB_SAMPLES.map((s) => `${rules.GITLAB_SUBJECT.accepts(hcl(s))} ? null : ${rules.subjectProblemHcl(hcl(s))}`),
      10,
    );
    expect(SUB_SAMPLES.map((s, i) => [s, results[i]])).toEqual(SUB_SAMPLES.map((s) => [s, rules.subjectProblem(s) ?? null]));
    expect(results.filter((x) => x === null).length).toBeGreaterThan(3);
    expect(new Set(results.filter((x) => x !== null)).size).toBeGreaterThanOrEqual(6);
  });
});

describe('the Rules namespace of the package', () => {
  const isRule = (value: unknown): boolean => typeof value === 'object' && value !== null && 'check' in value && 'fix' in value && 'test' in value;
  test('holds every rule and list of rules the guardrails define, by its name; the one-by-one exports kept are the same objects', () => {
    const defined = Object.entries(ruleModule).filter(([, value]) => isRule(value) || (Array.isArray(value) && value.length > 0 && value.every(isRule)));
    expect(Object.keys(api.Rules).sort()).toEqual(defined.map(([name]) => name).sort());
    for (const [name, value] of defined) {
      expect(api.Rules[name as keyof typeof api.Rules]).toBe(value);
      // The names earlier releases exported one by one still are, as the same objects.
      if (name in api) expect((api as Record<string, unknown>)[name]).toBe(value);
    }
  });
});
