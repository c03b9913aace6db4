/**
 * Reads the OIDC providers and the roles of a configuration from `terraform show -json`,
 * of a saved plan or of state, for access decisions.
 *
 * A role's trust is its `assume_role_policy` where that is known. In a plan that creates
 * the provider, the policy waits for the provider's ARN; its `Condition` block is read from
 * an output that maps role names to such blocks (the app's `trust_conditions`), under the
 * one statement this project writes for every role: Allow `sts:AssumeRoleWithWebIdentity`
 * to the provider whose issuer prefixes the block's keys.
 */

import * as fs from 'fs';
import { ASSUME_ROLE_WITH_WEB_IDENTITY } from './decide';
import { PolicyReadError } from './errors';
import { GitlabClaims, ProviderView, decideTokenAmong } from './gitlab-token';
import { Statement, readConditionBlock, readPolicy } from './policy';
import { issuerHostOf } from '../trust/trust-policy';

/** A file that is not the JSON `terraform show -json` prints, or lacks what a decision needs. */
export class TerraformJsonError extends Error {}

const SHOW_JSON = 'give the output of terraform show -json <plan file> (or of state)';

/**
 * The JSON of a file, read for a command: a file that cannot be read or parsed is named, with
 * the line of a syntax error, and `fix` (what to give instead), as an error of `kind`.
 */
export function readJsonFile(file: string, fix: string, kind: new (message: string) => Error = TerraformJsonError): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new kind(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error}): ${fix}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? '' : ` (line ${text.slice(0, Number(position)).split('\n').length})`;
    throw new kind(`${file} is not JSON${line}: ${fix}`);
  }
}

/** The JSON of a `terraform show -json` file (see `readJsonFile`). */
export const readTerraformJson = (file: string): unknown => readJsonFile(file, SHOW_JSON);

/** The values of a `terraform show -json` document: planned for a plan, current for a state. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of another tool's output, read field by field
export function showValues(json: unknown): Record<string, any> {
  const doc = json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of another tool's output, read field by field
  if (typeof doc !== 'object' || doc === null || typeof doc.format_version !== 'string') {
    throw new TerraformJsonError('not the output of terraform show -json (no format_version)');
  }
  const values = doc.planned_values ?? doc.values;
  if (!values) throw new TerraformJsonError('the file holds no planned_values or values: show a saved plan or a state that has resources');
  return values;
}

export interface ReviewedRole {
  /** The key in `roles`, or the resource name for an unindexed role (`gitlab_ci`). */
  readonly name: string;
  readonly address: string;
  readonly statements: readonly Statement[];
  /** Where the trust was read: the role's policy, or an output that maps role names to their `Condition` block. */
  readonly source: 'assume_role_policy' | 'output';
}

/** An OIDC provider that roles of the file trust. */
export interface ReviewedProvider extends ProviderView {
  /** The address of its resource, where the file holds it; undefined for a provider made elsewhere. */
  readonly address?: string;
  /** Whether this plan creates it, so that its ARN is not known yet. */
  readonly pending: boolean;
}

export interface ReviewedConfiguration {
  /** Every OIDC provider of the file, and every one its roles' known policies trust: a token's issuer picks one (see `providerForIssuer`). */
  readonly providers: readonly ReviewedProvider[];
  /** The audience of `mygitlab_aud_value` in a plan, or the only provider's first, for a default `--aud`. */
  readonly defaultAudience?: string;
  readonly roles: readonly ReviewedRole[];
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of another tool's output, read field by field

interface Resource {
  address: string;
  mode: string;
  type: string;
  name: string;
  index?: string | number;
  values: Json;
}

function resourcesOf(module: Json | undefined): Resource[] {
  if (!module) return [];
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(resourcesOf)];
}

/** The placeholder ARN of a provider this plan creates; the roles that wait for it trust it. */
const pendingArn = (address: string) => `(${address}.arn, known after apply)`;

