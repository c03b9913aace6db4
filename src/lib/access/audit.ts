/**
 * Who gets in to the web-identity roles of an account: the decision for one token, and, with
 * no token, findings from decisions on adversary tokens built from each role's own patterns
 * (another top-level group, an unprotected branch, a project no condition names). A finding is
 * kept only when the role lets its witness in, as `decideStatements` decides.
 *
 * An account file holds no provider client-ID lists, so the audience STS checks first is not
 * known: decisions rest on the policy's own `aud` conditions.
 */

import { GITLAB_SUBJECT } from '../guardrails/rules';
import { ADVISED_SUB_COMPONENTS, DEFAULT_SUB_COMPONENTS, SUB_COMPONENT_NAMES, mintSub } from '../trust/sub-claim';
import { issuerHostOf } from '../trust/trust-policy';
import { AccountRole } from './account';
import { ASSUME_ROLE_WITH_WEB_IDENTITY, Decision, coversAction, decideStatements, firstFailingCondition } from './decide';
import { DecisionInputError } from './errors';
import { GitlabClaims, evaluatedClaims, requestContext } from './gitlab-token';
import { Statement } from './policy';

/** Issuers of other CI systems and clouds: their roles are listed, without GitLab findings. */
const NON_GITLAB_ISSUERS: readonly RegExp[] = [
  /^(vstoken\.)?token\.actions\.githubusercontent\.com(\/|$)/,
  /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\//,
  /^app\.terraform\.io$/,
  /^accounts\.google\.com$/,
  /^oidc\.circleci\.com\//,
  /^api\.bitbucket\.org\//,
  /^token\.buildkite\.com$/,
];

/** Whether roles trusting this issuer host are GitLab's to audit. */
export const isGitlabIssuer = (host: string): boolean => !NON_GITLAB_ISSUERS.some((pattern) => pattern.test(host.toLowerCase()));

/** The issuer URL of a host, as a token's `iss` gives it. */
export const issuerUrlOf = (host: string): string => `https://${host}`;

export const AUDIENCE_NOTE = "an account file lists no provider's client IDs: the audience decisions rest on each policy's aud conditions";

/** The issuers the roles trust, each once. */
export const issuersOf = (roles: readonly AccountRole[]): string[] => [...new Set(roles.flatMap((r) => r.providers.map((p) => p.host.toLowerCase())))];

/**
 * The decision for a token on an account's role: its `iss` picks the role's provider (without
 * `iss`, the one issuer the file trusts). A role that trusts no provider of that issuer refuses it.
 */
export function decideAccountRole(
  role: AccountRole,
  claims: GitlabClaims,
  fileIssuers: readonly string[],
  /** The client IDs of each provider, by lower-case issuer host, where the file says (a plan): STS refuses any other aud first. */
  providerAudiences?: ReadonlyMap<string, readonly string[]>,
): Decision {
  let host: string;
  if (claims.iss !== undefined) host = issuerHostOf(claims.iss);
  else if (fileIssuers.length === 1) host = fileIssuers[0];
  else throw new DecisionInputError(`the file trusts ${fileIssuers.length} OIDC issuers (${fileIssuers.join(', ')}): give the token's iss, e.g. --iss https://${fileIssuers[0]}`);
  const provider = role.providers.find((p) => p.host.toLowerCase() === host.toLowerCase());
  if (!provider) return { decision: 'deny', reason: `the role trusts ${role.providers.map((p) => p.host).join(', ')}, not the token's issuer ${host}` };
  const listed = providerAudiences?.get(host.toLowerCase());
  if (listed && !listed.includes(claims.aud)) {
    return {
      decision: 'deny',
      reason: `InvalidIdentityToken: Incorrect token audience: the token has aud ${JSON.stringify(claims.aud ?? null)}, the provider lists ${JSON.stringify(listed)}`,
    };
  }
  return decideStatements(role.statements, { providerArn: provider.arn, context: requestContext(provider.host, claims) });
}

export type FindingId = 'no_subject' | 'other_owners' | 'unprotected_branch' | 'never_matches';

export interface Finding {
  readonly id: FindingId;
  readonly message: string;
  /** Token claims the role lets in, of the finding's class; none for `never_matches`. */
  readonly witness?: GitlabClaims;
}

/** A job as GitLab sees it: the claims it would put in its token, before `iss`, `aud` and `sub`. */
type Job = Record<string, string>;

/** One `sub` value read as components: their names in order, and each value as written (wildcards kept). */
interface SubTemplate {
  readonly components: readonly string[];
  readonly fields: Readonly<Record<string, string>>;
}

