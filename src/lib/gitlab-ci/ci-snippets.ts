import { RoleCheck, noneFound, refusing } from '../guardrails/check';
import { exactProjectsExpression } from './role-arn-variable';

/**
 * The GitLab side of each role, derived in Terraform from the role map, like the trust
 * policy: a hidden job to `extends:` that requests an ID token with an audience the role
 * trusts and hands it to the AWS CLI and SDKs through AWS_ROLE_ARN and
 * AWS_WEB_IDENTITY_TOKEN_FILE, which they read natively. `npm run ci-snippets` writes the
 * YAML from a plan or state to files.
 */

/** What the CI derivations read, as HCL expressions. */
export interface CiInputs {
  /** The role's entry in the role map (`label`, `trust_claims`, `arn_variable`, `ci_job`). */
  readonly role: string;
  /** The role's name in the map. */
  readonly name: string;
  /** The audiences the OIDC provider lists. */
  readonly providerAudiences: string;
  /** The audience every job requests (it may be null); undefined: each role's first. */
  readonly audience?: string;
  /** Where that audience is set, for the fix (plain text). */
  readonly audienceInput: string;
}

/** The audiences a role's token may carry: those its trust names, else any the provider lists. */
const acceptedAudiences = (i: CiInputs) => `coalescelist(${i.role}.audiences, ${i.providerAudiences})`;

/** HCL expression of the audience a role's jobs request. */
export const jobAudienceExpression = (i: CiInputs): string =>
  i.audience === undefined ? `${acceptedAudiences(i)}[0]` : `(\n${i.audience} == null\n? ${acceptedAudiences(i)}[0]\n: ${i.audience}\n)`;

/** HCL expression: the projects a role's subjects name without wildcards, whose jobs need its CI/CD variable. */
export const ciProjectsExpression = (role: string): string => exactProjectsExpression(`${role}.subjects`);

/**
 * Checks that make a role's snippet usable: a job audience the role accepts, and a CI/CD
 * variable and hidden job no other role of the map takes. `owners` maps each variable and
 * job name to the roles that take it (see `ciOwnersExpression`).
 */
export function ciChecks(i: CiInputs, owners: { readonly variables: string; readonly jobs: string }): RoleCheck[] {
  const who = `\${${i.role}.label}`;
  const others = (map: string, key: string) => `[for other in ${map}[${key}] : other if other != ${i.name}]`;
  const audience: RoleCheck[] =
    i.audience === undefined
      ? []
      : [
          refusing(
            'accepted',
            acceptedAudiences(i),
            // Terraform 1.11's && evaluates both sides: contains() must not see a null audience.
            `${i.audience} == null ? false : !contains(accepted, ${i.audience})`,
            `GitLab jobs would request aud \${jsonencode(${i.audience})} (${i.audienceInput}), but ${who} accepts \${jsonencode(accepted)}. ` +
              `AWS would refuse every job with "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience". ` +
              `Set ${i.audienceInput} to an audience the role trusts, or add it to the role's audiences and to the provider's.`,
          ),
        ];
  return [
    ...audience,
    noneFound(
      others(owners.variables, `${i.role}.arn_variable`),
      `${who} keeps its ARN in the CI/CD variable \${${i.role}.arn_variable}, and so does \${jsonencode(found)}: their jobs could not tell the roles apart. Rename one of the roles.`,
    ),
    noneFound(others(owners.jobs, `${i.role}.ci_job`), `${who} has the hidden job \${${i.role}.ci_job}, and so does \${jsonencode(found)}. Rename one of the roles.`),
  ];
}

/** HCL expression of the map from each value of the role map's `field` to the roles that take it. */
export const ciOwnersExpression = (roles: string, field: 'arn_variable' | 'ci_job'): string => `{ for name, role in ${roles} : role.${field} => name... }`;

/** Writes the job's ID token where the AWS CLI and SDKs read it, readable by the job's user alone. */
export const WRITE_TOKEN = `(umask 077 && printf '%s' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE")`;