/** The issuer host of an OIDC provider's ARN: what follows `oidc-provider/`. */
const issuerHostOfArn = (arn: string) => arn.replace(/^.*:oidc-provider\//, '');

function readableStatements(policy: string): readonly Statement[] {
  try {
    return readPolicy(policy);
  } catch (error) {
    if (error instanceof PolicyReadError) return [];
    throw error;
  }
}

/** The OIDC providers that the roles' known trust policies name as their federated principal. */
function trustedProviderArns(resources: readonly Resource[]): string[] {
  const arns = resources
    .filter((r) => r.type === 'aws_iam_role' && typeof r.values.assume_role_policy === 'string')
    // A policy this reader cannot read is reported with its role's address below, not here.
    .flatMap((r) => readableStatements(r.values.assume_role_policy).flatMap((statement) => (statement.federated === '*' ? [] : statement.federated)))
    .filter((arn) => /:oidc-provider\//.test(arn));
  return [...new Set(arns)];
}

/**
 * The `Condition` blocks of roles whose policy waits for a provider's ARN: from the outputs
 * whose value maps role names to such blocks (the app's `trust_conditions`), by role name.
 */
function outputConditions(outputs: Json, names: readonly string[]): Map<string, { output: string; block: unknown }> {
  const found = new Map<string, { output: string; block: unknown }>();
  for (const [output, { value }] of Object.entries(outputs as Record<string, { value?: unknown }>)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    for (const name of names) {
      const block = (value as Record<string, unknown>)[name];
      const isConditionBlock = typeof block === 'object' && block !== null && Object.keys(block).some((op) => /^(ForAnyValue:|ForAllValues:)?String/.test(op));
      if (isConditionBlock && !found.has(name)) found.set(name, { output, block });
    }
  }
  return found;
}

export function readTerraformShow(json: unknown): ReviewedConfiguration {
  const doc = json as Json;
  const values: Json = showValues(json);
  const resources = resourcesOf(values.root_module).filter((r) => r.mode === 'managed');
  const outputs: Json = values.outputs ?? {};

  // A provider the plan does not create (existing_provider_arn) lists, as the app requires,
  // mygitlab_aud_value and additional_audiences: the audiences its roles are checked against.
  const declared = [doc.variables?.mygitlab_aud_value?.value, ...(doc.variables?.additional_audiences?.value ?? [])].filter((a): a is string => typeof a === 'string');
  const declaredAudiences = declared.length ? [...new Set(declared)] : undefined;
  const managed: ReviewedProvider[] = resources
    .filter((r) => r.type === 'aws_iam_openid_connect_provider')
    .map((r) => ({
      address: r.address,
      arn: r.values.arn ?? pendingArn(r.address),
      pending: typeof r.values.arn !== 'string',
      issuerHost: issuerHostOf(String(r.values.url ?? '')),
      audiences: r.values.client_id_list,
    }));
  const appArn: unknown = outputs.oidc_provider_arn?.value;
  const elsewhere: ReviewedProvider[] = [...new Set([...(typeof appArn === 'string' ? [appArn] : []), ...trustedProviderArns(resources)])]
    .filter((arn) => !managed.some((p) => p.arn === arn))
    .map((arn) => ({ arn, pending: false, issuerHost: issuerHostOfArn(arn), audiences: managed.length === 0 ? declaredAudiences : undefined }));
  const providers = [...managed, ...elsewhere];
  if (providers.length === 0) {
    throw new TerraformJsonError('the file holds no aws_iam_openid_connect_provider, no oidc_provider_arn output, and no role whose known trust policy names an OIDC provider');
  }

  const roleResources = resources.filter((r) => r.type === 'aws_iam_role');
  const nameOf = (r: Resource) => (typeof r.index === 'string' ? r.index : r.name);
  const waiting = roleResources.filter((r) => typeof r.values.assume_role_policy !== 'string').map(nameOf);
  const conditions = outputConditions(outputs, waiting);
  const pending = managed.filter((p) => p.pending);
  const roles = roleResources.map((r): ReviewedRole => {
    const name = nameOf(r);
    try {
      if (typeof r.values.assume_role_policy === 'string') {
        return { name, address: r.address, statements: readPolicy(r.values.assume_role_policy), source: 'assume_role_policy' };
      }
      const found = conditions.get(name);
      if (found) {
        const read = readConditionBlock(found.block, `${found.output}["${name}"]`);
        // The provider it waits for: the pending one whose issuer prefixes its condition keys.
        const hosts = new Set(read.map((c) => c.key.replace(/:[^:]*$/, '').toLowerCase()));
        const trusted = pending.filter((p) => hosts.has(p.issuerHost.toLowerCase()));
        if (trusted.length !== 1) {
          throw new TerraformJsonError(
            `${r.address}: its trust policy waits for a provider's ARN, and its conditions in output ${found.output} name no one provider this plan creates`,
          );
        }
        const statement: Statement = {
          label: found.output,
          effect: 'Allow',
          actions: [ASSUME_ROLE_WITH_WEB_IDENTITY],
          notAction: false,
          federated: [trusted[0].arn],
          conditions: read,
        };
        return { name, address: r.address, statements: [statement], source: 'output' };
      }
    } catch (error) {
      if (error instanceof PolicyReadError) throw new PolicyReadError(`${r.address}: ${error.message}`);
      throw error;
    }
    throw new TerraformJsonError(
      `${r.address}: its trust policy is not known in this file (it waits for the provider's ARN), and no output maps its name to its Condition block: ` +
        "plan with the provider existing, or add an output of the provider's trust conditions (the app's trust_conditions)",
    );
  });

  const defaultAudience: string | undefined = doc.variables?.mygitlab_aud_value?.value ?? (providers.length === 1 ? providers[0].audiences?.[0] : undefined);
  return { providers, defaultAudience, roles };
}

/** The names of the roles of a configuration that let the token in, sorted: its `iss` picks the provider (see `decideTokenAmong`). */
export function rolesLettingIn(configuration: ReviewedConfiguration, claims: GitlabClaims): string[] {
  return configuration.roles
    .filter((role) => decideTokenAmong(configuration.providers, claims, role.statements).decision === 'allow')
    .map((role) => role.name)
    .sort();
}