const WILDCARD = /[*?]/;
const fill = (pattern: string, filler: string) => pattern.replace(/[*?]/g, filler);

/**
 * Reads a `sub` value as `<component>:<value>` pairs. Where a wildcard runs past a value (a
 * trailing `*`), the components GitLab would put after it are the default's that are missing.
 */
function subTemplate(value: string): SubTemplate | undefined {
  const parts = value.split(':');
  const components: string[] = [];
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) {
    if (!SUB_COMPONENT_NAMES.includes(parts[i]) || parts[i] in fields) break;
    components.push(parts[i]);
    fields[parts[i]] = parts[i + 1];
  }
  if (components.length === 0) return undefined;
  const rest = parts.slice(components.length * 2).join(':');
  if (rest !== '' && !WILDCARD.test(rest)) return undefined;
  // A trailing wildcard stands for the components after it: GitLab's default ref_type and ref, where missing.
  if (rest !== '' || WILDCARD.test(fields[components[components.length - 1]])) {
    for (const c of DEFAULT_SUB_COMPONENTS.slice(1)) if (!components.includes(c)) components.push(c);
  }
  return { components, fields };
}

/** Every value a statement lists for the claim (key `<host>:<claim>`), across operators. */
function listed(statement: Statement, host: string, claim: string): string[] {
  const key = `${host}:${claim}`.toLowerCase();
  return statement.conditions.filter((c) => c.key.toLowerCase() === key && c.operator.base !== 'Null').flatMap((c) => c.values);
}

/** The owner (top-level group) of a project path. */
const ownerOf = (projectPath: string) => projectPath.split('/')[0];

/** Values for the claims a job has beside its project and ref, where the role names none. */
const JOB_DEFAULTS: Job = {
  pipeline_source: 'push',
  runner_environment: 'gitlab-hosted',
  user_id: '3000001',
  user_login: 'ci-user',
  user_email: 'ci-user@example.com',
  user_access_level: 'developer',
};

/** What an audit reads from one role for one GitLab issuer. */
interface RoleView {
  readonly host: string;
  readonly arn: string;
  readonly statements: readonly Statement[];
  /** Allow statements that reach this issuer's provider. */
  readonly allows: readonly Statement[];
}

/** The jobs a statement names: one per `sub` template, wildcards filled; claims the role lists taken from it. */
function jobsOf(view: RoleView, statement: Statement, filler: string): { job: Job; template?: SubTemplate }[] {
  const seed = (claim: string, fallback: string) => {
    const value = listed(statement, view.host, claim)[0];
    return value === undefined ? fallback : fill(value, filler);
  };
  const base: Job = {
    ...Object.fromEntries(Object.keys(JOB_DEFAULTS).map((claim) => [claim, seed(claim, JOB_DEFAULTS[claim])])),
    project_id: seed('project_id', '1000001'),
    namespace_id: seed('namespace_id', '2000001'),
    ref_protected: seed('ref_protected', 'true'),
  };
  const templates = listed(statement, view.host, 'sub')
    .map(subTemplate)
    .filter((t): t is SubTemplate => t !== undefined);
  if (templates.length === 0) return [{ job: withPath({ ...base, project_path: 'named-group/app', ref_type: 'branch', ref: 'main' }) }];
  return templates.map((template) => {
    const f = template.fields;
    const projectPath = f.project_path === undefined ? 'named-group/app' : fill(f.project_path, filler);
    const job: Job = {
      ...base,
      project_path: projectPath.includes('/') ? projectPath : `${projectPath}/app`,
      ref_type: f.ref_type === 'tag' ? 'tag' : 'branch',
      ref: f.ref === undefined ? 'main' : fill(f.ref, filler),
    };
    if (f.project_id !== undefined) job.project_id = WILDCARD.test(f.project_id) ? '1000001' : f.project_id;
    if (f.ref_protected !== undefined && !WILDCARD.test(f.ref_protected)) job.ref_protected = f.ref_protected;
    for (const c of ['environment_protected', 'deployment_tier']) {
      if (f[c] !== undefined) job[c] = WILDCARD.test(f[c]) ? (c === 'deployment_tier' ? 'production' : 'true') : f[c];
    }
    return { job: withPath(job), template };
  });
}

/** A job with the claims GitLab derives from its project path and ref. */
function withPath(job: Job): Job {
  return { ...job, namespace_path: job.project_path.split('/').slice(0, -1).join('/'), ref_path: `refs/${job.ref_type === 'tag' ? 'tags' : 'heads'}/${job.ref}` };
}

