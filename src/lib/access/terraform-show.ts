/**
 * Reads the OIDC provider and the roles of a configuration from `terraform show -json`,
 * of a saved plan or of state, for access decisions.
 *
 * A role's trust is its `assume_role_policy` where that is known. In a plan that creates
 * the provider, the policy waits for the provider's ARN; its `Condition` block is read from
 * the `trust_conditions` output instead, under the one statement this project writes for
 * every role: Allow `sts:AssumeRoleWithWebIdentity` to the stack's own provider.
 */

import * as fs from 'fs';
import { ASSUME_ROLE_WITH_WEB_IDENTITY } from './decide';
import { PolicyReadError } from './errors';
import { ProviderView } from './gitlab-token';
import { Statement, readConditionBlock, readPolicy } from './policy';
import { issuerHostOf } from '../trust/trust-policy';

/** A file that is not the JSON `terraform show -json` prints, or lacks what a decision needs. */
export class TerraformJsonError extends Error {}

const SHOW_JSON = 'give the output of terraform show -json <plan file> (or of state)';

/** The JSON of a `terraform show -json` file; a file that cannot be read or parsed is named, with the line of a syntax error. */
export function readTerraformJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new TerraformJsonError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error}): ${SHOW_JSON}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? '' : ` (line ${text.slice(0, Number(position)).split('\n').length})`;
    throw new TerraformJsonError(`${file} is not JSON${line}: ${SHOW_JSON}`);
  }
}

/** The values of a `terraform show -json` document: planned for a plan, current for a state. */
export function showValues(json: unknown): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const doc = json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
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
  /** Where the trust was read: the role's policy, or the `trust_conditions` output. */
  readonly source: 'assume_role_policy' | 'trust_conditions';
}

export interface ReviewedConfiguration {
  readonly provider: ProviderView;
  /** Whether the provider is created by this plan, so its ARN is not known yet. */
  readonly providerPending: boolean;
  /** The audience of `mygitlab_aud_value` in a plan, or the provider's first, for a default `--aud`. */
  readonly defaultAudience?: string;
  readonly roles: readonly ReviewedRole[];
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

/** The placeholder ARN of a provider this plan creates; every role the stack writes trusts it. */
const pendingArn = (address: string) => `(${address}.arn, known after apply)`;


function readableStatements(policy: string): readonly Statement[] {
  try {
    return readPolicy(policy);
  } catch (error) {
    if (error instanceof PolicyReadError) return [];
    throw error;
  }
}

/**
 * The one OIDC provider that the roles' known trust policies name as their federated principal
 * (a provider made elsewhere, which the file does not hold), else undefined.
 */
function trustedProviderArn(resources: readonly Resource[]): string | undefined {
  const arns = new Set(
    resources
      .filter((r) => r.type === 'aws_iam_role' && typeof r.values.assume_role_policy === 'string')
      // A policy this reader cannot read is reported with its role's address below, not here.
      .flatMap((r) => readableStatements(r.values.assume_role_policy).flatMap((statement) => (statement.federated === '*' ? [] : statement.federated)))
      .filter((arn) => /:oidc-provider\//.test(arn)),
  );
  return arns.size === 1 ? [...arns][0] : undefined;
}

export function readTerraformShow(json: unknown): ReviewedConfiguration {
  const doc = json as Json;
  const values: Json = showValues(json);
  const resources = resourcesOf(values.root_module).filter((r) => r.mode === 'managed');
  const outputs: Json = values.outputs ?? {};
  const output = (name: string) => outputs[name]?.value;

  const providers = resources.filter((r) => r.type === 'aws_iam_openid_connect_provider');
  if (providers.length > 1) throw new TerraformJsonError(`the file holds ${providers.length} OIDC providers; this check reads configurations with one`);
  const managed = providers[0];
  const knownArn: string | undefined = output('oidc_provider_arn') ?? managed?.values.arn ?? trustedProviderArn(resources);
  if (!knownArn && !managed) {
    throw new TerraformJsonError('the file holds no aws_iam_openid_connect_provider, no oidc_provider_arn output, and no role whose known trust policy names one OIDC provider');
  }
  const arn = knownArn ?? pendingArn(managed!.address);
  const issuerHost = knownArn ? knownArn.replace(/^.*:oidc-provider\//, '') : issuerHostOf(String(managed!.values.url ?? ''));
  // A provider the plan does not create (existing_provider_arn) lists, as the stack requires,
  // mygitlab_aud_value and additional_audiences: the audiences its roles are checked against.
  const declared = [doc.variables?.mygitlab_aud_value?.value, ...(doc.variables?.additional_audiences?.value ?? [])].filter((a): a is string => typeof a === 'string');
  const audiences: string[] | undefined = managed?.values.client_id_list ?? (declared.length ? [...new Set(declared)] : undefined);
  const provider: ProviderView = { arn, issuerHost, audiences };

  const conditions: Json | undefined = output('trust_conditions');
  const roles = resources
    .filter((r) => r.type === 'aws_iam_role')
    .map((r): ReviewedRole => {
      const name = typeof r.index === 'string' ? r.index : r.name;
      try {
        if (typeof r.values.assume_role_policy === 'string') {
          return { name, address: r.address, statements: readPolicy(r.values.assume_role_policy), source: 'assume_role_policy' };
        }
        if (conditions && name in conditions) {
          const statement: Statement = {
            label: 'trust_conditions',
            effect: 'Allow',
            actions: [ASSUME_ROLE_WITH_WEB_IDENTITY],
            notAction: false,
            federated: [arn],
            conditions: readConditionBlock(conditions[name], `trust_conditions["${name}"]`),
          };
          return { name, address: r.address, statements: [statement], source: 'trust_conditions' };
        }
      } catch (error) {
        if (error instanceof PolicyReadError) throw new PolicyReadError(`${r.address}: ${error.message}`);
        throw error;
      }
      throw new TerraformJsonError(`${r.address}: its trust policy is not known in this file, and no trust_conditions output names it`);
    });

  const defaultAudience: string | undefined = doc.variables?.mygitlab_aud_value?.value ?? audiences?.[0];
  return { provider, providerPending: !knownArn, defaultAudience, roles };
}
