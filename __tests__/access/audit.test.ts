import * as fs from 'fs';
import * as path from 'path';
import { readAccountDetails } from '../../src/lib/access/account';
import { auditRole, decideAccountRole, issuersOf } from '../../src/lib/access/audit';
import { run } from '../../src/lib/access/command';
import { tempDir } from '../helpers/synth';
import { diffRoles, readTrustSide } from '../../src/lib/access/diff';

/**
 * The audit mode on an account as `aws iam get-account-authorization-details` prints it: three
 * GitLab issuers (gitlab.com, a self-managed one, one under a path), a GitHub Actions role, a
 * service role and a cross-account role; trust documents as objects and URL-encoded; a Deny.
 */
const FILE = path.join(__dirname, '..', 'fixtures', 'account', 'account-details.json');
const ACCOUNT = JSON.parse(fs.readFileSync(FILE, 'utf8'));
const ROLES = readAccountDetails(ACCOUNT, FILE);
const role = (name: string) => ROLES.find((r) => r.name === name)!;

type Token = Record<string, string>;
const hostOf = (t: Token) => t.iss.replace(/^https:\/\//, '');
const on = (host: string) => (t: Token) => hostOf(t) === host;
const gitlabCom = on('gitlab.com');
const acme = on('gitlab.acme.example');
const example = on('gitlab.example.com/gitlab');
const github = on('token.actions.githubusercontent.com');

/**
 * What each role's policy means, written out by hand from the fixture, independently of the
 * decision engine: IAM ANDs keys, ORs values, a Deny wins, and AWS offers claims other than sub
 * and aud as condition keys for gitlab.com only.
 */
const MEANS: Record<string, (t: Token) => boolean> = {
  'gitlab-deploy-api': (t) => gitlabCom(t) && t.aud === 'https://gitlab.com' && t.sub === 'project_path:acme/api:ref_type:branch:ref:main',
  'gitlab-any-branch': (t) => gitlabCom(t) && t.aud === 'https://gitlab.com' && t.sub.startsWith('project_path:acme/api:ref_type:branch:ref:'),
  'gitlab-aud-only': (t) => gitlabCom(t) && t.aud === 'sts.amazonaws.com',
  'gitlab-group-wildcard': (t) => gitlabCom(t) && t.aud === 'https://gitlab.com' && /^project_path:acme.*:ref_type:branch:ref:main$/s.test(t.sub),
  'gitlab-protected-any': (t) => gitlabCom(t) && t.aud === 'https://gitlab.com' && t.ref_protected === 'true' && /^project_path:acme\/.*:ref_type:branch:ref:/s.test(t.sub),
  'gitlab-deny-unprotected': (t) => gitlabCom(t) && t.aud === 'https://gitlab.com' && /^project_path:acme\/.*:ref_type:branch:ref:/s.test(t.sub) && t.ref_protected !== 'false',
  'gitlab-project-id-claim': (t) => gitlabCom(t) && t.aud === 'https://gitlab.com' && t.project_id === '4242',
  'acme-id-pinned': (t) =>
    acme(t) &&
    t.aud === 'sts.amazonaws.com' &&
    ['project_id:4242:ref_type:branch:ref:main:ref_protected:true', 'project_id:4242:ref_type:tag:ref:v1.0.0:ref_protected:true'].includes(t.sub),
  // One sub would have to equal a branch subject and be like a tag pattern: none is.
  'acme-lockout': () => false,
  // Under StringEquals the * is literal.
  'acme-wildcard-equals': (t) => acme(t) && t.aud === 'sts.amazonaws.com' && t.sub === 'project_path:platform/*:ref_type:branch:ref:main',
  // ref_protected is no condition key on a self-managed instance: the key is missing, StringEquals fails.
  'acme-extra-claim': () => false,
  'example-github-format': (t) => example(t) && t.sub === 'repo:data/etl:ref:refs/heads/main',
  'example-tags': (t) => example(t) && t.aud === 'https://gitlab.example.com/gitlab' && /^project_path:data\/etl:ref_type:tag:ref:v/s.test(t.sub),
  'github-actions-deploy': (t) => github(t) && t.aud === 'sts.amazonaws.com' && /^repo:acme\/.*:/s.test(t.sub),
};

const ISSUERS = ['https://gitlab.com', 'https://gitlab.acme.example', 'https://gitlab.example.com/gitlab', 'https://token.actions.githubusercontent.com'];
const SUBS = [
  'project_path:acme/api:ref_type:branch:ref:main',
  'project_path:acme/api:ref_type:branch:ref:feature',
  'project_path:acme-evil/api:ref_type:branch:ref:main',
  'project_path:acme/api:ref_type:tag:ref:v1',
  'project_path:platform/infra:ref_type:branch:ref:main',
  'project_path:platform/*:ref_type:branch:ref:main',
  'project_path:platform/infra:ref_type:tag:ref:v2',
  'project_id:4242:ref_type:branch:ref:main:ref_protected:true',
  'project_path:data/etl:ref_type:tag:ref:v3',
  'repo:data/etl:ref:refs/heads/main',
  'repo:acme/api:ref:refs/heads/main',
];
const AUDIENCES = ['https://gitlab.com', 'sts.amazonaws.com', 'https://gitlab.example.com/gitlab'];
const TOKENS: Token[] = ISSUERS.flatMap((iss) =>
  SUBS.flatMap((sub) =>
    AUDIENCES.flatMap((aud) =>
      ['true', 'false'].flatMap((refProtected) => ['4242', '77'].map((projectId) => ({ iss, sub, aud, ref_protected: refProtected, project_id: projectId }))),
    ),
  ),
);

describe('audit: reading an account', () => {
  test('only roles that let an OIDC provider call AssumeRoleWithWebIdentity are considered, from object and URL-encoded documents alike', () => {
    expect(ROLES.map((r) => r.name).sort()).toEqual(Object.keys(MEANS).sort());
    const raw = ACCOUNT.RoleDetailList as { RoleName: string; AssumeRolePolicyDocument: unknown }[];
    expect(new Set(raw.map((r) => typeof r.AssumeRolePolicyDocument))).toEqual(new Set(['string', 'object']));
    // The same role, its document given the other way, reads the same.
    const flipped = raw.map((r) => ({
      ...r,
      AssumeRolePolicyDocument:
        typeof r.AssumeRolePolicyDocument === 'string'
          ? JSON.parse(decodeURIComponent(r.AssumeRolePolicyDocument))
          : encodeURIComponent(JSON.stringify(r.AssumeRolePolicyDocument)),
    }));
    expect(readAccountDetails({ RoleDetailList: flipped }, 'flipped')).toEqual(ROLES);
  });

  test('a web-identity role whose trust cannot be read is an error naming it, not a role left out', () => {
    const odd = {
      RoleName: 'odd',
      Arn: 'arn:aws:iam::111122223333:role/odd',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/gitlab.com' },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { NumericEquals: { 'gitlab.com:project_id': 1 } },
          },
        ],
      },
    };
    expect(() => readAccountDetails({ RoleDetailList: [odd] }, 'acct.json')).toThrow(/^role odd in acct\.json: condition operator "NumericEquals" is not one this check knows/);
    expect(() => readAccountDetails({ Roles: [] }, 'acct.json')).toThrow('acct.json has no RoleDetailList');
  });
});