/** The tokens GitLab mints for `job`, one per `sub` format a project may choose and per audience; none whose `sub` GitLab cannot mint. */
function tokensOf(view: RoleView, job: Job, formats: readonly (readonly string[])[], audiences: readonly string[]): GitlabClaims[] {
  const tokens: GitlabClaims[] = [];
  for (const components of formats) {
    const sub = mintSub(components, job);
    if (!GITLAB_SUBJECT.test(sub)) continue;
    for (const aud of audiences) tokens.push({ iss: issuerUrlOf(view.host), sub, aud, ...job });
  }
  return tokens;
}

/** The `sub` formats to try: those the role's values use, GitLab's default, and the one GitLab advises. */
function formatsOf(view: RoleView): (readonly string[])[] {
  const seen = new Map<string, readonly string[]>();
  const add = (components: readonly string[]) => seen.set(components.join(','), components);
  for (const s of view.allows)
    for (const v of listed(s, view.host, 'sub')) {
      const template = subTemplate(v);
      if (template) add(template.components);
    }
  add(DEFAULT_SUB_COMPONENTS);
  add(ADVISED_SUB_COMPONENTS);
  return [...seen.values()];
}

/** The audiences to try: those the role lists (filled), and the two GitLab's guides use. */
function audiencesOf(view: RoleView): string[] {
  return [...new Set([...view.allows.flatMap((s) => listed(s, view.host, 'aud').map((a) => fill(a, 'x'))), 'sts.amazonaws.com', issuerUrlOf(view.host)])];
}

/**
 * A token as a reviewer reads it: iss, sub, aud, the job's project and ref, and every claim
 * that AWS evaluates for its issuer and some statement of `statements` tests.
 */
export function shownClaims(statements: readonly Statement[], token: GitlabClaims): GitlabClaims {
  const host = issuerHostOf(token.iss);
  const tested = new Set(statements.flatMap((s) => s.conditions.map((c) => c.key.toLowerCase())));
  const shown = ['iss', 'sub', 'aud', 'project_path', 'ref_type', 'ref', 'ref_protected', ...evaluatedClaims(host).filter((c) => tested.has(`${host}:${c}`.toLowerCase()))];
  return Object.fromEntries([...new Set(shown)].filter((c) => token[c] !== undefined).map((c) => [c, token[c]]));
}

/** The owners (top-level groups) a role names literally: the group of each project path, up to any wildcard. */
function literalOwners(view: RoleView): Set<string> {
  const owners = new Set<string>();
  for (const s of view.allows)
    for (const v of listed(s, view.host, 'sub')) {
      const path = subTemplate(v)?.fields.project_path;
      if (path !== undefined) owners.add(ownerOf(path).split(/[*?]/)[0]);
    }
  return owners;
}

/** The refs a role names literally. */
function literalRefs(view: RoleView): Set<string> {
  const refs = new Set<string>();
  for (const s of view.allows)
    for (const v of listed(s, view.host, 'sub')) {
      const ref = subTemplate(v)?.fields.ref;
      if (ref !== undefined && !WILDCARD.test(ref)) refs.add(ref);
    }
  return refs;
}

/** The ids of a project of another owner: a role pinned by project_id (or namespace_id) lets in no other owner's. */
const ELSEWHERE = { project_id: '987654321', namespace_id: '987654322' } as const;

/** Adversary jobs built from a job the role names: the same project under other owners, and an unprotected branch of it. */
function adversaries(job: Job, template: SubTemplate | undefined): Job[] {
  const group = template?.fields.project_path === undefined ? undefined : ownerOf(template.fields.project_path);
  const rest = job.project_path.split('/').slice(1).join('/');
  const elsewhere = ELSEWHERE;
  const owners = ['zz-other-owner', ...(group !== undefined && WILDCARD.test(group) ? [fill(group, '-other')] : [])];
  const ref = template?.fields.ref;
  const branch = ref !== undefined && WILDCARD.test(ref) ? fill(ref, 'x-unprotected') : 'zz-unprotected-branch';
  return [
    ...owners.map((owner) => withPath({ ...job, ...elsewhere, project_path: `${owner}/${rest}` })),
    withPath({ ...job, ref_type: 'branch', ref: branch, ref_protected: 'false' }),
    withPath({ ...job, ...elsewhere, project_path: 'zz-any-owner/zz-any-project', ref_type: 'branch', ref: 'zz-any-branch', ref_protected: 'false' }),
  ];
}

/** The adversary tokens of a role for one issuer: built from each job it names. */
function adversaryTokens(view: RoleView): GitlabClaims[] {
  const formats = formatsOf(view);
  const audiences = audiencesOf(view);
  return view.allows
    .flatMap((s) => jobsOf(view, s, 'x'))
    .flatMap(({ job, template }) => adversaries(job, template))
    .flatMap((job) => tokensOf(view, job, formats, audiences));
}

