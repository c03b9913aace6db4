import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { run } from '../../src/lib/access/command';
import { REPO_ROOT, tempDir } from '../helpers/synth';

/**
 * `--token`: a GitLab ID token (a JWT), its claims decided, its RS256 signature checked against
 * a JWKS with `--jwks`. The keys and tokens are made here, as an instance makes them.
 */
const ACCOUNT = path.join(__dirname, '..', 'fixtures', 'account', 'account-details.json');
const CLAIMS = {
  namespace_id: '72',
  namespace_path: 'acme',
  project_id: '4242',
  project_path: 'acme/api',
  user_login: 'alice',
  pipeline_source: 'push',
  ref: 'main',
  ref_type: 'branch',
  ref_path: 'refs/heads/main',
  ref_protected: 'true',
  runner_environment: 'gitlab-hosted',
};

/** The roles of the account that a job on acme/api's protected main gets into. */
const MAIN_ALLOWED = ['gitlab-deploy-api', 'gitlab-any-branch', 'gitlab-group-wildcard', 'gitlab-protected-any', 'gitlab-deny-unprotected', 'gitlab-project-id-claim'];

let dir: string;
let jwks: string;
let sign: (claims: Record<string, unknown>, options?: { expiresIn?: string; key?: 'other' }) => Promise<string>;

beforeAll(async () => {
  dir = tempDir('id-token');
  const instance = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(instance.publicKey)), kid: 'gitlab-1', use: 'sig', alg: 'RS256' };
  jwks = path.join(dir, 'keys.json');
  fs.writeFileSync(jwks, JSON.stringify({ keys: [jwk] }));
  sign = (claims, options = {}) =>
    new SignJWT({ ...CLAIMS, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'gitlab-1', typ: 'JWT' })
      .setIssuer('https://gitlab.com')
      .setSubject(String(claims.sub ?? 'project_path:acme/api:ref_type:branch:ref:main'))
      .setAudience(String(claims.aud ?? 'https://gitlab.com'))
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key === 'other' ? other.privateKey : instance.privateKey);
});

const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

async function audit(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await run(['audit', ACCOUNT, ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  const allowed =
    status === 0 && args.includes('--json') ? (JSON.parse(out.join('\n')) as { role: string; decision: string }[]).filter((d) => d.decision === 'allow').map((d) => d.role) : [];
  return { status, allowed, err: err.filter((l) => !l.startsWith('note: an account file')) };
}

test('a token the instance signed: its claims are decided, and the signature is checked against the JWKS', async () => {
  const token = write('main.jwt', `${await sign({})}\n`);
  const r = await audit('--token', token, '--jwks', jwks, '--json');
  expect(r).toEqual({ status: 0, allowed: MAIN_ALLOWED, err: [] });
  // Without --jwks the same decisions, with a note that the signature was not checked.
  const unchecked = await audit('--token', token, '--json');
  expect(unchecked.allowed).toEqual(r.allowed);
  expect(unchecked.err).toEqual([
    expect.stringMatching(/^note: the signature of .*main\.jwt is not checked; give --jwks <file> \(the JSON of https:\/\/gitlab\.com\/oauth\/discovery\/keys\)/),
  ]);
});

test('the claims of the token decide: an unprotected feature branch gets only into the roles that allow any branch or pin only the project id', async () => {
  const token = write('feature.jwt', await sign({ sub: 'project_path:acme/api:ref_type:branch:ref:feature', ref: 'feature', ref_protected: 'false' }));
  expect((await audit('--token', token, '--jwks', jwks, '--json')).allowed).toEqual(['gitlab-any-branch', 'gitlab-project-id-claim']);
});

test.each([
  [
    'a tampered payload (sub changed, signature kept)',
    async () => {
      const [header, , signature] = (await sign({})).split('.');
      const payload = Buffer.from(
        JSON.stringify({ ...CLAIMS, iss: 'https://gitlab.com', aud: 'https://gitlab.com', sub: 'project_path:acme/api:ref_type:branch:ref:evil' }),
      ).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    /^access: the signature of .*token\.jwt does not verify against .*keys\.json \(signature verification failed\): STS would refuse it/,
  ],
  ['a token signed with another key', () => sign({}, { key: 'other' }), /^access: the signature of .*token\.jwt does not verify against .*keys\.json/],
  [
    'a token signed with HS256',
    () => new SignJWT(CLAIMS).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a shared secret of 32 characters')),
    /does not verify against .*\("alg" \(Algorithm\) Header Parameter value not allowed\)/,
  ],
  ['a malformed token', async () => 'not.a-token', /^access: .*token\.jwt is not a JWT \(.*\): give the job's ID token, e\.g\. the value of \$GITLAB_OIDC_TOKEN$/],
])('%s is refused: one line, exit 2', async (_name, make, message) => {
  const token = write('token.jwt', await make());
  const r = await audit('--token', token, '--jwks', jwks, '--json');
  expect(r.status).toBe(2);
  expect(r.err).toEqual([expect.stringMatching(message)]);
});

test('--token gives every claim: a claim option beside it is refused; an expired token is decided with a note', async () => {
  const token = write('t.jwt', await sign({}));
  const mixed = await audit('--token', token, '--sub', 'project_path:acme/api:ref_type:branch:ref:main');
  expect([mixed.status, mixed.err]).toEqual([2, ['access: --token gives every claim of the token: leave out --sub, or give the claims without --token']]);
  const expired = write('expired.jwt', await sign({}, { expiresIn: '-1h' }));
  const r = await audit('--token', expired, '--jwks', jwks, '--json');
  expect(r.allowed).toContain('gitlab-deploy-api');
  expect(r.err).toEqual([expect.stringMatching(/^note: .*expired\.jwt expired at .*, and STS refuses an expired token: the decisions are on its claims$/)]);
});

test('--token - reads the token from stdin, in the installed command', async () => {
  const command = path.join(REPO_ROOT, 'dist', 'src', 'lib', 'access', 'command.js');
  const r = spawnSync(process.execPath, [command, 'audit', ACCOUNT, '--token', '-', '--jwks', jwks, '--json'], { input: await sign({}), encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect((JSON.parse(r.stdout) as { role: string; decision: string }[]).filter((d) => d.decision === 'allow').map((d) => d.role)).toEqual(MAIN_ALLOWED);
  const bad = spawnSync(process.execPath, [command, 'audit', ACCOUNT, '--token', '-'], { input: 'garbage', encoding: 'utf8' });
  expect([
    bad.status,
    bad.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('note:')),
  ]).toEqual([2, [expect.stringMatching(/^access: the token on stdin is not a JWT/)]]);
});
