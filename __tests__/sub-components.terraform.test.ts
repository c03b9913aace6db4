import * as fs from 'fs';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GitlabCiRole, GitlabOidcProvider } from '../src/lib';
import * as path from 'path';
import { GitlabClaims, decideTokenAmong } from '../src/lib/access/gitlab-token';
import { ReviewedConfiguration, readTerraformShow, rolesLettingIn } from '../src/lib/access/terraform-show';
import { run } from '../src/lib/access/command';
import { DEFAULT_SUB_COMPONENTS, mintSub } from '../src/lib/trust/sub-claim';
import { BatchedRun, SELF_MANAGED, flatten, planDirectory, planInBatches } from './helpers/plan-cases';
import { EXAMPLE_TFVARS, synthStack, tempDir } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tfOk, workdir } from './helpers/terraform';

/**
 * Who gets in when projects choose their sub components (GitLab 17.10+), on a self-managed
 * instance where AWS sees only sub and aud. Each token is minted as GitLab mints it: the
 * job's claims, joined in the order of its project's components, a component without a value
 * left out (`mintSub`). Each is decided, as IAM decides, against every role of a real plan of
 * `__tests__/fixtures/sub-components.tfvars`: for a fresh account (trust read from
 * trust_conditions) and with an existing provider (from the planned assume_role_policy).
 */

const ISSUER = 'https://gitlab.example.com';
const EXISTING_PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com';
const TFVARS = fs.readFileSync(path.join(__dirname, 'fixtures', 'sub-components.tfvars'), 'utf8');

/** Projects' component lists (`ci_id_token_sub_claim_components`). */
const SETTINGS = {
  default: DEFAULT_SUB_COMPONENTS,
  idProtected: ['project_id', 'ref_type', 'ref', 'ref_protected'],
  idEnvironment: ['project_id', 'ref_type', 'ref', 'environment_protected', 'deployment_tier'],
  idOnly: ['project_id', 'ref_protected'],
  advised: ['project_id', 'ref_type', 'ref'],
  reordered: ['project_path', 'ref', 'ref_type'],
} as const;

interface Project {
  readonly path: string;
  readonly id: number;
}
/** Each project and the components it sets (see the fixture's roles). */
const API: Project = { path: 'acme/api', id: 4242 }; // idProtected
const DEPLOY: Project = { path: 'acme/deploy', id: 4300 }; // idEnvironment
const TOOLS: Project = { path: 'acme/tools', id: 4400 }; // idOnly
const BILLING: Project = { path: 'acme/billing', id: 5151 }; // advised
const LEDGER: Project = { path: 'acme/ledger', id: 5252 }; // advised
const WEB: Project = { path: 'acme/web', id: 4343 }; // default
const DOCS: Project = { path: 'acme/docs', id: 4500 }; // reordered
/** Made at acme/api, and at acme/web, after the first was renamed or deleted: same path, new id. */
const RECLAIMED_API: Project = { path: 'acme/api', id: 9999 };
const RECLAIMED_WEB: Project = { path: 'acme/web', id: 9998 };
/** Forks: a fork merge request's sub carries the fork's path and id (GitLab 18.2.2+). */
const FORK_ELSEWHERE: Project = { path: 'mallory/web', id: 7777 };
const FORK_OF_API: Project = { path: 'mallory/api', id: 7776 };
const FORK_IN_GROUP: Project = { path: 'acme/web-fork', id: 7778 };

interface Job {
  readonly ref?: string;
  readonly refType?: 'branch' | 'tag';
  readonly protectedRef?: boolean;
  /** The job's environment; none for a job without `environment:`. */
  readonly environment?: { readonly protected: boolean; readonly tier: string };
  readonly aud?: string;
}

/** The claims of a job's ID token, with the sub GitLab builds from its project's components. */
function token(project: Project, components: readonly string[], job: Job = {}): GitlabClaims {
  const claims: Record<string, string | undefined> = {
    project_path: project.path,
    project_id: String(project.id),
    ref_type: job.refType ?? 'branch',
    ref: job.ref ?? 'main',
    ref_protected: String(job.protectedRef ?? true),
    environment_protected: job.environment === undefined ? undefined : String(job.environment.protected),
    deployment_tier: job.environment?.tier,
  };
  return { sub: mintSub(components, claims), aud: job.aud ?? ISSUER };
}