/** The findings of one role for one GitLab issuer. */
function auditIssuer(view: RoleView): Finding[] {
  const findings: Finding[] = [];
  const formats = formatsOf(view);
  const audiences = audiencesOf(view);
  const decides = (token: GitlabClaims) => decideStatements(view.statements, { providerArn: view.arn, context: requestContext(view.host, token) }).decision === 'allow';

  for (const statement of view.allows) {
    const candidates = ['x', ''].flatMap((filler) => jobsOf(view, statement, filler)).flatMap(({ job }) => tokensOf(view, job, formats, audiences));
    const satisfies = (token: GitlabClaims) => firstFailingCondition(statement.conditions, requestContext(view.host, token)) === undefined;
    if (!candidates.some(satisfies)) {
      const failing = candidates.length ? firstFailingCondition(statement.conditions, requestContext(view.host, candidates[0])) : undefined;
      findings.push({
        id: 'never_matches',
        message:
          `${statement.label} matches no token GitLab can mint${failing ? ` (${failing.operator.name} ${failing.key} ${JSON.stringify(failing.values)})` : ''}: ` +
          "a wildcard under StringEquals, a subject not in GitLab's format, or exact and pattern lists that no one sub meets. Write the subjects as GitLab mints them",
      });
    }
  }

  const allowed = adversaryTokens(view).filter(decides);
  const owners = literalOwners(view);
  const refs = literalRefs(view);
  const first = (test: (t: GitlabClaims) => boolean) => allowed.find(test);

  const anyProject = first((t) => t.project_path === 'zz-any-owner/zz-any-project');
  if (anyProject) {
    findings.push({
      id: 'no_subject',
      message: 'any project of the instance gets in: the role has no sub condition, or one that every sub meets. Name the projects and refs in sub',
      witness: shownClaims(view.statements, anyProject),
    });
  }
  const otherOwner = first((t) => t.project_id === ELSEWHERE.project_id && !owners.has(ownerOf(t.project_path)));
  if (otherOwner) {
    findings.push({
      id: 'other_owners',
      message:
        `a job of ${ownerOf(otherOwner.project_path)}, a top-level group the role does not name${owners.size ? ` (it names ${[...owners].map((o) => JSON.stringify(o)).join(', ')})` : ''}, gets in: ` +
        'write the top-level group literally in each sub (project_path:<group>/...), or pin the project by project_id',
      witness: shownClaims(view.statements, otherOwner),
    });
  }
  const unprotected = first((t) => t.ref_type === 'branch' && t.ref_protected === 'false' && !refs.has(t.ref));
  if (unprotected) {
    findings.push({
      id: 'unprotected_branch',
      message: `a job on the unprotected branch ${JSON.stringify(unprotected.ref)}, which the role does not name, gets in: name the branches literally, or require ref_protected (a claim on gitlab.com, a sub component elsewhere)`,
      witness: shownClaims(view.statements, unprotected),
    });
  }
  return findings;
}

/** What an audit reads of a role, per GitLab issuer it trusts. */
function viewsOf(role: AccountRole): RoleView[] {
  return role.providers
    .filter((p) => isGitlabIssuer(p.host))
    .map((p) => {
      const reaching = (s: Statement) => s.federated === '*' || s.federated.includes(p.arn);
      return {
        host: p.host,
        arn: p.arn,
        statements: role.statements,
        allows: role.statements.filter((s) => s.effect === 'Allow' && reaching(s) && coversAction(s, ASSUME_ROLE_WITH_WEB_IDENTITY)),
      };
    });
}

/** The findings of an account's role: none for a role of a non-GitLab issuer. */
export function auditRole(role: AccountRole): Finding[] {
  return viewsOf(role).flatMap(auditIssuer);
}

/**
 * Tokens GitLab can mint that probe a role's trust: the jobs it names (wildcards filled) and the
 * adversaries built from them, for each GitLab issuer it trusts. A change of trust shows as a
 * change of decision on some of them (see `diffRoles`).
 */
export function probeTokens(role: AccountRole): GitlabClaims[] {
  return viewsOf(role).flatMap((view) => {
    const formats = formatsOf(view);
    const audiences = audiencesOf(view);
    const named = view.allows.flatMap((s) => jobsOf(view, s, 'x')).flatMap(({ job }) => tokensOf(view, job, formats, audiences));
    return [...named, ...adversaryTokens(view)];
  });
}
