/**
 * Conditions on the further claims of gitlab.com's ID tokens, typed. AWS evaluates these
 * condition keys for the gitlab.com issuer only; on another instance, put the project id and
 * protection in `sub` with structured subjects instead. Each list is ORed; the keys are ANDed.
 *
 * @see https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
 */
export interface GitlabClaimConditions {
  /** The job's project, by id: a path can be reclaimed by another project, an id cannot. @example 4242 */
  readonly projectId?: number | readonly number[];
  /** The project's group or user namespace, by id. @example 1234 */
  readonly namespaceId?: number | readonly number[];
  /** Whether the job's ref is protected. @example true */
  readonly refProtected?: boolean;
  /** What started the pipeline. @example ['push', 'web'] */
  readonly pipelineSource?: string | readonly string[];
  /** The kind of runner. @example 'gitlab-hosted' */
  readonly runnerEnvironment?: 'gitlab-hosted' | 'self-hosted' | readonly ('gitlab-hosted' | 'self-hosted')[];
  /** The user who started the job, by id. @example 5678 */
  readonly userId?: number | readonly number[];
  /** The user who started the job, by username. @example 'release-bot' */
  readonly userLogin?: string | readonly string[];
  /** The user who started the job, by e-mail. @example 'release-bot@example.com' */
  readonly userEmail?: string | readonly string[];
  /** That user's access level in the project. @example 'maintainer' */
  readonly userAccessLevel?: string | readonly string[];
}

/** The claim (`project_id`) a typed condition key (`projectId`) stands for. */
const claimOf = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The typed keys, in the order of AWS's list of gitlab.com claims (a test holds them to it). */
export const CLAIM_CONDITION_KEYS: readonly (keyof GitlabClaimConditions)[] = [
  'projectId',
  'namespaceId',
  'refProtected',
  'pipelineSource',
  'runnerEnvironment',
  'userId',
  'userLogin',
  'userEmail',
  'userAccessLevel',
];

/** The conditions as claims: claim name to the string values a token's claim may have. */
export function claimsOfConditions(conditions: GitlabClaimConditions): Record<string, string[]> {
  const claims: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(conditions)) {
    if (value === undefined) continue;
    claims[claimOf(key)] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return claims;
}

/** The claims the typed keys stand for. */
export const CLAIMS_OF_CONDITION_KEYS: readonly string[] = CLAIM_CONDITION_KEYS.map(claimOf);
