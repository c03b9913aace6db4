/**
 * The token a command decides: a GitLab ID token (`--token FILE`, `-` for stdin, checked with
 * `--jwks FILE`), or its claims one by one (`--iss`, `--sub`, `--aud`, `--claim k=v`, or the
 * job's `--project`/`--ref`, from which `sub` is built as GitLab builds it).
 */

import * as fs from 'fs';
import { CommandLine, OptionSpec, Output, UsageError, lastValue } from '../cli/args';
import { SUB_COMPONENTS_LIST_RULE } from '../guardrails/rules';
import { DEFAULT_SUB_COMPONENTS, mintSub } from '../trust/sub-claim';
import { readIdToken } from './id-token';

export const TOKEN_OPTIONS: OptionSpec = {
  token: { type: 'string' },
  jwks: { type: 'string' },
  iss: { type: 'string' },
  sub: { type: 'string' },
  aud: { type: 'string' },
  project: { type: 'string' },
  ref: { type: 'string' },
  'ref-type': { type: 'string' },
  claim: { type: 'string', multiple: true },
  'sub-components': { type: 'string' },
};

/** The options that give one claim, by claim: the same claim from two of them must agree. */
const CLAIM_OPTIONS: Record<string, string> = { iss: 'iss', sub: 'sub', aud: 'aud', project: 'project_path', ref: 'ref', 'ref-type': 'ref_type' };

export const TOKEN_USAGE =
  "(--token <file|-> [--jwks <keys.json>] | --sub '<sub>' | --project <group/project> --ref <ref> [--ref-type branch|tag] [--sub-components c1,c2,...]) " +
  '[--iss <issuer url>] [--aud <aud>] [--claim key=value]...';

/** Whether the command line gives a token at all (by file or by any claim). */
export const givesToken = (line: CommandLine): boolean => line.options.some((o) => o.name === 'token' || o.name === 'claim' || o.name in CLAIM_OPTIONS);

/** Reads a file, or stdin for `-`. */
function readInput(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file} (${(error as NodeJS.ErrnoException).code ?? error}): give the file of the job's ID token, or - for stdin`);
  }
}

/**
 * The token's claims, from a token file or from the claim options; `aud` may be left out (the
 * command then picks the provider's). Notes (an unchecked signature, an expired token) go to `io.err`.
 */
export async function readTokenInput(line: CommandLine, io: Output): Promise<Record<string, string>> {
  const tokenFile = lastValue(line, 'token');
  if (tokenFile !== undefined) {
    const others = line.options.filter((o) => o.name !== 'token' && o.name !== 'jwks' && (o.name === 'claim' || o.name in CLAIM_OPTIONS || o.name === 'sub-components'));
    if (others.length) throw new UsageError(`--token gives every claim of the token: leave out --${others[0].name}, or give the claims without --token`);
    const jwksFile = lastValue(line, 'jwks');
    let jwks: { keys: unknown; where: string } | undefined;
    if (jwksFile !== undefined) {
      try {
        jwks = { keys: JSON.parse(readInput(jwksFile)), where: jwksFile };
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(`${jwksFile} is not JSON: give the JSON of <issuer>/oauth/discovery/keys`);
      }
    }
    const where = tokenFile === '-' ? 'the token on stdin' : tokenFile;
    const read = await readIdToken(readInput(tokenFile), where, jwks);
    if (!read.verified)
      io.err(`note: the signature of ${where} is not checked; give --jwks <file> (the JSON of ${read.claims.iss ?? '<issuer>'}/oauth/discovery/keys) to check it`);
    if (read.expiredAt) io.err(`note: ${where} expired at ${read.expiredAt.toISOString()}, and STS refuses an expired token: the decisions are on its claims`);
    if (read.claims.sub === undefined) throw new UsageError(`${where} has no sub claim: give a GitLab ID token`);
    return { ...read.claims };
  }
  if (lastValue(line, 'jwks') !== undefined) throw new UsageError('--jwks checks the signature of a --token: give the token');
  return claimsFromOptions(line);
}

/** The claims given one by one; without `--sub`, the `sub` built from them for the project's components. */
function claimsFromOptions(line: CommandLine): Record<string, string> {
  const claims: Record<string, string> = {};
  const givenBy: Record<string, string> = {};
  const give = (claim: string, value: string, option: string) => {
    if (claims[claim] !== undefined && claims[claim] !== value) {
      throw new UsageError(`${option} gives ${claim} ${JSON.stringify(value)}, but ${givenBy[claim]} gave ${JSON.stringify(claims[claim])}: give the token's ${claim} once`);
    }
    claims[claim] = value;
    givenBy[claim] = option;
  };
  for (const { name, value = '' } of line.options) {
    if (name in CLAIM_OPTIONS) give(CLAIM_OPTIONS[name], value, `--${name}`);
    else if (name === 'claim') {
      const [, key, v] = /^([a-z_]+)=(.*)$/.exec(value) ?? [];
      if (!key) throw new UsageError(`--claim takes key=value with a lower-case claim name, e.g. ref_protected=true, not ${JSON.stringify(value)}`);
      give(key, v, `--claim ${key}=`);
    }
  }
  const components = lastValue(line, 'sub-components')
    ?.split(',')
    .map((c) => c.trim());
  if (claims.ref_type !== undefined && claims.ref_type !== 'branch' && claims.ref_type !== 'tag') {
    throw new UsageError(`${givenBy.ref_type} takes branch or tag, not ${JSON.stringify(claims.ref_type)}`);
  }
  if (claims.ref !== undefined && claims.ref_type === undefined) claims.ref_type = 'branch';
  if (claims.sub !== undefined) {
    if (components !== undefined) throw new UsageError("give the token's --sub, or its claims with --sub-components, not both");
    return claims;
  }
  const list = components ?? [...DEFAULT_SUB_COMPONENTS];
  if (!SUB_COMPONENTS_LIST_RULE.test(list.join(','))) throw new UsageError(`--sub-components ${JSON.stringify(list.join(','))}: ${SUB_COMPONENTS_LIST_RULE.fix}`);
  if (claims[list[0]] === undefined) {
    throw new UsageError(
      `give the token's --token or --sub, or its claims: its sub starts with ${list[0]} (--sub-components ${list.join(',')}), so give ` +
        `${list[0] === 'project_path' ? '--project <group/project>' : `--claim ${list[0]}=...`} and the claims of the other components`,
    );
  }
  claims.sub = mintSub(list, claims);
  return claims;
}
