import * as fs from 'fs';
import * as path from 'path';
import { formatHcl } from '../synth/stack-output';
import { renderHcl } from '../../lib/hcl/render-hcl';
import { ARTICLE_ROLE_SHAPE_VARIABLES, ARTICLE_VARIABLES } from '../config/article-variables';
import { FLEET_VARIABLES } from '../config/fleet-variables';
import { ROLE_ATTRIBUTE_RULES } from '../../lib/guardrails/role-attribute-checks';
import { Validation } from '../../lib/guardrails/rules';

/* A synthesized configuration, as cdktf's JSON. */
type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of another tool's output, read field by field

/** The files an export writes, and only these: `--force` overwrites them and touches nothing else. */
export const EXPORTED_FILES = ['main.tf', 'terraform.tfvars.example', 'README.md'] as const;

/** The configuration without cdktf's `"//"` metadata, at any depth. */
export function withoutMetadata<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutMetadata) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== '//')
        .map(([k, v]) => [k, withoutMetadata(v)]),
    ) as T;
  }
  return value;
}

/**
 * The configuration as a reusable module: no provider configuration or backend (a module
 * that configures providers cannot be used with count or for_each). The stack for a module
 * (`GitlabOidcStack`'s `forModule`) declares no variable that only configures a provider.
 */
export function asModule(config: Config): Config {
  const { provider: _provider, ...rest } = withoutMetadata(config);
  const { backend: _backend, ...terraform } = rest.terraform ?? {};
  return { ...rest, terraform };
}

/** A tfvars text without the assignments of variables the configuration does not declare. */
export function tfvarsFor(config: Config, tfvars: string): string {
  const declared = new Set(Object.keys(config.variable ?? {}));
  return tfvars
    .split('\n')
    .filter((line) => {
      const name = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
      return !name || declared.has(name);
    })
    .join('\n');
}

/** Text for a Markdown table cell: pipes escaped, angle brackets kept visible, one line. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n\s*/g, ' ');
const code = (text: string) => `\`${cell(text)}\``;

/**
 * The message of a check that applies no rule, for the README as it is: such a message says
 * what it asks in plain words. One that interpolates Terraform values is refused here,
 * rather than put into words from its text: give it the rules it applies (`Validation.applies`).
 */
export function plainMessage(variable: string, { errorMessage }: Validation): string {
  if (errorMessage.includes('${')) throw new Error(`The export README cannot show a check of ${variable}: its message interpolates values and it names no rules it applies.`);
  return errorMessage;
}

/**
 * Each variable's validations in words: a rule as what it checks and its fix, any other check
 * as its message (see `plainMessage`). Then the rules the fleet applies at plan to each role of `roles`.
 */
const VALIDATION_WORDS: ReadonlyMap<string, readonly string[]> = new Map(
  [...ARTICLE_VARIABLES, ...ARTICLE_ROLE_SHAPE_VARIABLES, ...FLEET_VARIABLES].map((spec) => [
    spec.name,
    [
      ...spec.validations.flatMap((v) => (v.applies ? v.applies.map(({ label, rule }) => `${label}: ${rule.fix}.`) : [plainMessage(spec.name, v)])),
      ...(spec.name === 'roles' ? ROLE_ATTRIBUTE_RULES.map(({ attribute, rule }) => `a role's ${attribute}: ${rule.fix}.`) : []),
    ],
  ]),
);

/** README.md of an exported folder: what it is, how to use it, its variables and outputs. */
export function readmeFor(config: Config, asModuleFolder: boolean): string {
  const variables = Object.entries(config.variable ?? {}) as [string, Config][];
  const outputs = Object.entries(config.output ?? {}) as [string, Config][];
  const usage = asModuleFolder
    ? [
        'A Terraform module: it configures no provider and no backend, so it can be called with `count` or `for_each`.',
        '',
        '```hcl',
        'module "gitlab_oidc" {',
        '  source = "./path/to/this/folder"',
        '',
        ...variables.filter(([, v]) => !('default' in v)).map(([name]) => `  ${name} = ...`),
        '}',
        '```',
      ]
    : ['A root Terraform configuration. Copy `terraform.tfvars.example` to `terraform.tfvars`, adjust it, then:', '', '```sh', 'terraform init && terraform plan', '```'];
  const variableRows = variables.map(([name, v]) => {
    const validations = (VALIDATION_WORDS.get(name) ?? []).map(cell).join('<br>');
    const fallback = 'default' in v ? code(JSON.stringify(v.default)) : 'required';
    return `| ${code(name)} | ${code(v.type ?? 'any')} | ${fallback} | ${cell(v.description ?? '')} | ${validations} |`;
  });
  const outputRows = outputs.map(([name, o]) => `| ${code(name)} | ${cell(o.description ?? '')} |`);
  return [
    '# GitLab CI/CD → AWS OIDC',
    '',
    'Generated by gitlab-aws-oidc-cdktf (`npm run export`); edit the CDKTF project, not these files.',
    'An IAM OpenID Connect provider for a GitLab instance and the roles GitLab jobs assume with `sts:AssumeRoleWithWebIdentity`.',
    '',
    ...usage,
    '',
    '## Variables',
    '',
    '| Name | Type | Default | Description | Rejected at plan |',
    '|---|---|---|---|---|',
    ...variableRows,
    '',
    '## Outputs',
    '',
    '| Name | Description |',
    '|---|---|',
    ...outputRows,
    '',
  ].join('\n');
}

export class ExportError extends Error {}

/**
 * Writes the folder. Refuses a non-empty folder unless `force`; never deletes a file, and
 * with `force` overwrites only `EXPORTED_FILES`.
 */
export function exportFolder(config: Config, tfvarsExample: string, dir: string, options: { asModule: boolean; force: boolean }): string[] {
  const out = options.asModule ? asModule(config) : withoutMetadata(config);
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new ExportError(`${dir} exists and is not a folder: choose another path.`);
    const present = fs.readdirSync(dir);
    if (present.length > 0 && !options.force) {
      throw new ExportError(
        `${dir} is not empty (${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}): export into an empty folder, ` +
          `or pass --force to overwrite ${EXPORTED_FILES.join(', ')} there (other files are left as they are).`,
      );
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  const contents: Record<(typeof EXPORTED_FILES)[number], string> = {
    'main.tf': formatHcl(renderHcl(out)),
    'terraform.tfvars.example': tfvarsFor(out, tfvarsExample),
    'README.md': readmeFor(out, options.asModule),
  };
  for (const name of EXPORTED_FILES) fs.writeFileSync(path.join(dir, name), contents[name]);
  return EXPORTED_FILES.map((name) => path.join(dir, name));
}
