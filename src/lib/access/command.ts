#!/usr/bin/env node
/**
 * gitlab-oidc-access (npm run -s access -- in this project): who gets in, decided as IAM decides.
 *
 *   gitlab-oidc-access [plan] <terraform-show.json> <token> ...   every role of a plan or state, for one token
 *   gitlab-oidc-access audit <account-details.json> [<token>] ... every web-identity role of an account
 *   gitlab-oidc-access diff <before.json> <after.json>            who gets in now that did not before
 *
 * Exit 0: ran, nothing to report; 1: ran and found something (a role whose decision differs
 * from --expect, an audit finding, a role added or let in wider); 2: usage or input error, one line on stderr.
 */

import { CONSOLE, EXIT, OptionSpec, Output, UsageError, hasFlag, lastValue, readCommandLine, runCommand } from '../cli/args';
import { Decision } from './decide';
import { DecisionInputError, PolicyReadError } from './errors';
import { IdTokenError } from './id-token';
import { GitlabClaims, decideTokenAmong, providerForIssuer } from './gitlab-token';
import { TerraformJsonError, readTerraformJson, readTerraformShow } from './terraform-show';
import { TOKEN_OPTIONS, TOKEN_USAGE, readTokenInput } from './token-input';
import { AUDIT_HELP, runAudit } from './audit-command';
import { diffMarkdown, diffRoles, readTrustSide } from './diff';
import { AccountJsonError } from './account';

const INPUT_ERRORS = [TerraformJsonError, PolicyReadError, DecisionInputError, IdTokenError, AccountJsonError];

const PLAN_OPTIONS: OptionSpec = {
  ...TOKEN_OPTIONS,
  'provider-audience': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  expect: { type: 'string' },
  role: { type: 'string' },
};

const PLAN_HELP = [
  `usage: gitlab-oidc-access [plan] <terraform-show.json> ${TOKEN_USAGE} [--provider-audience <aud>]... [--json] [--expect allow|deny --role <name>]`,
  '',
  'For a GitLab ID token, the decision of every role in `terraform show -json` output (a saved plan or state): `<role> allow|deny <reason>` per line.',
  "The token's iss picks the OIDC provider (needed where the file trusts several); without --sub, the sub is built from the job's claims as GitLab builds it.",
  "Exit 0; 1 when --expect differs from the role's decision; 2 on bad usage or input.",
].join('\n');

const HELP = [
  'usage: gitlab-oidc-access [plan] <terraform-show.json> <token options>   who gets in to the roles of a plan or state',
  '       gitlab-oidc-access audit <account-details.json> [<token options>]   who gets in to the roles of an AWS account',
  '       gitlab-oidc-access diff <before.json> <after.json> [--json]         who gets in now that did not before, and who no longer',
  '',
  'gitlab-oidc-access <mode> --help for the options of a mode.',
].join('\n');

