#!/usr/bin/env node
/**
 * gitlab-oidc-access <file.json> (npm run -s access -- in this project)
 *                                   (--sub '<sub>' | <claims> [--sub-components c1,c2,...]) [--iss <url>] [--aud <aud>]
 *                                  [--claim key=value]... [--provider-audience <aud>]... [--json]
 *                                  [--expect allow|deny --role NAME]
 *
 * Who gets in: for a GitLab ID token, the decision of every role in `terraform show -json`
 * output (a saved plan or state), made as IAM makes it; the token's issuer picks the provider
 * (needed where the file trusts several). One line per role:
 * `<role> allow|deny <reason>`. Exit 0; 1 when --expect differs; 2 on bad input.
 *
 * Without --sub, the token's `sub` is built as GitLab builds it, from its claims (`--project`,
 * `--ref`, `--ref-type`, `--claim project_id=...`, ...) and the project's components.
 */

import { Decision } from './decide';
import { DecisionInputError, PolicyReadError } from './errors';
import { GitlabClaims, decideTokenAmong, providerForIssuer } from './gitlab-token';
import { TerraformJsonError, readTerraformJson, readTerraformShow } from './terraform-show';
import { SUB_COMPONENTS_LIST_RULE } from '../guardrails/rules';
import { DEFAULT_SUB_COMPONENTS, mintSub } from '../trust/sub-claim';
import { CONSOLE, Output, UsageError, readArgs } from '../cli/args';

const USAGE =
  "usage: npm run -s access -- <terraform-show.json> (--sub '<sub>' | --project <group/project> --ref <ref> [--ref-type branch|tag] [--sub-components c1,c2,...]) " +
  '[--iss <issuer url>] [--aud <aud>] [--claim key=value]... [--provider-audience <aud>]... [--json] [--expect allow|deny --role <name>]';

interface Options {
  file: string;
  claims: Record<string, string>;
  providerAudiences?: string[];
  json: boolean;
  expect?: 'allow' | 'deny';
  role?: string;
}

/** The options that give a claim, by claim: the same claim from two of them must agree. */
const CLAIM_OPTIONS: Record<string, string> = { '--iss': 'iss', '--sub': 'sub', '--aud': 'aud', '--project': 'project_path', '--ref': 'ref', '--ref-type': 'ref_type' };

function parseArgs(argv: readonly string[]): Options {
  const claims: Record<string, string> = {};
  const givenBy: Record<string, string> = {};
  const give = (claim: string, value: string, option: string) => {
    if (claims[claim] !== undefined && claims[claim] !== value) {
      throw new UsageError(`${option} gives ${claim} ${JSON.stringify(value)}, but ${givenBy[claim]} gave ${JSON.stringify(claims[claim])}: give the token's ${claim} once`);
    }
    claims[claim] = value;
    givenBy[claim] = option;
  };
  let components: string[] | undefined;
  const options: Partial<Options> = { json: false };
  const file = readArgs(argv, (name, value) => {
    if (name in CLAIM_OPTIONS) give(CLAIM_OPTIONS[name], value(), name);
    else if (name === '--sub-components') components = value().split(',').map((c) => c.trim());
    else if (name === '--provider-audience') options.providerAudiences = [...(options.providerAudiences ?? []), value()];
    else if (name === '--role') options.role = value();
    else if (name === '--json') options.json = true;
    else if (name === '--expect') {
      const v = value();
      if (v !== 'allow' && v !== 'deny') throw new UsageError(`--expect takes allow or deny, not ${JSON.stringify(v)}`);
      options.expect = v;
    } else if (name === '--claim') {
      const [, key, v] = /^([a-z_]+)=(.*)$/.exec(value()) ?? [];
      if (!key) throw new UsageError(`--claim takes key=value with a lower-case claim name, e.g. ref_protected=true`);
      give(key, v, `--claim ${key}=`);
    } else return false;
    return true;
  });
  if (claims.ref_type !== undefined && claims.ref_type !== 'branch' && claims.ref_type !== 'tag') {
    throw new UsageError(`${givenBy.ref_type} takes branch or tag, not ${JSON.stringify(claims.ref_type)}`);
  }
  if (claims.ref !== undefined && claims.ref_type === undefined) claims.ref_type = 'branch';
  if (claims.sub !== undefined) {
    if (components !== undefined) throw new UsageError('give the token\'s --sub, or its claims with --sub-components, not both');
  } else {
    const list = components ?? [...DEFAULT_SUB_COMPONENTS];
    if (!SUB_COMPONENTS_LIST_RULE.test(list.join(','))) throw new UsageError(`--sub-components ${JSON.stringify(list.join(','))}: ${SUB_COMPONENTS_LIST_RULE.fix}`);
    if (claims[list[0]] === undefined) {
      throw new UsageError(
        `give the token's --sub, or its claims: its sub starts with ${list[0]} (--sub-components ${list.join(',')}), so give ` +
          `${list[0] === 'project_path' ? '--project <group/project>' : `--claim ${list[0]}=...`} and the claims of the other components`,
      );
    }
    claims.sub = mintSub(list, claims);
  }
  if (options.expect && !options.role) throw new UsageError('--expect needs --role <name>');
  return { ...options, file, claims } as Options;
}

export function run(argv: readonly string[], { out, err }: Output): number {
  try {
    const options = parseArgs(argv);
    const configuration = readTerraformShow(readTerraformJson(options.file));
    const picked = providerForIssuer(configuration.providers, options.claims.iss);
    let providers = configuration.providers;
    if (picked) {
      const known = picked.audiences;
      if (known !== undefined && options.providerAudiences !== undefined) {
        throw new UsageError(`the file lists the provider's audiences ${JSON.stringify(known)} (${picked.arn}): --provider-audience is for a provider it does not hold`);
      }
      if (known === undefined && options.providerAudiences === undefined) {
        throw new UsageError(`the file does not say which audiences the OIDC provider ${picked.arn} lists, and STS refuses any other: give each with --provider-audience`);
      }
      providers = providers.map((p) => (p === picked ? { ...p, audiences: known ?? options.providerAudiences } : p));
    }
    const aud = options.claims.aud ?? configuration.defaultAudience ?? picked?.audiences?.[0] ?? options.providerAudiences?.[0];
    if (aud === undefined) throw new UsageError('the file does not say which audience the provider lists: give --aud');
    const token: GitlabClaims = { ...options.claims, aud };
    const roles = options.role ? configuration.roles.filter((r) => r.name === options.role) : configuration.roles;
    if (options.role && roles.length === 0) {
      throw new UsageError(`no role named ${JSON.stringify(options.role)}; the file has ${JSON.stringify(configuration.roles.map((r) => r.name))}`);
    }
    const decisions = roles.map((role): { role: string } & Decision => ({ role: role.name, ...decideTokenAmong(providers, token, role.statements) }));
    if (options.json) out(JSON.stringify(decisions, null, 2));
    else for (const d of decisions) out(`${d.role} ${d.decision} ${d.reason}`);
    if (options.expect && decisions[0].decision !== options.expect) {
      err(`access: expected ${options.expect} for ${options.role}, got ${decisions[0].decision}`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof TerraformJsonError || error instanceof PolicyReadError || error instanceof DecisionInputError) {
      err(`access: ${error.message}${error instanceof UsageError ? `\n${USAGE}` : ''}`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) process.exitCode = run(process.argv.slice(2), CONSOLE);