describe('audit: decisions for a token, as IAM makes them', () => {
  const issuers = issuersOf(ROLES);
  test(`${TOKENS.length} tokens × ${ROLES.length} roles: every decision is what the policy means`, () => {
    expect(TOKENS.length * ROLES.length).toBeGreaterThanOrEqual(200);
    const wrong = TOKENS.flatMap((t) => ROLES.filter((r) => (decideAccountRole(r, t, issuers).decision === 'allow') !== MEANS[r.name](t)).map((r) => ({ role: r.name, token: t })));
    expect(wrong).toEqual([]);
    // And each role's meaning lets some token in and keeps others out, where it can let any in.
    const lets = (name: string) => TOKENS.filter(MEANS[name]).length;
    expect(
      Object.keys(MEANS)
        .filter((name) => lets(name) === 0)
        .sort(),
    ).toEqual(['acme-extra-claim', 'acme-lockout']);
  });

  test("a token of another issuer is refused, with the role's issuers; a token without iss, where the file trusts several, is refused as input", () => {
    const token = { iss: 'https://gitlab.acme.example', sub: 'project_path:acme/api:ref_type:branch:ref:main', aud: 'https://gitlab.com' };
    expect(decideAccountRole(role('gitlab-deploy-api'), token, issuers)).toEqual({
      decision: 'deny',
      reason: "the role trusts gitlab.com, not the token's issuer gitlab.acme.example",
    });
    expect(() => decideAccountRole(role('gitlab-deploy-api'), { sub: token.sub, aud: token.aud }, issuers)).toThrow(/^the file trusts 4 OIDC issuers .*: give the token's iss/);
    expect(decideAccountRole(role('gitlab-deploy-api'), { sub: token.sub, aud: token.aud }, ['gitlab.com']).decision).toBe('allow');
  });
});

describe('audit: findings, each with a witness the role lets in', () => {
  const EXPECTED: Record<string, string[]> = {
    'gitlab-deploy-api': [],
    'gitlab-any-branch': ['unprotected_branch'],
    'gitlab-aud-only': ['no_subject', 'other_owners', 'unprotected_branch'],
    'gitlab-group-wildcard': ['other_owners'],
    'gitlab-protected-any': [],
    'gitlab-deny-unprotected': [],
    'gitlab-project-id-claim': ['unprotected_branch'],
    'acme-id-pinned': [],
    'acme-lockout': ['never_matches'],
    'acme-wildcard-equals': ['never_matches'],
    'acme-extra-claim': ['never_matches'],
    'example-github-format': ['never_matches'],
    'example-tags': [],
    'github-actions-deploy': [],
  };
  const named = new Set(Object.keys(EXPECTED));

  test.each(Object.entries(EXPECTED))('%s: %j', (name, ids) => {
    const findings = auditRole(role(name));
    expect(findings.map((f) => f.id)).toEqual(ids);
    for (const f of findings) {
      if (f.id === 'never_matches') {
        expect(f.witness).toBeUndefined();
        continue;
      }
      const w = f.witness!;
      // The engine lets the witness in, and so does the role's meaning written by hand.
      expect([f.id, decideAccountRole(role(name), w, issuersOf(ROLES)).decision, MEANS[name](w)]).toEqual([f.id, 'allow', true]);
      expect(Object.keys(w)).toEqual(expect.arrayContaining(['iss', 'sub', 'aud']));
      if (f.id === 'other_owners') expect(w.project_path.split('/')[0]).not.toMatch(/^(acme|platform|data)$/);
      if (f.id === 'unprotected_branch') expect([w.ref_type, w.ref_protected, w.sub.endsWith(`:ref:${w.ref}`)]).toEqual(['branch', 'false', true]);
      if (f.id === 'no_subject') expect(named.has(w.project_path)).toBe(false);
    }
  });
});

describe('audit: the command', () => {
  const audit = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await run(['audit', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { status, out: out.join('\n'), err };
  };

  test('--json lists every considered role with its issuer and findings, and exits 1 on a finding; the audience note goes to stderr', async () => {
    const r = await audit(FILE, '--json');
    expect(r.status).toBe(1);
    const reports = JSON.parse(r.out) as { role: string; arn: string; issuer: string; findings: { id: string }[] }[];
    expect(reports.map((x) => x.role).sort()).toEqual(ROLES.map((x) => x.name).sort());
    expect(reports.find((x) => x.role === 'github-actions-deploy')).toEqual({
      role: 'github-actions-deploy',
      arn: 'arn:aws:iam::111122223333:role/github-actions-deploy',
      issuer: 'https://token.actions.githubusercontent.com',
      findings: [],
    });
    expect(reports.find((x) => x.role === 'example-tags')?.issuer).toBe('https://gitlab.example.com/gitlab');
    expect(r.err).toEqual(["note: an account file lists no provider's client IDs: the audience decisions rest on each policy's aud conditions"]);
  });

  test('with a token: one decision per role; --iss picks the issuer', async () => {
    const r = await audit(
      FILE,
      '--iss',
      'https://gitlab.com',
      '--project',
      'acme/api',
      '--ref',
      'feature',
      '--aud',
      'https://gitlab.com',
      '--claim',
      'ref_protected=false',
      '--json',
    );
    expect(r.status).toBe(0);
    const allowed = (JSON.parse(r.out) as { role: string; decision: string }[]).filter((d) => d.decision === 'allow').map((d) => d.role);
    expect(allowed).toEqual(['gitlab-any-branch']);
    const noIss = await audit(FILE, '--sub', 'project_path:acme/api:ref_type:branch:ref:main', '--aud', 'x');
    expect([noIss.status, noIss.err.at(-1)]).toEqual([2, expect.stringMatching(/^access: the file trusts 4 OIDC issuers \(.*\): give the token's iss, e\.g\. --iss https:\/\//)]);
  });

  test('--sarif writes SARIF 2.1.0 with the finding ids as rules; --codequality writes GitLab Code Quality issues', async () => {
    const dir = tempDir('audit-reports');
    const sarif = path.join(dir, 'audit.sarif');
    const quality = path.join(dir, 'gl-code-quality.json');
    expect((await audit(FILE, '--sarif', sarif, '--codequality', quality)).status).toBe(1);
    const log = JSON.parse(fs.readFileSync(sarif, 'utf8'));
    const findings = ROLES.flatMap((r) => auditRole(r).map((f) => [r.name, f.id]));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['no_subject', 'other_owners', 'unprotected_branch', 'never_matches']);
    expect(log.runs[0].results.map((r: { ruleId: string; locations: { logicalLocations: { name: string }[] }[] }) => [r.locations[0].logicalLocations[0].name, r.ruleId])).toEqual(
      findings,
    );
    const issues = JSON.parse(fs.readFileSync(quality, 'utf8')) as { check_name: string; fingerprint: string; severity: string; location: { path: string } }[];
    expect(issues.map((i) => i.check_name)).toEqual(findings.map(([, id]) => id));
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
  });

  test.each([
    ['no file', [], /^access: no file given/],
    [
      'a file that is not account details',
      [path.join(__dirname, '..', '..', 'package.json')],
      /has no RoleDetailList: give the output of aws iam get-account-authorization-details/,
    ],
    ['an unknown option', [FILE, '--frobnicate'], /^access: unknown option --frobnicate: see --help$/],
  ])('%s: one line, exit 2', async (_name, args, message) => {
    const r = await audit(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.err.filter((l) => !l.startsWith('note:'))).toEqual([expect.stringMatching(message)]);
  });

  test('--help says what the mode does, with exit 0', async () => {
    const r = await audit('--help');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^usage: gitlab-oidc-access audit <account-details\.json>/);
    expect(r.out).toContain('no_subject, other_owners, unprotected_branch, never_matches');
  });
});

describe('diff of two account details files', () => {
  const AFTER = path.join(__dirname, '..', 'fixtures', 'account', 'account-details-after.json');
  const changes = diffRoles(readTrustSide(FILE), readTrustSide(AFTER));
  const after = readAccountDetails(JSON.parse(fs.readFileSync(AFTER, 'utf8')), AFTER);
  const issuers = issuersOf([...ROLES, ...after]);
  const decision = (roles: typeof ROLES, name: string, token: Record<string, string>) => {
    const r = roles.find((x) => x.name === name);
    return r ? decideAccountRole(r, token, issuers).decision : 'absent';
  };

  test('each role of either file with its change: one widened, two narrowed, one added, one removed, the others same', () => {
    const byChange = (change: string) =>
      changes
        .filter((c) => c.change === change)
        .map((c) => c.role)
        .sort();
    expect({ widened: byChange('widened'), narrowed: byChange('narrowed'), added: byChange('added'), removed: byChange('removed'), changed: byChange('changed') }).toEqual({
      widened: ['gitlab-deploy-api'],
      narrowed: ['acme-id-pinned', 'gitlab-group-wildcard'],
      added: ['gitlab-deploy-web'],
      removed: ['example-tags'],
      changed: [],
    });
    expect(byChange('same')).toHaveLength(ROLES.length - 4);
  });

  test('every newly allowed token is refused before and let in after; every newly refused one the reverse', () => {
    for (const c of changes) {
      for (const t of c.newly_allowed)
        expect([c.role, decision(ROLES, c.role, t), decision(after, c.role, t)]).toEqual([c.role, expect.stringMatching(/^(deny|absent)$/), 'allow']);
      for (const t of c.newly_refused)
        expect([c.role, decision(ROLES, c.role, t), decision(after, c.role, t)]).toEqual([c.role, 'allow', expect.stringMatching(/^(deny|absent)$/)]);
    }
    // The widening lets in the branches the hand-written meaning of the old role refused.
    const widened = changes.find((c) => c.role === 'gitlab-deploy-api')!;
    expect(widened.newly_allowed.length).toBeGreaterThan(0);
    for (const t of widened.newly_allowed) expect(MEANS['gitlab-deploy-api'](t)).toBe(false);
  });
});
