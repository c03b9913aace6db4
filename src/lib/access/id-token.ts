/**
 * A GitLab job's ID token (a JWT, as in `$GITLAB_OIDC_TOKEN`) read into the claims a decision
 * uses. The signature is checked with `jose` against the instance's JWKS
 * (`<issuer>/oauth/discovery/keys`) when one is given: GitLab signs ID tokens with RS256.
 */

import { compactVerify, createLocalJWKSet, decodeJwt, errors as joseErrors, type JSONWebKeySet } from 'jose';
import { GitlabClaims } from './gitlab-token';

/** A token that cannot be read, or whose signature does not verify: commands print it as one line. */
export class IdTokenError extends Error {}

export interface ReadIdToken {
  readonly claims: GitlabClaims;
  /** Whether the signature was verified against a JWKS. */
  readonly verified: boolean;
  /** When the token expired, if it has (STS refuses it then, whatever its trust). */
  readonly expiredAt?: Date;
}

/**
 * The claims of a token's payload as strings, as IAM compares them: numbers and booleans as
 * their text. `aud` may be a list of one; a token of several audiences is refused, since which
 * one STS checks is not this module's to guess.
 */
function claimsOf(payload: Record<string, unknown>, where: string): GitlabClaims {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    const single = Array.isArray(value) && name === 'aud' ? (value.length === 1 ? value[0] : undefined) : value;
    if (Array.isArray(value) && single === undefined) {
      throw new IdTokenError(`${where} has ${value.length} audiences (${JSON.stringify(value)}); this check decides a token of one aud: ask GitLab for one (id_tokens: aud)`);
    }
    if (typeof single === 'string' || typeof single === 'number' || typeof single === 'boolean') claims[name] = String(single);
  }
  return claims;
}

/**
 * Reads the token `text` (from `where`, for messages). With `jwks`, its RS256 signature must
 * verify against one of the keys, or it is refused.
 */
export async function readIdToken(text: string, where: string, jwks?: { readonly keys: unknown; readonly where: string }): Promise<ReadIdToken> {
  const jwt = text.trim();
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(jwt);
  } catch (error) {
    throw new IdTokenError(`${where} is not a JWT (${(error as Error).message}): give the job's ID token, e.g. the value of $GITLAB_OIDC_TOKEN`);
  }
  let verified = false;
  if (jwks) {
    let keySet: ReturnType<typeof createLocalJWKSet>;
    try {
      keySet = createLocalJWKSet(jwks.keys as JSONWebKeySet);
    } catch (error) {
      throw new IdTokenError(`${jwks.where} is not a JWKS (${(error as Error).message}): give the JSON of <issuer>/oauth/discovery/keys`);
    }
    try {
      await compactVerify(jwt, keySet, { algorithms: ['RS256'] });
    } catch (error) {
      const why = error instanceof joseErrors.JOSEError ? error.message : String(error);
      throw new IdTokenError(
        `the signature of ${where} does not verify against ${jwks.where} (${why}): STS would refuse it; give a token the instance signed, and its current keys`,
      );
    }
    verified = true;
  }
  const claims = claimsOf(payload, where);
  const expiredAt = typeof payload.exp === 'number' && payload.exp * 1000 < Date.now() ? new Date(payload.exp * 1000) : undefined;
  return { claims, verified, expiredAt };
}
