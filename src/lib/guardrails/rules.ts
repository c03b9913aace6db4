/**
 * Every guardrail of the project, in one place.
 *
 * Messages quote with single quotes, so they read the same in JSON and HCL, unescaped.
 *
 * A rule is written once, as a `Check` (data), and applied wherever that kind of value
 * is accepted. From the check come the Terraform predicate, for `variable` validations
 * and resource preconditions, so the synthesized configuration guards its inputs even
 * when it runs without cdktf; and the same test in TypeScript, for a literal value at synth.
 *
 * Regular expressions avoid backslashes on purpose: they pass through JSON, HCL
 * and TypeScript string escaping unchanged.
 */

import { INLINE_WIDTH, enclosed, textExpression, textTemplate } from '../hcl/text';
import { Check, failsHcl, holds, toHcl } from './check';
import { IAM_QUOTAS } from './quotas';
import {
  DEFAULT_SUB_COMPONENTS,
  LEADING_COMPONENTS,
  SUB_COMPONENT_NAMES,
  SUB_COMPONENTS_LIST,
  SUB_FORMAT,
  SUB_GRAMMAR,
  SUB_KNOWN_NAMES,
  SUB_LEAD,
  SUB_NON_NUMERIC_PROJECT_ID,
} from '../trust/sub-claim';

/** A check on one value, with the fix a user needs to read. */
export interface ValueRule {
  /** The test, as data. */
  readonly check: Check;
  /** HCL boolean expression that is true when the value (an HCL expression) is acceptable. */
  readonly accepts: (value: string) => string;
  /** HCL boolean expression that is true when the value is refused: `accepts` negated, with no double negation. */
  readonly rejects: (value: string) => string;
  /** Whether a literal value is acceptable, by the same test. */
  readonly test: (value: unknown) => boolean;
  /** What an acceptable value looks like, phrased as the fix. */
  readonly fix: string;
}

/** A rule from its check and its fix. */
export const rule = (check: Check, fix: string): ValueRule => ({
  check,
  fix,
  accepts: (v) => toHcl(check, v),
  rejects: (v) => failsHcl(check, v),
  test: (value) => holds(check, value),
});

/** IAM's wildcards in condition values: `*` and `?`. */
const WILDCARDS = ['*', '?'];
const WILDCARD: Check = { containsAny: WILDCARDS };

/** True when the HCL value contains an IAM wildcard (`*` or `?`). */
export const hasWildcard = (value: string): string => toHcl(WILDCARD, value);

/** The same test on a value known at synth. */
export const holdsWildcard = (value: string): boolean => holds(WILDCARD, value);

/** `https://host` or `https://host/path`, no port, query, fragment or credentials. */
export const ISSUER_URL: ValueRule = rule(
  { matches: '^https://[A-Za-z0-9.-]+[.][A-Za-z]{2,}(/[A-Za-z0-9._~-]+)*/?$' },
  "use the issuer URL of your GitLab instance as https://<host>, for example 'https://gitlab.com' (https, no port, query or fragment)",
);

