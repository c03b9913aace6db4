/**
 * npm run -s access -- <file.json> --sub '<sub>' [--aud <aud>] [--claim key=value]... [--json]
 *                                  [--expect allow|deny --role NAME]
 *
 * Who gets in: for a GitLab ID token, the decision of every role in `terraform show -json`
 * output (a saved plan or state), made as IAM makes it. One line per role:
 * `<role> allow|deny <reason>`. Exit 0; 1 when --expect differs; 2 on bad input.
 */

import { Decision } from '../src/access/decide';
import { PolicyReadError } from '../src/access/errors';
import { GitlabClaims, decideToken, gitlabSubject } from '../src/access/gitlab-token';
import { TerraformJsonError, readTerraformJson, readTerraformShow } from '../src/access/terraform-show';
import { CONSOLE, Output, UsageError, readArgs } from './cli';

const USAGE =
  "usage: npm run -s access -- <terraform-show.json> (--sub '<sub>' | --project <group/project> --ref <ref> [--ref-type branch|tag]) " +
  '[--aud <aud>] [--claim key=value]... [--json] [--expect allow|deny --role <name>]';

interface Options {
  file: string;
  claims: Record<string, string>;
  aud?: string;
  json: boolean;
  expect?: 'allow' | 'deny';
  role?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const claims: Record<string, string> = {};
  let sub: string | undefined;
  let project: string | undefined;
  let ref: string | undefined;
  let refType: string | undefined;
  const options: Partial<Options> = { json: false };
  const file = readArgs(argv, (name, value) => {
    if (name === '--sub') sub = value();
    else if (name === '--project') project = value();
    else if (name === '--ref') ref = value();
    else if (name === '--ref-type') refType = value();
    else if (name === '--aud') options.aud = value();
    else if (name === '--role') options.role = value();
    else if (name === '--json') options.json = true;
    else if (name === '--expect') {
      const v = value();
      if (v !== 'allow' && v !== 'deny') throw new UsageError(`--expect takes allow or deny, not ${JSON.stringify(v)}`);
      options.expect = v;
    } else if (name === '--claim') {
      const [, key, v] = /^([a-z_]+)=(.*)$/.exec(value()) ?? [];
      if (!key) throw new UsageError(`--claim takes key=value with a lower-case claim name, e.g. ref_protected=true`);
      claims[key] = v;
    } else return false;
    return true;
  });
  if (sub !== undefined && project !== undefined) throw new UsageError('give --sub, or --project with --ref, not both');
  if (project !== undefined) {
    if (ref === undefined) throw new UsageError('--project needs --ref');
    if (refType !== undefined && refType !== 'branch' && refType !== 'tag') throw new UsageError(`--ref-type takes branch or tag, not ${JSON.stringify(refType)}`);
    sub = gitlabSubject(project, ref, (refType ?? 'branch') as 'branch' | 'tag');
  } else if (ref !== undefined || refType !== undefined) throw new UsageError('--ref and --ref-type build a sub with --project');
  if (sub === undefined) throw new UsageError("give the token's --sub, or --project and --ref");
  if (options.expect && !options.role) throw new UsageError('--expect needs --role <name>');
  return { ...options, file, claims: { ...claims, sub } } as Options;
}

export function run(argv: readonly string[], { out, err }: Output): number {
  try {
    const options = parseArgs(argv);
    const configuration = readTerraformShow(readTerraformJson(options.file));
    const aud = options.aud ?? configuration.defaultAudience;
    if (aud === undefined) throw new UsageError('the file does not say which audience the provider lists: give --aud');
    const token: GitlabClaims = { ...options.claims, aud };
    const roles = options.role ? configuration.roles.filter((r) => r.name === options.role) : configuration.roles;
    if (options.role && roles.length === 0) {
      throw new UsageError(`no role named ${JSON.stringify(options.role)}; the file has ${JSON.stringify(configuration.roles.map((r) => r.name))}`);
    }
    const decisions = roles.map((role): { role: string } & Decision => ({ role: role.name, ...decideToken(configuration.provider, token, role.statements) }));
    if (options.json) out(JSON.stringify(decisions, null, 2));
    else for (const d of decisions) out(`${d.role} ${d.decision} ${d.reason}`);
    if (options.expect && decisions[0].decision !== options.expect) {
      err(`access: expected ${options.expect} for ${options.role}, got ${decisions[0].decision}`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof TerraformJsonError || error instanceof PolicyReadError) {
      err(`access: ${error.message}${error instanceof UsageError ? `\n${USAGE}` : ''}`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) process.exitCode = run(process.argv.slice(2), CONSOLE);