/**
 * Where the AWS CLI is at hand and STS refuses the token, prints the claims the role tests as
 * the token carries them (never the token), beside what the role lets in, and fails the job.
 * `@CLAIMS@` stands for the claim names; plain POSIX sh, with no `${` for Terraform to read.
 */
export const PREFLIGHT = [
  'if command -v aws >/dev/null 2>&1 && ! aws sts get-caller-identity >/dev/null 2>&1; then',
  '  echo "AssumeRoleWithWebIdentity failed for $AWS_ROLE_ARN. The claims the role tests, as this job\'s token carries them:"',
  "  p=$(printf '%s' \"$AWS_ID_TOKEN\" | cut -d. -f2 | tr '_-' '/+'); n=$(printf '%s' \"$p\" | wc -c)",
  '  case $((n % 4)) in 2) p="$p==" ;; 3) p="$p=" ;; esac',
  '  claims=$(printf \'%s\' "$p" | base64 -d 2>/dev/null)',
  '  for c in @CLAIMS@; do echo "  $c: $(printf \'%s\' "$claims" | grep -o "\\"$c\\":\\"[^\\"]*\\"" | cut -d\'"\' -f4)"; done',
  '  echo "The role lets in (a value listed for each claim): $AWS_OIDC_TRUST_CLAIMS"',
  '  exit 1',
  'fi',
].join('\n');

/**
 * HCL expression of a role's snippet: comments that say where it comes from and what it
 * needs, then the hidden job as YAML.
 *
 * @param audience HCL expression of the audience its jobs request
 * @param projects HCL expression of the projects its subjects name (see `ciProjectsExpression`)
 * @param region HCL expression of the region the AWS CLI uses, or undefined for none
 * @param protectedOnly HCL boolean: whether the role trusts protected refs only
 */
export function ciSnippetExpression(role: string, audience: string, projects: string, region: string | undefined, protectedOnly: string): string {
  const header = [
    `"# Generated by gitlab-aws-oidc-cdktf for \${${role}.label}; write it again with npm run ci-snippets, do not edit."`,
    `"# Jobs that extend \${${role}.ci_job} assume the role with an ID token for aud \${${audience}}."`,
    `format(\n"# Needs the CI/CD variable %s = the role's ARN%s%s.",\n${role}.arn_variable,\n` +
      `length(${projects}) > 0 ? " in \${join(", ", ${projects})}" : "",\n` +
      `${protectedOnly} ? " (protected: the role trusts protected refs only)" : "",\n)`,
    `"# A job with its own before_script must add: !reference [\${${role}.ci_job}, before_script]"`,
  ];
  const variables =
    `{\nAWS_ROLE_ARN = format("$%s", ${role}.arn_variable)\nAWS_WEB_IDENTITY_TOKEN_FILE = "/tmp/aws-web-identity-token-$CI_JOB_ID"\n` +
    `AWS_ROLE_SESSION_NAME = "gitlab-$CI_PROJECT_ID-$CI_JOB_ID"\nAWS_OIDC_TRUST_CLAIMS = jsonencode(${role}.trust_claims)\n}`;
  // One shell line per line of HCL, for a reader of the generated Terraform.
  const preflight = `join("\\n", [\n${PREFLIGHT.split('\n')
    .map((line) => `${JSON.stringify(line).replace('@CLAIMS@', `\${join(" ", keys(${role}.trust_claims))}`)},\n`)
    .join('')}])`;
  const job =
    `{\nid_tokens = { AWS_ID_TOKEN = { aud = ${audience} } }\n` +
    `variables = ${region === undefined ? variables : `merge(${variables}, ${region} == null ? {} : { AWS_DEFAULT_REGION = ${region} })`}\n` +
    `before_script = [${JSON.stringify(WRITE_TOKEN)}, ${preflight}]\n}`;
  return `join("\\n", [\n${header.join(',\n')},\nyamlencode({ (${role}.ci_job) = ${job} }),\n])`;
}