async function runPlan(argv: readonly string[], io: Output): Promise<number> {
  const line = readCommandLine(argv, PLAN_OPTIONS);
  if (line.help) {
    io.out(PLAN_HELP);
    return EXIT.ok;
  }
  if (line.positionals.length !== 1)
    throw new UsageError(line.positionals.length ? `one file only; also got ${JSON.stringify(line.positionals[1])}` : 'no file given: give the output of terraform show -json');
  const expect = lastValue(line, 'expect');
  if (expect !== undefined && expect !== 'allow' && expect !== 'deny') throw new UsageError(`--expect takes allow or deny, not ${JSON.stringify(expect)}`);
  const roleName = lastValue(line, 'role');
  if (expect && !roleName) throw new UsageError('--expect needs --role <name>');
  const claims = await readTokenInput(line, io);
  const providerAudiences = line.options.filter((o) => o.name === 'provider-audience').map((o) => o.value!);

  const configuration = readTerraformShow(readTerraformJson(line.positionals[0]));
  const picked = providerForIssuer(configuration.providers, claims.iss);
  let providers = configuration.providers;
  if (picked) {
    const known = picked.audiences;
    if (known !== undefined && providerAudiences.length) {
      throw new UsageError(`the file lists the provider's audiences ${JSON.stringify(known)} (${picked.arn}): --provider-audience is for a provider it does not hold`);
    }
    if (known === undefined && !providerAudiences.length) {
      throw new UsageError(`the file does not say which audiences the OIDC provider ${picked.arn} lists, and STS refuses any other: give each with --provider-audience`);
    }
    providers = providers.map((p) => (p === picked ? { ...p, audiences: known ?? providerAudiences } : p));
  }
  const aud = claims.aud ?? configuration.defaultAudience ?? picked?.audiences?.[0] ?? providerAudiences[0];
  if (aud === undefined) throw new UsageError('the file does not say which audience the provider lists: give --aud');
  const token: GitlabClaims = { ...claims, aud };
  const roles = roleName ? configuration.roles.filter((r) => r.name === roleName) : configuration.roles;
  if (roleName && roles.length === 0) {
    throw new UsageError(`no role named ${JSON.stringify(roleName)}; the file has ${JSON.stringify(configuration.roles.map((r) => r.name))}`);
  }
  const decisions = roles.map((role): { role: string } & Decision => ({ role: role.name, ...decideTokenAmong(providers, token, role.statements) }));
  if (hasFlag(line, 'json')) io.out(JSON.stringify(decisions, null, 2));
  else for (const d of decisions) io.out(`${d.role} ${d.decision} ${d.reason}`);
  if (expect && decisions[0].decision !== expect) {
    io.err(`access: expected ${expect} for ${roleName}, got ${decisions[0].decision}`);
    return EXIT.found;
  }
  return EXIT.ok;
}

const DIFF_HELP = [
  'usage: gitlab-oidc-access diff <before.json> <after.json> [--json]',
  '',
  "Each file is a saved plan's terraform show -json, or aws iam get-account-authorization-details output. Both sides decide the same tokens,",
  "built from both sides' subjects and their adversaries; a role is added, removed, widened (some token newly allowed, none newly refused),",
  'narrowed, changed (both) or same. Prints a markdown table for a merge request comment, or with --json',
  '[{ role, change, newly_allowed: [claims], newly_refused: [claims] }].',
  'Exit 0: nothing added or let in wider; 1: a role added, widened or changed; 2: bad usage or input.',
].join('\n');

async function runDiff(argv: readonly string[], io: Output): Promise<number> {
  const line = readCommandLine(argv, { json: { type: 'boolean' } });
  if (line.help) {
    io.out(DIFF_HELP);
    return EXIT.ok;
  }
  if (line.positionals.length !== 2) throw new UsageError(`give two files, BEFORE and AFTER (got ${line.positionals.length}): gitlab-oidc-access diff before.json after.json`);
  const changes = diffRoles(readTrustSide(line.positionals[0]), readTrustSide(line.positionals[1]));
  io.out(hasFlag(line, 'json') ? JSON.stringify(changes, null, 2) : diffMarkdown(changes));
  return changes.some((c) => c.change === 'added' || c.change === 'widened' || c.change === 'changed') ? EXIT.found : EXIT.ok;
}

/** Runs the command on `argv` (without node and the script), writing to `io`; resolves to its exit code. */
export function run(argv: readonly string[], io: Output): Promise<number> {
  return runCommand('access', io, INPUT_ERRORS, async () => {
    const [mode, ...rest] = argv;
    if (mode === 'audit') return runAudit(rest, io);
    if (mode === 'plan') return runPlan(rest, io);
    if (mode === 'diff') return runDiff(rest, io);
    if (mode === undefined) throw new UsageError('give a file (or a mode and its file): gitlab-oidc-access --help');
    if ((mode === '--help' || mode === '-h') && rest.length === 0) {
      io.out(`${HELP}\n\n${[PLAN_HELP, AUDIT_HELP, DIFF_HELP].map((help) => help.split('\n')[0]).join('\n')}`);
      return EXIT.ok;
    }
    return runPlan(argv, io);
  });
}

if (require.main === module) void run(process.argv.slice(2), CONSOLE).then((code) => (process.exitCode = code));