const production = { protected: true, tier: 'production' };
const { idProtected, idEnvironment, idOnly, advised, reordered } = SETTINGS;

/** Each token, and the roles that must let it in; every other role must refuse it. */
const MATRIX: [name: string, token: GitlabClaims, allowedBy: string[]][] = [
  ['4242 main, protected', token(API, idProtected), ['id-any-protected-branch', 'id-fields-protected', 'id-main-protected']],
  ['4242 main, protected, second audience', token(API, idProtected, { aud: 'sts.amazonaws.com' }), ['id-sts-aud']],
  ['4242 main, protected, an audience the provider does not list', token(API, idProtected, { aud: 'https://gitlab.com' }), []],
  ['4242 main, unprotected', token(API, idProtected, { protectedRef: false }), []],
  ['4242 feature/x, protected', token(API, idProtected, { ref: 'feature/x' }), ['id-any-protected-branch']],
  ['4242 feature/x, unprotected', token(API, idProtected, { ref: 'feature/x', protectedRef: false }), []],
  ['4242 tag main (named like the branch), protected', token(API, idProtected, { refType: 'tag' }), []],
  ['4242 main before it added ref_protected to its components', token(API, advised), []],
  ['the reclaimed acme/api (id 9999), main, protected', token(RECLAIMED_API, idProtected), []],
  ['a fork merge request from mallory/api (its own id), unprotected', token(FORK_OF_API, idProtected, { protectedRef: false }), []],
  ['acme/web main', token(WEB, SETTINGS.default), ['group-branches', 'path-main']],
  ['the reclaimed acme/web (id 9998), main: a path-led role lets it in', token(RECLAIMED_WEB, SETTINGS.default), ['group-branches', 'path-main']],
  ['acme/web tag v1.2', token(WEB, SETTINGS.default, { refType: 'tag', ref: 'v1.2' }), ['path-release-tags']],
  ['acme/web tag main (named like the branch)', token(WEB, SETTINGS.default, { refType: 'tag' }), []],
  ['acme/web branch v1.2 (named like a release tag)', token(WEB, SETTINGS.default, { ref: 'v1.2' }), ['group-branches']],
  ['a fork merge request from mallory/web, branch main', token(FORK_ELSEWHERE, SETTINGS.default), []],
  ['a fork merge request from acme/web-fork (inside the group), branch main', token(FORK_IN_GROUP, SETTINGS.default), ['group-branches']],
  ['4300 main deploying to a protected production environment', token(DEPLOY, idEnvironment, { environment: production }), ['id-main-any-env', 'id-prod-env']],
  ['4300 feature/x deploying to a protected production environment', token(DEPLOY, idEnvironment, { ref: 'feature/x', environment: production }), ['id-prod-env']],
  ['4300 main, a job without an environment', token(DEPLOY, idEnvironment), ['id-main-any-env']],
  ['4300 feature/x, a job without an environment', token(DEPLOY, idEnvironment, { ref: 'feature/x' }), []],
  [
    '4300 main, production environment not protected (what the free edition reports)',
    token(DEPLOY, idEnvironment, { environment: { protected: false, tier: 'production' } }),
    ['id-main-any-env'],
  ],
  ['4300 feature/x, production environment not protected', token(DEPLOY, idEnvironment, { ref: 'feature/x', environment: { protected: false, tier: 'production' } }), []],
  ['4300 main, protected staging environment', token(DEPLOY, idEnvironment, { environment: { protected: true, tier: 'staging' } }), ['id-main-any-env']],
  ['4300 tag v1 deploying to a protected production environment', token(DEPLOY, idEnvironment, { refType: 'tag', ref: 'v1', environment: production }), []],
  ['4400 protected', token(TOOLS, idOnly), ['id-protected-any-ref']],
  ['4400 a protected tag', token(TOOLS, idOnly, { refType: 'tag', ref: 'v9' }), ['id-protected-any-ref']],
  ['4400 unprotected', token(TOOLS, idOnly, { protectedRef: false }), []],
  ['5151 main', token(BILLING, advised), ['two-projects']],
  ['5252 main', token(LEDGER, advised), ['two-projects']],
  ['5151 dev', token(BILLING, advised, { ref: 'dev' }), []],
  ['acme/docs main, its components reordered', token(DOCS, reordered), ['path-reordered']],
  ['acme/docs tag main, its components reordered', token(DOCS, reordered, { refType: 'tag' }), []],
  ['acme/docs main, before it reordered its components', token(DOCS, SETTINGS.default), ['group-branches']],
  ['a subgroup project acme/platform/db, branch x', token({ path: 'acme/platform/db', id: 6000 }, SETTINGS.default, { ref: 'x' }), ['group-branches']],
  ['another owner other/web, main', token({ path: 'other/web', id: 6001 }, SETTINGS.default), []],
  ['ACME/web (case differs), main', token({ path: 'ACME/web', id: 4343 }, SETTINGS.default), []],
];