export const AWS_REGION: ValueRule = rule({ matches: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$' }, "use an AWS region code such as 'ap-south-1' or 'eu-west-1'");

export const AUDIENCE: ValueRule = rule(
  { allOf: [{ notBlank: true }, { containsNone: WILDCARDS }] },
  "use the audience your jobs request in id_tokens (usually the GitLab URL, e.g. 'https://gitlab.com'); it is an exact client ID, so no wildcards",
);

export const CLAIM_NAME: ValueRule = rule(
  { matches: '^[a-z][a-z_]*$' },
  "use the name of a GitLab ID token claim such as 'sub' or 'aud' (lower case, no issuer prefix: the stack adds the issuer host)",
);

export const NOT_EMPTY_VALUE: ValueRule = rule({ notBlank: true }, 'remove empty strings: an empty value never matches a token');

/**
 * A claim value whose leading wildcard, or a wildcard before the first `/` of the
 * project path, matches projects of other owners on the same instance.
 */
export const NOT_OPEN_TO_OTHER_OWNERS: ValueRule = rule(
  { notMatches: '^[*?]|^project_path:[^/]*[*?]' },
  "name the top-level group literally, e.g. 'project_path:mygroup/myproject:ref_type:branch:ref:main' or 'project_path:mygroup/*:ref_type:tag:ref:*'; a wildcard before the first '/' lets projects of other owners assume the role",
);

/** `repo:org/name:...` is GitHub's subject format; a GitLab token never carries it. */
export const NOT_GITHUB_SUBJECT: ValueRule = rule(
  { notStartsWith: 'repo:' },
  "this is the subject format of GitHub Actions ('repo:...'), which a GitLab token never matches; use 'project_path:<group>/<project>:ref_type:branch:ref:<branch>'",
);

/**
 * A ref written as a Git ref path. GitLab's `ref` claim, and the ref in `sub`, is the bare
 * branch or tag name (`main`, `v1.2`), so `ref:refs/heads/main` never matches a token.
 */
export const NOT_GIT_REF_PATH: ValueRule = rule(
  { containsNone: [':ref:refs/heads/', ':ref:refs/tags/'] },
  "GitLab's ref is the bare branch or tag name: write ':ref:main', not ':ref:refs/heads/main' (that is GitHub's form, and no GitLab token carries it)",
);

/** A `sub` value whose first component is not the project (`project_path` or `project_id`). */
export const SUB_LEADS_WITH_PROJECT: ValueRule = rule(
  { matches: SUB_LEAD },
  `a GitLab sub starts with the project: ${LEADING_COMPONENTS.map((c) => `'${c}:...'`).join(' or ')}, the first of the project's ci_id_token_sub_claim_components`,
);

/** A `sub` value with a component GitLab never puts in `sub`, such as `pipeline_source`. */
export const SUB_COMPONENTS_ONLY: ValueRule = rule(
  { matches: SUB_KNOWN_NAMES },
  `GitLab builds sub only from ${SUB_COMPONENT_NAMES.join(', ')}, each as '<name>:<value>'; ` +
    'other claims (pipeline_source, environment, user_login, ...) are never in sub: on gitlab.com check them in claims, elsewhere AWS sees only sub and aud',
);

/** A `project_id` that is not a number: `project_id:*` lets in every project of the instance. */
export const SUB_NUMERIC_PROJECT_ID: ValueRule = rule(
  { notMatches: SUB_NON_NUMERIC_PROJECT_ID },
  "project_id takes the project's number, e.g. 'project_id:4242', with no wildcard: 'project_id:*' would let in every project of the instance",
);

/**
 * GitLab's `sub`, as the project's components make it (see `src/lib/trust/sub-claim.ts`): the project
 * first, then any components with values of their kind; the top-level group and `ref_type` literal;
 * the ref bare (`main`, never `refs/heads/main`).
 */
export const GITLAB_SUBJECT: ValueRule = rule(
  { allOf: [{ matches: SUB_GRAMMAR }, NOT_GIT_REF_PATH.check] },
  `write subjects as GitLab builds them: ${SUB_FORMAT} (default 'project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>'); ` +
    'wildcards only after the top-level group, in the ref, or as the whole value of ref_protected, environment_protected or deployment_tier',
);

/**
 * The rules of a `sub` value, most specific first: a refused value is told the first it breaks.
 * `GITLAB_SUBJECT` alone decides; the others only name what is wrong.
 */
export const SUBJECT_RULES: readonly ValueRule[] = [
  NOT_GITHUB_SUBJECT,
  NOT_OPEN_TO_OTHER_OWNERS,
  SUB_LEADS_WITH_PROJECT,
  SUB_COMPONENTS_ONLY,
  SUB_NUMERIC_PROJECT_ID,
  NOT_GIT_REF_PATH,
  GITLAB_SUBJECT,
];

/** The fix for a refused `sub` value: that of the first rule it breaks, or undefined when it is accepted. */
export const subjectProblem = (value: string): string | undefined => (GITLAB_SUBJECT.test(value) ? undefined : SUBJECT_RULES.find((r) => !r.test(value))!.fix);

/** HCL: the fix for the `sub` value `v` that `GITLAB_SUBJECT` refuses, from the first rule it breaks (the same order). */
export const subjectProblemHcl = (v: string): string => firstFixHcl(SUBJECT_RULES, v);

/** HCL: true when the value `v` breaks any of `rules` (one per line when they are long). */
export function breaksAny(rules: readonly ValueRule[], v: string): string {
  const tests = rules.map((r) => r.rejects(v));
  return tests.join(' || ').length <= 100 ? tests.join(' || ') : `(\n${tests.join(' ||\n')}\n)`;
}

/** HCL: the fix of the first of `rules` that the value `v` breaks, else that of the last (so ask only of a refused value). */
export function firstFixHcl(rules: readonly ValueRule[], v: string): string {
  const last = rules[rules.length - 1];
  return `(\n${rules.slice(0, -1).reduceRight((otherwise, r) => `${r.rejects(v)}\n? ${textExpression(r.fix)}\n: ${otherwise}`, textExpression(last.fix))}\n)`;
}

/** A components list (`ci_id_token_sub_claim_components`), joined with ','. */
export const SUB_COMPONENTS_LIST_RULE: ValueRule = rule(
  { matches: SUB_COMPONENTS_LIST },
  `list ci_id_token_sub_claim_components as GitLab takes them: ${LEADING_COMPONENTS.join(' or ')} first, then any of ${SUB_COMPONENT_NAMES.filter((c) => !LEADING_COMPONENTS.includes(c)).join(', ')} (default ${DEFAULT_SUB_COMPONENTS.join(', ')})`,
);

/** `arn:<partition>:iam::<account|aws>:policy/<path/name>` */
export const MANAGED_POLICY_ARN: ValueRule = rule(
  { matches: '^arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$' },
  "use IAM managed policy ARNs, e.g. 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' or 'arn:aws:iam::123456789012:policy/deploy'",
);

/** Policy ARN as a role's permissions boundary: same shape as a managed policy ARN; unset is fine. */
export const PERMISSIONS_BOUNDARY: ValueRule = rule({ nullOr: MANAGED_POLICY_ARN.check }, MANAGED_POLICY_ARN.fix);

/** IAM role names: 1–64 characters of letters, digits and `+=,.@_-`. */
export const ROLE_NAME: ValueRule = rule(
  { allOf: [{ atMost: IAM_QUOTAS.roleNameLength.max }, { matches: '^[A-Za-z0-9_+=,.@-]+$' }] },
  'use 1 to 64 letters, digits or the characters + = , . @ _ - (the IAM role name quota)',
);

/** IAM role paths: `/` or `/a/b/`, printable ASCII, at most 512 characters. */
export const ROLE_PATH: ValueRule = rule(
  { allOf: [{ atMost: IAM_QUOTAS.rolePathLength.max }, { matches: '^/([!-~]+/)?$' }] },
  "use '/' or a path such as '/gitlab-ci/' that starts and ends with '/', at most 512 characters",
);

/** `name_prefix`: AWS appends a 26-character suffix, so at most 38 characters of the role name's set. */
export const ROLE_NAME_PREFIX: ValueRule = rule(
  { allOf: [{ atMost: IAM_QUOTAS.roleNameLength.max - 26 }, { matches: '^[A-Za-z0-9_+=,.@-]+$' }] },
  `use 1 to ${IAM_QUOTAS.roleNameLength.max - 26} letters, digits or the characters + = , . @ _ - (AWS appends 26 characters to reach the 64 of a role name)`,
);

/** IAM role descriptions: at most 1,000 characters of printable ASCII and Latin-1 (IAM also takes tabs and line breaks; this keeps to one line). */
export const ROLE_DESCRIPTION: ValueRule = rule(
  { nullOr: { allOf: [{ atMost: 1000 }, { matches: '^[ -~¡-ÿ]*$' }] } },
  'use at most 1000 characters of printable text on one line for a role description',
);

/** IAM tags: at most 50, keys of 1 to 128 characters, values of at most 256. */
export const ROLE_TAGS: ValueRule = rule(
  { tags: { most: 50, keyLength: 128, valueLength: 256, reservedPrefix: 'aws:' } },
  "use at most 50 tags, with keys of 1 to 128 characters that do not start with 'aws:' and values of at most 256",
);

export const SESSION_DURATION: ValueRule = rule(
  { between: [IAM_QUOTAS.sessionDuration.min, IAM_QUOTAS.sessionDuration.max] },
  'use 3600 to 43200 seconds (1 to 12 hours), the range IAM accepts for max_session_duration',
);

const within = (min: number, max: number, what: string): ValueRule => rule({ between: [min, max] }, `use ${min} to ${max}: ${what}`);

export const QUOTA_TRUST_POLICY_LENGTH: ValueRule = within(
  1,
  IAM_QUOTAS.trustPolicyLength.max,
  `IAM's role trust policy length quota (default ${IAM_QUOTAS.trustPolicyLength.default})`,
);

export const QUOTA_MANAGED_POLICIES: ValueRule = within(
  1,
  IAM_QUOTAS.managedPoliciesPerRole.max,
  `IAM's managed policies per role quota (default ${IAM_QUOTAS.managedPoliciesPerRole.default})`,
);

/** GitLab CI/CD variable keys: letters, digits and `_`, at most 255 characters. */
export const CI_VARIABLE_NAME: ValueRule = rule(
  { allOf: [{ atMost: 255 }, { matches: '^[A-Za-z0-9_]+$' }] },
  "use at most 255 letters, digits or '_' (GitLab's rule for CI/CD variable keys), e.g. 'ROLE_ARN_DEPLOY'",
);

/** A hidden job: its name starts with a dot, so GitLab runs it only through `extends:`. */
export const CI_HIDDEN_JOB: ValueRule = rule(
  { allOf: [{ atMost: 255 }, { matches: '^[.][A-Za-z0-9_.-]+$' }] },
  "start the name with '.' so that it is a hidden job, then letters, digits, '_', '.' or '-', e.g. '.aws-oidc-deploy'",
);

export const INLINE_POLICY_NAME: ValueRule = rule(
  { allOf: [{ atMost: 128 }, { matches: '^[A-Za-z0-9_+=,.@-]+$' }] },
  'use 1 to 128 letters, digits or the characters + = , . @ _ - for inline policy names',
);

export const JSON_DOCUMENT: ValueRule = rule(
  { json: true },
  'give each inline policy as a JSON document in a string: in tfvars, the JSON between <<-EOT and EOT lines (functions such as jsonencode cannot be called there); in TypeScript, JSON.stringify({ Version: ..., Statement: [...] })',
);

export const OIDC_PROVIDER_ARN: ValueRule = rule(
  { nullOr: { matches: '^arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:iam::[0-9]{12}:oidc-provider/.+$' } },
  "use the ARN of an IAM OIDC provider, e.g. 'arn:aws:iam::123456789012:oidc-provider/gitlab.com', or leave it null to create one",
);

/**
 * Claims that AWS accepts as condition keys of `sts:AssumeRoleWithWebIdentity` for the
 * gitlab.com issuer, besides `sub` and `aud` (AWS service authorization reference).
 */
export const GITLAB_COM_EXTRA_CLAIMS = [
  'project_id',
  'namespace_id',
  'ref_protected',
  'pipeline_source',
  'runner_environment',
  'user_id',
  'user_login',
  'user_email',
  'user_access_level',
] as const;

export const GITLAB_COM_CLAIM: ValueRule = rule(
  { oneOf: GITLAB_COM_EXTRA_CLAIMS },
  `use claims AWS can check for gitlab.com: ${GITLAB_COM_EXTRA_CLAIMS.join(', ')} (sub and aud have their own attributes)`,
);

/**
 * A claim value that starts with a wildcard: `*` alone lets in every value of the claim, as if
 * it were not checked, and `*x` or `?x` values no one listed.
 */
export const CLAIM_VALUE_LITERAL_START: ValueRule = rule(
  { notMatches: '^[*?]' },
  "start the value literally, e.g. 'true' or '4242': a leading '*' or '?' lets in values of the claim that no one listed ('*' alone, every value)",
);

/** The rules of a value of a claim other than sub and aud (those have their own): the gitlab.com claims AWS checks. */
export const CLAIM_VALUE_RULES: readonly ValueRule[] = [NOT_EMPTY_VALUE, CLAIM_VALUE_LITERAL_START];

/** Terraform `validation` block content for a variable. */
export interface Validation {
  readonly condition: string;
  readonly errorMessage: string;
  /**
   * The rules it applies, to what (the HCL expression checked, or whose elements are) and how
   * its message names that (`label`). Not written to the output.
   */
  readonly applies?: readonly { readonly rule: ValueRule; readonly to: string; readonly label: string }[];
}

/** The validation as written into the output: a long message joined from parts, one per line (see `textTemplate`). */
export const readable = (v: Validation): Validation => ({ condition: v.condition, errorMessage: textTemplate(v.errorMessage) });

/**
 * HCL: true when no element that the `for` clause (e.g. `for v in var.x`) yields `fails` (an
 * HCL boolean over it). Not `alltrue([...])`: Terraform 1.11 converts that tuple to a list at
 * a cost that grows with the square of its length. Measured with `terraform console`, one
 * `alltrue` took 13 ms of CPU more than counting the same elements over 1,000 of them, 40 ms
 * over 2,000 and 375 ms over 5,000; and every validation of `roles` holds one, over the roles.
 */
export const noneFails = (forClause: string, fails: string): string => `${enclosed('length([', `${forClause} : true if ${fails}`, '])')} == 0`;

/**
 * HCL: the list `expression`, or an empty list where it is null. Not `(x == null ? [] : x)`:
 * after `for v in`, terraform fmt writes that as `in(`, and without the parentheses the
 * conditional's `:` reads like the `for`'s own.
 */
export const listOrEmpty = (expression: string): string => `coalesce(${expression}, [])`;

/** HCL: `test` of the value `expression`, which passes where the value is null. A conditional, not ||: Terraform evaluates both sides. */
const nullPasses = (expression: string, test: string): string => {
  const head = `${expression} == null ? true : `;
  // A conditional binds last: the test needs parentheses only to run over lines.
  return head.length + test.length <= INLINE_WIDTH && !test.includes('\n') ? `${head}${test}` : `${head}${enclosed('(', test, ')')}`;
};

/**
 * A validation that applies `rule` to the value of the HCL `expression`, which messages call
 * `label`. A `nullable` value that is null passes.
 */
export function validateExpression(label: string, expression: string, rule: ValueRule, { nullable = false } = {}): Validation {
  const accepted = rule.accepts(expression);
  return {
    condition: `\${${nullable ? nullPasses(expression, accepted) : accepted}}`,
    errorMessage: `Invalid ${label} \${jsonencode(${expression})}: ${rule.fix}.`,
    applies: [{ rule, to: expression, label }],
  };
}

/** A validation that applies `rule` to a single-valued variable (string, number). */
export const validateValue = (variable: string, rule: ValueRule, options: { nullable?: boolean } = {}): Validation =>
  validateExpression(variable, `var.${variable}`, rule, options);

/**
 * A validation that applies `rule` to every element of the HCL list `expression`, naming the
 * rejected elements. A `nullable` list that is null has no elements, so it passes.
 */
export function validateElements(label: string, expression: string, rule: ValueRule, { nullable = false } = {}): Validation {
  const ref = nullable ? listOrEmpty(expression) : expression;
  return {
    condition: `\${${noneFails(`for v in ${ref}`, rule.rejects('v'))}}`,
    errorMessage: `Invalid ${label} value(s) \${jsonencode(${enclosed('[', `for v in ${ref} : v if ${rule.rejects('v')}`, ']')})}: ${rule.fix}.`,
    applies: [{ rule, to: expression, label }],
  };
}

/** `validateElements` for a `list(string)` variable. */
export const validateEach = (variable: string, rule: ValueRule, options: { nullable?: boolean } = {}): Validation => validateElements(variable, `var.${variable}`, rule, options);

/** A validation of the names of a map variable of roles (its keys), listing the refused ones. */
export function validateRoleNames(variable: string, rule: ValueRule): Validation {
  const names = `keys(var.${variable})`;
  return {
    condition: `\${${noneFails(`for name in ${names}`, rule.rejects('name'))}}`,
    errorMessage: `Invalid role names in ${variable} \${jsonencode([for name in ${names} : name if ${rule.rejects('name')}])}: ${rule.fix}.`,
    applies: [{ rule, to: names, label: `role names in ${variable}` }],
  };
}

/** A validation that rejects an empty `list(string)` variable; a `nullable` one that is null passes. */
export function validateNotEmpty(variable: string, why: string, { nullable = false } = {}): Validation {
  const notEmpty = `length(var.${variable}) > 0`;
  return {
    condition: `\${${nullable ? nullPasses(`var.${variable}`, notEmpty) : notEmpty}}`,
    errorMessage: `${variable} is empty: ${why}.`,
  };
}
