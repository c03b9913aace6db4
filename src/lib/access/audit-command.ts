/**
 * `gitlab-oidc-access audit <account-details.json>`: with a token, the decision of every
 * web-identity role of the account; without one, the findings of each role, as JSON, text,
 * SARIF 2.1.0 or GitLab Code Quality.
 */

import * as fs from 'fs';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { EXIT, OptionSpec, Output, UsageError, hasFlag, lastValue, readCommandLine } from '../cli/args';
import { AccountJsonError, AccountRole, readAccountDetails } from './account';
import { AUDIENCE_NOTE, Finding, FindingId, auditRole, decideAccountRole, isGitlabIssuer, issuerUrlOf, issuersOf } from './audit';
import { readJsonFile } from './terraform-show';
import { TOKEN_OPTIONS, TOKEN_USAGE, givesToken, readTokenInput } from './token-input';

const AUDIT_OPTIONS: OptionSpec = { ...TOKEN_OPTIONS, json: { type: 'boolean' }, sarif: { type: 'string' }, codequality: { type: 'string' } };

export const AUDIT_HELP = [
  `usage: gitlab-oidc-access audit <account-details.json> [${TOKEN_USAGE}] [--json] [--sarif <file>] [--codequality <file>]`,
  '',
  'Reads `aws iam get-account-authorization-details` output (whole or --filter Role) and considers every role that lets an IAM OIDC provider',
  "call sts:AssumeRoleWithWebIdentity. With a token: each role's decision, as IAM makes it (--iss needed only where the file trusts several issuers).",
  "Without: each role's findings, each with a witness token the role lets in: no_subject, other_owners, unprotected_branch, never_matches.",
  `Note: ${AUDIENCE_NOTE}.`,
  'Exit 0: nothing to report; 1: a finding; 2: bad usage or input.',
].join('\n');

const RULES: Record<FindingId, string> = {
  no_subject: 'Any project of the GitLab instance can assume the role',
  other_owners: 'A project of another top-level group can assume the role',
  unprotected_branch: 'A job on an unprotected branch the role does not name can assume the role',
  never_matches: 'A trust statement matches no token GitLab can mint',
};

interface RoleReport {
  readonly role: string;
  readonly arn: string;
  readonly issuer: string;
  readonly findings: readonly Finding[];
}

function readAccountFile(file: string): AccountRole[] {
  return readAccountDetails(readJsonFile(file, 'give the output of aws iam get-account-authorization-details', AccountJsonError), file);
}

/** SARIF 2.1.0: one rule per finding id, one result per finding, located at the role. */
export function sarifLog(reports: readonly RoleReport[], file: string): Log {
  const rules: ReportingDescriptor[] = (Object.keys(RULES) as FindingId[]).map((id) => ({ id, shortDescription: { text: RULES[id] } }));
  const results: Result[] = reports.flatMap((r) =>
    r.findings.map((f) => ({
      ruleId: f.id,
      level: f.id === 'never_matches' ? 'warning' : 'error',
      message: { text: `${r.role}: ${f.message}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: file } }, logicalLocations: [{ name: r.role, fullyQualifiedName: r.arn, kind: 'resource' }] }],
      properties: f.witness ? { witness: f.witness } : undefined,
    })),
  );
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      { tool: { driver: { name: 'gitlab-oidc-access', informationUri: 'https://docs.gitlab.com/ci/cloud_services/aws/', rules } }, results, properties: { note: AUDIENCE_NOTE } },
    ],
  };
}

/** GitLab Code Quality: one issue per finding, so that findings show in the merge request widget. */
export function codeQualityReport(reports: readonly RoleReport[], file: string): object[] {
  return reports.flatMap((r) =>
    r.findings.map((f) => ({
      description: `${r.role}: ${f.message}`,
      check_name: f.id,
      fingerprint: `${r.arn}:${f.id}`,
      severity: f.id === 'never_matches' ? 'minor' : 'critical',
      location: { path: file, lines: { begin: 1 } },
    })),
  );
}

export async function runAudit(argv: readonly string[], io: Output): Promise<number> {
  const line = readCommandLine(argv, AUDIT_OPTIONS);
  if (line.help) {
    io.out(AUDIT_HELP);
    return EXIT.ok;
  }
  if (line.positionals.length !== 1)
    throw new UsageError(
      line.positionals.length ? `one file only; also got ${JSON.stringify(line.positionals[1])}` : 'no file given: give the output of aws iam get-account-authorization-details',
    );
  const file = line.positionals[0];
  const roles = readAccountFile(file);
  io.err(`note: ${AUDIENCE_NOTE}`);

  if (givesToken(line)) {
    if (lastValue(line, 'sarif') !== undefined || lastValue(line, 'codequality') !== undefined)
      throw new UsageError('--sarif and --codequality report findings: leave out the token to audit');
    const claims = await readTokenInput(line, io);
    if (claims.aud === undefined) throw new UsageError("give the token's --aud: an account file does not say which audience its providers list");
    const issuers = issuersOf(roles);
    const decisions = roles.map((role) => ({ role: role.name, arn: role.arn, ...decideAccountRole(role, claims, issuers) }));
    if (hasFlag(line, 'json')) io.out(JSON.stringify(decisions, null, 2));
    else for (const d of decisions) io.out(`${d.role} ${d.decision} ${d.reason}`);
    return EXIT.ok;
  }

  const reports: RoleReport[] = roles.map((role) => ({ role: role.name, arn: role.arn, issuer: issuerUrlOf(role.providers[0].host), findings: auditRole(role) }));
  const sarif = lastValue(line, 'sarif');
  if (sarif !== undefined) fs.writeFileSync(sarif, `${JSON.stringify(sarifLog(reports, file), null, 2)}\n`);
  const codequality = lastValue(line, 'codequality');
  if (codequality !== undefined) fs.writeFileSync(codequality, `${JSON.stringify(codeQualityReport(reports, file), null, 2)}\n`);
  if (hasFlag(line, 'json')) io.out(JSON.stringify(reports, null, 2));
  else {
    for (const r of reports) {
      const gitlab = roles.find((role) => role.name === r.role)!.providers.some((p) => isGitlabIssuer(p.host));
      io.out(`${r.role} ${r.issuer} ${r.findings.length ? r.findings.map((f) => f.id).join(', ') : gitlab ? 'no findings' : 'not a GitLab issuer'}`);
      for (const f of r.findings) io.out(`  ${f.id}: ${f.message}${f.witness ? `; let in: ${JSON.stringify(f.witness)}` : ''}`);
    }
  }
  return reports.some((r) => r.findings.length) ? EXIT.found : EXIT.ok;
}