const ROLES = [
  'group-branches',
  'id-any-protected-branch',
  'id-fields-protected',
  'id-main-any-env',
  'id-main-protected',
  'id-prod-env',
  'id-protected-any-ref',
  'id-sts-aud',
  'path-main',
  'path-release-tags',
  'path-reordered',
  'two-projects',
];

/** The matrix as decided on a configuration: token name → roles that allow it. */
const decisions = (configuration: ReviewedConfiguration) => Object.fromEntries(MATRIX.map(([name, claims]) => [name, rolesLettingIn(configuration, claims)]));
const expected = Object.fromEntries(MATRIX.map(([name, , allowedBy]) => [name, [...allowedBy].sort()]));

describeWithTerraform('custom sub components: GitLab-minted tokens against every planned role', () => {
  let dir: string;
  const show = (name: string, args: string[]): ReviewedConfiguration => {
    tfOk(dir, ['plan', '-refresh=false', '-lock=false', `-out=${name}.bin`, '-var-file=sub.tfvars', ...args]);
    fs.writeFileSync(path.join(dir, `${name}.json`), tfOk(dir, ['show', '-json', `${name}.bin`]).stdout);
    return readTerraformShow(JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')));
  };
  let fresh: ReviewedConfiguration;
  let existing: ReviewedConfiguration;

  beforeAll(() => {
    const { file } = synthStack({ thumbprintSource: 'none' });
    dir = workdir(file, { 'sub.tfvars': TFVARS, 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE });
    init(dir);
    fresh = show('fresh', []);
    existing = show('existing', ['-var', `existing_provider_arn=${EXISTING_PROVIDER}`]);
  });

  test('the matrix holds over 300 token × role cases, and every role lets someone in and keeps someone out', () => {
    expect(MATRIX.length * ROLES.length).toBeGreaterThanOrEqual(300);
    for (const role of ROLES) {
      const allowed = MATRIX.filter(([, , by]) => by.includes(role)).length;
      expect([role, allowed > 0 && allowed < MATRIX.length]).toEqual([role, true]);
    }
  });

  test('a fresh account: each role is read from trust_conditions, and the matrix holds', () => {
    expect(fresh.providers.map((p) => p.pending)).toEqual([true]);
    expect(fresh.roles.map((r) => [r.name, r.source]).sort()).toEqual(ROLES.map((r) => [r, 'output']));
    expect(decisions(fresh)).toEqual(expected);
  });

  test('an existing provider: each planned assume_role_policy is read whole, and the matrix holds', () => {
    expect(existing.providers.map((p) => p.arn)).toEqual([EXISTING_PROVIDER]);
    // The provider the plan does not create lists what the stack requires of it.
    expect(existing.providers[0].audiences).toEqual([ISSUER, 'sts.amazonaws.com']);
    expect(existing.roles.map((r) => [r.name, r.source]).sort()).toEqual(ROLES.map((r) => [r, 'assume_role_policy']));
    expect(decisions(existing)).toEqual(expected);
  });

  test('trust_summary says what each role requires, and warns where a trust is legal but weak or may never match', () => {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'existing.json'), 'utf8')).planned_values.outputs.trust_summary.value;
    const requires = (name: string) => [summary[name].protected_refs_only, summary[name].protected_environments_only, summary[name].projects_pinned_by_id];
    expect(requires('id-main-protected')).toEqual([true, false, true]);
    expect(requires('id-prod-env')).toEqual([false, true, true]);
    expect(requires('id-protected-any-ref')).toEqual([true, false, true]);
    expect(requires('id-main-any-env')).toEqual([false, false, true]);
    expect(requires('path-main')).toEqual([false, false, false]);
    const warnings = (name: string): string[] => summary[name].warnings;
    for (const name of ['id-main-protected', 'id-fields-protected', 'id-protected-any-ref', 'id-main-any-env', 'two-projects']) expect([name, warnings(name)]).toEqual([name, []]);
    expect(warnings('path-main')).toEqual([
      'project_path:acme/web:ref_type:branch:ref:main pins the project by path: a project created at that path after a rename or deletion would get in. ' +
        "Lead the project's sub components with project_id (GitLab 19.1 issues no token for a reclaimed path unless sub starts with project_id)",
    ]);
    expect(warnings('group-branches').map((w) => w.replace(/^\S+ /, '').split(':')[0])).toEqual([
      'matches every branch, unprotected ones included (and, before GitLab 18.2.2, merge requests from forks)',
      "matches every project it names with a wildcard, including ones created later and forks made there (a fork's merge-request jobs carry the fork's path since GitLab 18.2.2)",
      'pins the project by path',
    ]);
    expect(warnings('id-prod-env')).toEqual([
      'project_id:4300:ref_type:branch:ref:*:environment_protected:true:deployment_tier:production needs environment_protected:true, which only GitLab Premium and Ultimate mint: ' +
        'on the free edition every job reports false, and none gets in',
    ]);
  });

  /** `npm run access` on the existing provider's plan: its exit code, and its lines or first error line. */
  const access = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await run([path.join(dir, 'existing.json'), ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { status, out, err: err.join('\n').split('\n')[0] };
  };
  const allowed = (lines: string[]) =>
    (JSON.parse(lines.join('\n')) as { role: string; decision: string }[])
      .filter((d) => d.decision === 'allow')
      .map((d) => d.role)
      .sort();

  test('npm run access builds the sub from the claims and --sub-components, as GitLab mints it', async () => {
    const components = ['--sub-components', 'project_id,ref_type,ref,ref_protected'];
    const r = await access('--claim', 'project_id=4242', '--ref', 'main', '--claim', 'ref_protected=true', ...components, '--json');
    expect(r.status).toBe(0);
    expect(allowed(r.out)).toEqual(['id-any-protected-branch', 'id-fields-protected', 'id-main-protected']);
    // The same token given as its sub, by --sub or by --claim sub=.
    const sub = 'project_id:4242:ref_type:branch:ref:main:ref_protected:true';
    expect(allowed((await access('--sub', sub, '--json')).out)).toEqual(allowed(r.out));
    expect(allowed((await access('--claim', `sub=${sub}`, '--json')).out)).toEqual(allowed(r.out));
    // A job without an environment on a project that lists the environment components.
    const noEnvironment = await access(
      '--claim',
      'project_id=4300',
      '--ref',
      'main',
      '--sub-components',
      'project_id,ref_type,ref,environment_protected,deployment_tier',
      '--json',
    );
    expect(allowed(noEnvironment.out)).toEqual(['id-main-any-env']);
    const production = ['--claim', 'environment_protected=true', '--claim', 'deployment_tier=production'];
    const deploying = await access(
      '--claim',
      'project_id=4300',
      '--ref',
      'main',
      ...production,
      '--sub-components',
      'project_id,ref_type,ref,environment_protected,deployment_tier',
      '--json',
    );
    expect(allowed(deploying.out)).toEqual(['id-main-any-env', 'id-prod-env']);
    // Without --sub-components, GitLab's default.
    expect(allowed((await access('--project', 'acme/web', '--ref', 'main', '--json')).out)).toEqual(['group-branches', 'path-main']);
  });

  test('--claim aud= is --aud; an audience the provider does not list is refused by every role', async () => {
    const sub = 'project_id:4242:ref_type:branch:ref:main:ref_protected:true';
    expect(allowed((await access('--sub', sub, '--claim', 'aud=sts.amazonaws.com', '--json')).out)).toEqual(['id-sts-aud']);
    const unlisted = await access('--sub', sub, '--aud', 'https://gitlab.com');
    expect(unlisted.out.every((line) => / deny InvalidIdentityToken: Incorrect token audience/.test(line))).toBe(true);
    expect(unlisted.out).toHaveLength(ROLES.length);
  });

  test.each([
    [
      '--sub and --claim sub= that differ',
      ['--sub', 'project_id:1', '--claim', 'sub=project_id:2'],
      /^access: --claim sub= gives sub "project_id:2", but --sub gave "project_id:1": give the token's sub once$/,
    ],
    ['--aud and --claim aud= that differ', ['--sub', 'project_id:1', '--aud', 'a', '--claim', 'aud=b'], /^access: --claim aud= gives aud "b", but --aud gave "a"/],
    ['--ref and --claim ref= that differ', ['--project', 'acme/api', '--ref', 'main', '--claim', 'ref=dev'], /^access: --claim ref= gives ref "dev", but --ref gave "main"/],
    ['--sub with --sub-components', ['--sub', 'project_id:1', '--sub-components', 'project_id'], /^access: give the token's --sub, or its claims with --sub-components, not both/],
    [
      'components that do not start with the project',
      ['--claim', 'ref=main', '--sub-components', 'ref,project_id'],
      /^access: --sub-components "ref,project_id": list ci_id_token_sub_claim_components/,
    ],
    [
      'no claim for the first component',
      ['--ref', 'main', '--sub-components', 'project_id,ref'],
      /^access: give the token's --token or --sub, or its claims: its sub starts with project_id .* give --claim project_id=/,
    ],
    ['a provider audience where the file lists them', ['--sub', 'project_id:1', '--provider-audience', 'x'], /^access: the file lists the provider's audiences/],
  ])('%s: one line, exit 2', async (_name, args, message) => {
    const r = await access(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toMatch(message);
  });
});

/** `-var roles=…` for one role named team-a with the given HCL attributes. */
const role = (attributes: string) => ['-var', `roles={ "team-a" = { ${attributes} } }`];
const sub = (value: string) => role(`subjects = [${JSON.stringify(value)}]`);
const refused = (value: string) => `Role 'team-a' of roles has sub value(s) that no GitLab token carries or that reach too far: ${JSON.stringify(value)}:`;

/** A plan of the stack with the article's tfvars and these `-var`s: the fragments its failure must hold, or null where it must plan. */
const PLANS: [name: string, args: string[], fails: string[] | null][] = [
  // Legal custom subs plan: a check that refused everything would fail here.
  ['legal: pinned by id, protected main', sub('project_id:4242:ref_type:branch:ref:main:ref_protected:true'), null],
  [
    'legal: id and protection only, on a self-managed instance',
    [...SELF_MANAGED, ...role('subjects = ["project_id:4242:ref_protected:true"], audiences = ["https://gitlab.example.com"]')],
    null,
  ],
  ['legal: the article role (mygitlab_match_value) pinned by id', ['-var', 'mygitlab_match_value=["project_id:4242:ref_type:branch:ref:main:ref_protected:true"]'], null],
  [
    'legal: reordered components with a protected production environment',
    sub('project_path:acme/api:ref:main:ref_type:branch:environment_protected:true:deployment_tier:production'),
    null,
  ],
  [
    'legal: structured subjects on a self-managed instance',
    [
      ...SELF_MANAGED,
      '-var',
      'ci_id_token_sub_claim_components=["project_id","ref_type","ref","ref_protected"]',
      ...role('subject_fields = [{ project_id = 4242, ref = "main", ref_protected = true }]'),
    ],
    null,
  ],
  // Each class of sub no GitLab token carries.
  [
    'a first component other than the project',
    sub('ref_type:branch:ref:main'),
    [refused('ref_type:branch:ref:main'), "a GitLab sub starts with the project: 'project_path:...' or 'project_id:...'"],
  ],
  [
    'a claim GitLab never puts in sub',
    sub('project_path:acme/api:pipeline_source:push'),
    [refused('project_path:acme/api:pipeline_source:push'), 'other claims (pipeline_source, environment, user_login, ...) are never in sub: on gitlab.com check them in claims'],
  ],
  [
    'a project_id that is not a number',
    sub('project_id:api:ref_type:branch:ref:main'),
    [refused('project_id:api:ref_type:branch:ref:main'), "project_id takes the project's number"],
  ],
  [
    'a wildcard project_id',
    sub('project_id:*:ref_type:branch:ref:main'),
    [refused('project_id:*:ref_type:branch:ref:main'), "'project_id:*' would let in every project of the instance"],
  ],
  [
    'a ref_type outside branch and tag',
    sub('project_id:4242:ref_type:merge_request:ref:main'),
    [refused('project_id:4242:ref_type:merge_request:ref:main'), 'ref_type:<branch|tag>'],
  ],
  ['a wildcard ref_type', sub('project_id:4242:ref_type:*:ref:main'), [refused('project_id:4242:ref_type:*:ref:main'), 'ref_type:<branch|tag>']],
  ['a ref_protected outside true and false', sub('project_id:4242:ref_protected:yes'), [refused('project_id:4242:ref_protected:yes'), 'ref_protected:<true|false>']],
  [
    'an environment_protected outside true and false',
    sub('project_id:4242:environment_protected:1'),
    [refused('project_id:4242:environment_protected:1'), 'environment_protected:<true|false>'],
  ],
  [
    'a deployment_tier outside its five',
    sub('project_id:4242:deployment_tier:prod'),
    [refused('project_id:4242:deployment_tier:prod'), 'deployment_tier:<production|staging|testing|development|other>'],
  ],
  [
    'an article sub with a claim GitLab never puts in sub',
    ['-var', 'mygitlab_match_value=["project_path:mygroup/myproject:pipeline_source:push"]'],
    ['aws_iam_role.gitlab_ci has sub value(s) that no GitLab token carries or that reach too far: "project_path:mygroup/myproject:pipeline_source:push"', 'never in sub'],
  ],
  [
    'a refs/heads/ ref',
    sub('project_id:4242:ref_type:branch:ref:refs/heads/main'),
    [refused('project_id:4242:ref_type:branch:ref:refs/heads/main'), "GitLab's ref is the bare branch or tag name"],
  ],
  ['a wildcard in the top-level group', sub('project_path:ac*/api:ref_type:branch:ref:main'), [refused('project_path:ac*/api:ref_type:branch:ref:main'), "before the first '/'"]],
  // Structured subjects that cannot be rendered as asked.
  [
    'protection asked for where the components leave it out',
    [
      ...SELF_MANAGED,
      '-var',
      'ci_id_token_sub_claim_components=["project_id","ref_type","ref"]',
      ...role('subject_fields = [{ project_id = 4242, ref = "main", ref_protected = true }], audiences = ["https://gitlab.example.com"]'),
    ],
    [
      'Role \'team-a\' of roles asks in structured subjects for ["ref_protected"], which its sub components ["project_id","ref_type","ref"]',
      'the requirement would be lost',
      '["project_id","ref_type","ref","ref_protected"]',
    ],
  ],
  [
    'a structured subject by path where the sub starts with project_id',
    ['-var', 'ci_id_token_sub_claim_components=["project_id","ref_type","ref"]', ...role('subject_fields = [{ project_path = "acme/api", ref = "main" }]')],
    ["Role 'team-a' of roles has structured subject(s) that do not name the project by project_id", '[{"project_path":"acme/api","ref":"main"}]'],
  ],
  [
    'components that do not start with the project',
    ['-var', 'ci_id_token_sub_claim_components=["ref","project_id"]'],
    ['Invalid ci_id_token_sub_claim_components "ref,project_id"', 'project_path or project_id first'],
  ],
  [
    'ref_protected in claims on a self-managed instance',
    [...SELF_MANAGED, ...role('subjects = ["project_id:4242:ref_type:branch:ref:main"], audiences = ["https://gitlab.example.com"], claims = { ref_protected = ["true"] }')],
    [
      'checks claim(s) ["ref_protected"] of issuer gitlab.example.com',
      'set the project\'s ci_id_token_sub_claim_components and roles[\'team-a\'].ci_id_token_sub_claim_components (else ci_id_token_sub_claim_components) to ["project_path","ref_type","ref","ref_protected"]',
    ],
  ],
  [
    'project_id and ref_protected in claims on a self-managed instance: the list to set leads with project_id',
    [
      ...SELF_MANAGED,
      ...role(
        'subjects = ["project_path:acme/api:ref_type:branch:ref:main"], audiences = ["https://gitlab.example.com"], claims = { project_id = ["4242"], ref_protected = ["true"] }',
      ),
    ],
    ['checks claim(s) ["project_id","ref_protected"] of issuer gitlab.example.com', 'to ["project_id","ref_type","ref","ref_protected"], and ask for them in structured subjects'],
  ],
  // Lists that would fail open if the empty condition were dropped.
  [
    'one project rendered for two component lists by two roles',
    [
      '-var',
      'roles={ "a" = { subject_fields = [{ project_id = 4242, ref = "main" }] }, "b" = { subject_fields = [{ project_id = 4242 }], ci_id_token_sub_claim_components = ["project_id", "ref_protected"] } }',
    ],
    [
      'Role \'a\' of roles renders structured subjects for the sub components ["project_path","ref_type","ref"]',
      'other roles render subjects of the same project for other components: {"4242":[["project_path","ref_type","ref"],["project_id","ref_protected"]]}',
    ],
  ],
  [
    'an empty claim list',
    role('subjects = ["project_path:acme/api:ref_type:branch:ref:main"], claims = { ref_protected = [] }'),
    ['Role \'team-a\' of roles lists no values for claim(s) ["ref_protected"]', 'would drop that condition'],
  ],
  [
    'an empty audiences list',
    role('subjects = ["project_path:acme/api:ref_type:branch:ref:main"], audiences = []'),
    ['Role \'team-a\' of roles lists no values for claim(s) ["aud"]'],
  ],
  ['an empty subjects list', role('subjects = []'), ["Role 'team-a' of roles has no 'sub' condition", "roles['team-a'].subjects"]],
  ['an empty mygitlab_match_value', ['-var', 'mygitlab_match_value=[]'], ['mygitlab_match_value is empty', 'matches no token']],
  ['an empty mygitlab_match_value1', ['-var', 'mygitlab_match_value1=[]'], ['mygitlab_match_value1 is empty']],
];

describeWithTerraform('subjects GitLab can mint plan; what no token carries, and empty lists, fail the plan with a message', () => {
  const ready = planDirectory({ 'terraform.tfvars': EXAMPLE_TFVARS });
  let batch: Promise<BatchedRun[]> | undefined;

  test.concurrent.each(PLANS.map((p, i) => [...p, i] as const))('%s', async (_name, _args, fails, i) => {
    batch ??= planInBatches(
      ready(),
      PLANS.map(([name, args]) => [name, args, []]),
    );
    const run = (await batch)[i];
    expect([run.failed, fails === null ? '' : run.message]).toEqual([fails !== null, fails === null ? '' : run.message]);
    for (const fragment of fails ?? []) expect(run.message).toContain(flatten(fragment));
  });
});

describeWithTerraform('the library: structured subjects in props plan to the trust they name', () => {
  let configuration: ReviewedConfiguration;
  beforeAll(() => {
    const app = new App({ outdir: tempDir('library-sub') });
    const stack = new TerraformStack(app, 'platform');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const provider = new GitlabOidcProvider(stack, 'gitlab', {
      issuerUrl: ISSUER,
      thumbprintSource: 'none',
      existingProviderArn: EXISTING_PROVIDER,
      subClaimComponents: [...SETTINGS.idProtected],
    });
    new GitlabCiRole(stack, 'deploy', { provider, subjects: [{ projectId: 4242, ref: 'main', refProtected: true }] });
    new GitlabCiRole(stack, 'release', { provider, subjects: [{ projectPath: 'acme/api', refType: 'tag', ref: 'v*' }], subClaimComponents: [...SETTINGS.default] });
    new GitlabCiRole(stack, 'deploy_env', { provider, subjects: [{ projectId: 4300, environmentProtected: true }], subClaimComponents: [...SETTINGS.idEnvironment] });
    app.synth();
    const dir = workdir(path.join(app.outdir, 'stacks', 'platform', 'cdk.tf.json'), { 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE });
    init(dir);
    tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-out=plan.bin']);
    const json = JSON.parse(tfOk(dir, ['show', '-json', 'plan.bin']).stdout);
    // This stack names an existing provider (no resource for it) and has no outputs: the reader
    // finds the provider as the principal of the planned policies, and reads each as it is.
    const reviewed = readTerraformShow(json);
    expect(json.planned_values.root_module.resources.filter((r: { type: string }) => r.type === 'aws_iam_openid_connect_provider')).toEqual([]);
    expect(reviewed.providers).toEqual([{ arn: EXISTING_PROVIDER, pending: false, issuerHost: 'gitlab.example.com', audiences: undefined }]);
    // The plan does not say which audiences a provider made elsewhere lists (the command asks for --provider-audience).
    configuration = { ...reviewed, providers: [{ ...reviewed.providers[0], audiences: [ISSUER] }] };
  });

  test.each([
    ['4242 main, protected', token(API, SETTINGS.idProtected), ['deploy']],
    ['4242 main, unprotected', token(API, SETTINGS.idProtected, { protectedRef: false }), []],
    ['acme/api tag v2', token(API, SETTINGS.default, { refType: 'tag', ref: 'v2' }), ['release']],
    ['acme/api branch v2', token(API, SETTINGS.default, { ref: 'v2' }), []],
    ['4300 deploying to a protected environment', token(DEPLOY, SETTINGS.idEnvironment, { environment: production }), ['deploy_env']],
    ['4300 with no environment', token(DEPLOY, SETTINGS.idEnvironment), []],
    ['the reclaimed acme/api, id-led', token(RECLAIMED_API, SETTINGS.idProtected), []],
  ])('%s', (_name, claims, allowedBy) => {
    const allowed = configuration.roles.filter((r) => decideTokenAmong(configuration.providers, claims, r.statements).decision === 'allow').map((r) => r.name);
    expect(configuration.roles.map((r) => r.source)).toEqual(['assume_role_policy', 'assume_role_policy', 'assume_role_policy']);
    expect(allowed.sort()).toEqual(allowedBy);
  });
});

describeWithTerraform("the README's worked example plans, and lets in only what it says", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Pinning by project id and requiring protected refs'));
  const example = /```hcl\n([^]*?)```/.exec(section)![1].replace(/^ {3}/gm, '');
  let configuration: ReviewedConfiguration;

  beforeAll(() => {
    const { file } = synthStack({ thumbprintSource: 'none' });
    const tfvars = `aws_region = "eu-west-1"\nmygitlab_aud_value = "${ISSUER}"\n${example}`;
    const dir = workdir(file, { 'terraform.tfvars': tfvars, 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE });
    init(dir);
    tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-out=plan.bin', '-var', `existing_provider_arn=${EXISTING_PROVIDER}`]);
    configuration = readTerraformShow(JSON.parse(tfOk(dir, ['show', '-json', 'plan.bin']).stdout));
  });

  const allowedBy = (claims: GitlabClaims) =>
    configuration.roles.filter((r) => decideTokenAmong(configuration.providers, claims, r.statements).decision === 'allow').map((r) => r.name);

  test.each([
    ['4242 on its protected main', token(API, idProtected), ['api-deploy']],
    ['4242 on an unprotected main', token(API, idProtected, { protectedRef: false }), []],
    ['4242 on a tag named main', token(API, idProtected, { refType: 'tag' }), []],
    ['a new project at acme/api', token(RECLAIMED_API, idProtected), []],
    ['4242 on a protected tag v2', token(API, idProtected, { refType: 'tag', ref: 'v2' }), ['api-release']],
    ['4300 deploying to a protected production environment', token(DEPLOY, idEnvironment, { environment: production }), ['deploy-production']],
  ])('%s', (_name, claims, roles) => {
    expect(configuration.roles.map((r) => r.name).sort()).toEqual(['api-deploy', 'api-release', 'deploy-production']);
    expect(allowedBy(claims)).toEqual(roles);
  });
});
