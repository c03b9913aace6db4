import { Construct, IConstruct } from 'constructs';
import { IResolvable, Token } from 'cdktf';
import { IamOpenidConnectProvider } from '../terraform/aws-iam';
import { DataTlsCertificate } from '../terraform/tls';
import { checkProps, describe, joinedComponents, refuse, setIn } from '../guardrails/prop-checks';
import { IAM_QUOTAS } from '../guardrails/quotas';
import {
  AUDIENCE,
  AWS_REGION,
  ISSUER_URL,
  OIDC_PROVIDER_ARN,
  QUOTA_MANAGED_POLICIES,
  QUOTA_TRUST_POLICY_LENGTH,
  SUB_COMPONENTS_LIST_RULE,
  Validation,
  readable,
} from '../guardrails/rules';
import { DEFAULT_SUB_COMPONENTS } from '../trust/sub-claim';
import { HclString, hclOf, literalOf } from '../hcl/expression';
import { RoleTrustModel } from '../trust/role-model';
import { issuerHostExpression, issuerHostOf } from '../trust/trust-policy';
import { existingProviderPrecondition } from '../guardrails/trust-checks';
import { KnownProvider } from '../guardrails/known-role-checks';
import { hclLocal } from './hcl-local';
import { Move } from './move';
import { terraformName } from './terraform-name';
import { takeOnce } from './unique-in-stack';

/** Where the OIDC provider's certificate thumbprint comes from. */
export const THUMBPRINT_SOURCES = ['tls', 'none'] as const;
export type ThumbprintSource = (typeof THUMBPRINT_SOURCES)[number];

/** The audiences of each provider whose list is known at synth, for its roles' checks. */
const LITERAL_AUDIENCES = new WeakMap<IGitlabOidcProvider, readonly string[]>();

/** The audiences the provider lists, where they are known at synth; else undefined (a token). */
export const literalAudiencesOf = (provider: IGitlabOidcProvider): readonly string[] | undefined => LITERAL_AUDIENCES.get(provider);

export interface GitlabOidcProviderProps {
  /**
   * Issuer URL of the GitLab instance: the `iss` claim of its ID tokens.
   *
   * @example 'https://gitlab.com'
   * @example myVariable.stringValue
   * @see https://docs.gitlab.com/ci/secrets/id_token_authentication/
   */
  readonly issuerUrl: string;

  /**
   * Audiences (client IDs) the provider accepts: the `aud` values jobs request in `id_tokens`.
   * Each role trusts the audiences it names, or all of these.
   *
   * @default [issuerUrl], the audience GitLab's documentation uses
   * @example ['https://gitlab.com', 'sts.amazonaws.com']
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
   */
  readonly audiences?: string[];

  /**
   * How the provider's certificate thumbprint is set. `tls` reads it with the hashicorp/tls
   * provider; `none` leaves it to IAM, which since July 2024 trusts the issuer's certificate
   * authority itself (aws provider ≥ 5.81 accepts no thumbprint).
   *
   * @default 'tls', so that the output also works with IAM's older behaviour
   * @example 'none'
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html
   */
  readonly thumbprintSource?: ThumbprintSource;

  /**
   * ARN of a provider for this issuer that already exists in the account. An account holds
   * one provider per issuer URL, so a second stack must use the first one's. A token (a
   * variable) creates the provider only while its value is null.
   *
   * @default undefined: the provider is created
   * @example 'arn:aws:iam::123456789012:oidc-provider/gitlab.com'
   * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
   */
  readonly existingProviderArn?: string;

  /**
   * Longest trust policy IAM accepts in the account, counted without whitespace. Every role
   * of the provider is checked against it at plan.
   *
   * @default 2048, the IAM default quota (up to 4096 on request)
   * @example 4096
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  readonly trustPolicyMaxLength?: number;

  /**
   * Managed policies IAM lets one role hold in the account. Every role of the provider is
   * checked against it at plan.
   *
   * @default 10, the IAM default quota (up to 20 on request)
   * @example 20
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  readonly maxManagedPoliciesPerRole?: number;

  /**
   * The audience every GitLab job requests in its CI snippet. A role that would not accept
   * it fails the plan, before any pipeline runs.
   *
   * @default each role's first audience
   * @example 'https://gitlab.com'
   * @see https://docs.gitlab.com/ci/yaml/#id_tokens
   */
  readonly ciAudience?: string;

  /**
   * The `ci_id_token_sub_claim_components` of the GitLab projects whose jobs assume the roles:
   * the components, in order, that GitLab builds their `sub` from. Structured subjects are
   * rendered for them, unless a role names its own.
   *
   * @default ['project_path', 'ref_type', 'ref'], GitLab's default
   * @example ['project_id', 'ref_type', 'ref', 'ref_protected']
   * @see https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload
   */
  readonly subClaimComponents?: string[];

  /**
   * The region the CI snippets set for the AWS CLI and SDKs (`AWS_DEFAULT_REGION`).
   *
   * @default undefined: jobs choose their region
   * @example 'eu-west-1'
   */
  readonly ciRegion?: string;
}

/**
 * An IAM OIDC provider of a GitLab instance that roles can trust: one this stack creates
 * (`new GitlabOidcProvider`) or one made elsewhere (`GitlabOidcProvider.fromArn`).
 */
export interface IGitlabOidcProvider extends IConstruct {
  /** The provider's ARN. */
  readonly arn: string;
  /** The issuer host, as IAM prefixes condition keys (`gitlab.com`). */
  readonly issuerHost: string;
  /** The audiences the provider accepts. */
  readonly audiences: string[];
  /** The sub components structured subjects are rendered for, unless a role names its own. */
  readonly subClaimComponents: string[];
  /** The role map of the provider's roles and its derivations (what `GitlabCiRole` adds itself to). */
  readonly trust: RoleTrustModel;
}

/** What `GitlabOidcProvider.fromArn` needs to know of a provider made elsewhere. */
export interface GitlabOidcProviderImportProps extends Pick<
  GitlabOidcProviderProps,
  'audiences' | 'subClaimComponents' | 'trustPolicyMaxLength' | 'maxManagedPoliciesPerRole' | 'ciAudience' | 'ciRegion'
> {
  /**
   * Issuer URL of the GitLab instance. Required when the ARN is a token (another stack's
   * output, a variable); a literal ARN names its issuer.
   *
   * @default `https://<host>` of a literal ARN's `oidc-provider/<host>`
   * @example 'https://gitlab.example.com'
   */
  readonly issuerUrl?: string;
}

/** Marks the props of a provider made elsewhere: nothing is created for it, whatever its ARN. */
const IMPORTED = Symbol('imported provider');

/**
 * The IAM OpenID Connect identity provider of one GitLab instance, and the trust of every
 * role under it: roles add themselves to its role map, whose derivations (conditions,
 * policies, guardrails, summary) are written once, as locals named after the provider.
 *
 * Its Terraform name is its construct id: `aws_iam_openid_connect_provider.<id>`.
 */
export class GitlabOidcProvider extends Construct implements IGitlabOidcProvider {
  /**
   * A provider made elsewhere (another stack, another tool, another account's setup), for
   * roles of this stack to trust. Nothing is created for it; its ARN is written as given.
   *
   * @param arn its ARN, a literal or a token such as another stack's output
   * @example GitlabOidcProvider.fromArn(stack, 'gitlab', 'arn:aws:iam::123456789012:oidc-provider/gitlab.com')
   */
  public static fromArn(scope: Construct, id: string, arn: string, props: GitlabOidcProviderImportProps = {}): IGitlabOidcProvider {
    const literalArn = Token.isUnresolved(arn) ? undefined : arn;
    const host = literalArn?.split(':oidc-provider/')[1];
    const issuerUrl = props.issuerUrl ?? (host === undefined ? undefined : `https://${host}`);
    const provider = new GitlabOidcProvider(scope, id, {
      ...props,
      issuerUrl: issuerUrl ?? 'https://unknown.invalid',
      existingProviderArn: arn,
      [IMPORTED]: true,
    } as GitlabOidcProviderProps);
    if (issuerUrl === undefined) {
      refuse(
        provider,
        `fromArn was given an ARN that is not known at synth (${arn}) and no issuerUrl: give issuerUrl, the issuer of the provider's tokens, e.g. 'https://gitlab.com'.`,
      );
    }
    return provider;
  }

  /** The provider's ARN, created or existing. */
  public readonly arn: string;
  /** The issuer host, as IAM prefixes condition keys (`gitlab.com`). */
  public readonly issuerHost: string;
  /** The audiences the provider accepts. */
  public readonly audiences: string[];
  /** The sub components structured subjects are rendered for, unless a role names its own. */
  public readonly subClaimComponents: string[];
  /** The role map and its derivations, as HCL (for the constructs that add roles). */
  public readonly trust: RoleTrustModel;
  /** `moved` blocks the stack must write for state of earlier addresses. */
  public readonly moves: readonly Move[];

  constructor(scope: Construct, id: string, props: GitlabOidcProviderProps) {
    super(scope, id);
    const name = terraformName(this, ['aws_iam_openid_connect_provider', 'data.tls_certificate']);
    /** Writes the local `<name>_<suffix>`; returns its address. */
    const local = (suffix: string, expression: string) => {
      hclLocal(this, `${name}_${suffix}`, expression);
      return `local.${name}_${suffix}`;
    };
    const preconditions = checkProps(this, [
      { prop: 'issuerUrl', value: props.issuerUrl, rules: [ISSUER_URL] },
      { prop: 'audiences', value: props.audiences, rules: [AUDIENCE], parts: 'elements' },
      { prop: 'existingProviderArn', value: props.existingProviderArn, rules: [OIDC_PROVIDER_ARN] },
      { prop: 'trustPolicyMaxLength', value: props.trustPolicyMaxLength, rules: [QUOTA_TRUST_POLICY_LENGTH] },
      { prop: 'maxManagedPoliciesPerRole', value: props.maxManagedPoliciesPerRole, rules: [QUOTA_MANAGED_POLICIES] },
      { prop: 'ciAudience', value: props.ciAudience, rules: [AUDIENCE] },
      { prop: 'subClaimComponents', value: joinedComponents(this, props.subClaimComponents), rules: [SUB_COMPONENTS_LIST_RULE] },
      // A token is usually the region of the provider the stack runs with, checked where it is
      // set; a mock provider's random region would fail a check here.
      { prop: 'ciRegion', value: props.ciRegion, rules: [AWS_REGION], atPlan: false },
    ]);

    // An account holds one provider per issuer: two that both create it fail at apply (EntityAlreadyExists).
    const literalIssuer = literalOf(this, props.issuerUrl);
    if (typeof literalIssuer === 'string' && props.existingProviderArn === undefined) {
      const other = takeOnce(this, 'issuer', literalIssuer.replace(/\/$/, ''));
      if (other) {
        refuse(
          this,
          `issuerUrl ${JSON.stringify(literalIssuer)} is the issuer of ${describe(other)} too, and an account holds one OIDC provider per issuer. ` +
            'Put every role of the issuer under one provider, or give this one existingProviderArn.',
        );
      }
    }
    const maybeListed = props.audiences === undefined ? [literalIssuer] : literalOf(this, props.audiences);
    const listed = Array.isArray(maybeListed) && maybeListed.every((a) => typeof a === 'string') ? (maybeListed as string[]) : undefined;
    if (listed) LITERAL_AUDIENCES.set(this, listed);

    // Literal inputs stay literals in the output; a token is written once, as a local.
    const issuerUrl = hclOf(this, props.issuerUrl);
    const literalHost = typeof literalIssuer === 'string' ? issuerHostOf(literalIssuer) : undefined;
    const issuerHost = literalHost !== undefined ? HclString.literal(literalHost) : HclString.expression(local('issuer_host', issuerHostExpression(issuerUrl)));
    const audienceList = props.audiences === undefined ? `[${issuerUrl}]` : hclOf(this, props.audiences);
    const audiences = listed ? audienceList : local('audiences', audienceList);
    const ciAudience = props.ciAudience === undefined ? undefined : hclOf(this, props.ciAudience);

    const literalExisting = literalOf(this, props.existingProviderArn);
    if (typeof literalExisting === 'string' && OIDC_PROVIDER_ARN.test(literalExisting) && literalHost !== undefined && !literalExisting.endsWith(`:oidc-provider/${literalHost}`)) {
      refuse(
        this,
        `existingProviderArn ${JSON.stringify(literalExisting)} is not the OIDC provider of ${literalHost}: its ARN must end in ':oidc-provider/${literalHost}', ` +
          "or no token of the issuer would match its roles. Give that provider's ARN, or leave existingProviderArn out to create it.",
      );
    }
    let providerArn: string;
    let providerArnForSizing: string;
    // The same ARN as a value, where it is known at synth (the checks of known roles size with it).
    let literalArnForSizing: string | undefined;
    // And as a trust policy written at synth holds it, where it is never null at plan.
    let policyArn: string | undefined;
    let providerPreconditions: Validation[] = [];
    if (typeof literalExisting === 'string' || (props as { [IMPORTED]?: true })[IMPORTED]) {
      // A provider made elsewhere: nothing to create, and its ARN is as given.
      providerArn = providerArnForSizing = hclOf(this, props.existingProviderArn);
      literalArnForSizing = policyArn = typeof literalExisting === 'string' ? literalExisting : undefined;
      this.arn = props.existingProviderArn!;
      this.moves = [];
      // With no resource of its own, the checks of its tokens (the ARN among them) guard its roles.
      providerPreconditions = [...preconditions, ...(literalExisting === undefined ? [existingProviderPrecondition(providerArn, issuerHost, `the ARN of ${describe(this)}`)] : [])];
    } else {
      const existing = props.existingProviderArn === undefined ? undefined : hclOf(this, props.existingProviderArn);
      // A variable may or may not name a provider: the resource is then counted. Without one,
      // it always exists, at an address without an index.
      const count = existing === undefined ? undefined : `\${${existing} == null ? 1 : 0}`;
      const instance = count === undefined ? '' : '[0]';

      let thumbprintList: string[] | undefined;
      if ((props.thumbprintSource ?? 'tls') === 'tls') {
        // tls:// reads the issuer's own certificate; an https:// URL follows redirects
        // (gitlab.com/ redirects) and can return the certificate of another host.
        const certificate = new DataTlsCertificate(this, 'certificate', { url: `tls://${issuerHost.inTemplate}:443` });
        if (count) certificate.addOverride('count', count);
        certificate.overrideLogicalId(name);
        thumbprintList = [`\${data.tls_certificate.${name}${instance}.certificates[0].sha1_fingerprint}`];
      }

      const provider = new IamOpenidConnectProvider(this, 'provider', {
        url: typeof literalIssuer === 'string' ? literalIssuer : `\${${issuerUrl}}`,
        clientIdList: listed ? [...listed] : Token.asList(`\${${audiences}}`),
        thumbprintList,
        lifecycle: preconditions.length ? { precondition: preconditions.map(readable) } : undefined,
      });
      if (count) provider.addOverride('count', count);
      provider.overrideLogicalId(name);
      // State written before the provider became optional sits at the address without an index.
      this.moves = count ? [{ from: `aws_iam_openid_connect_provider.${name}`, to: `aws_iam_openid_connect_provider.${name}[0]` }] : [];

      const created = count ? `one(aws_iam_openid_connect_provider.${name}[*].arn)` : `aws_iam_openid_connect_provider.${name}.arn`;
      providerArn = existing === undefined ? created : local('arn', `${existing} != null ? ${existing} : ${created}`);
      // As long as the provider's ARN but known at plan, to measure trust policies before the
      // provider exists (assumes the `aws` partition).
      const sizingArn = (host: string) => `arn:aws:iam::123456789012:oidc-provider/${host}`;
      const sizing = JSON.stringify(sizingArn(issuerHost.inTemplate));
      providerArnForSizing = existing === undefined ? sizing : local('arn_for_sizing', `${existing} != null ? ${existing} : ${sizing}`);
      literalArnForSizing = existing === undefined && literalHost !== undefined ? sizingArn(literalHost) : undefined;
      policyArn = count ? undefined : `\${${created}}`;
      this.arn = Token.asString(`\${${providerArn}}`);
    }

    const trustPolicyMaxLength = hclOf(this, props.trustPolicyMaxLength ?? IAM_QUOTAS.trustPolicyLength.default);
    const maxManagedPolicies = hclOf(this, props.maxManagedPoliciesPerRole ?? IAM_QUOTAS.managedPoliciesPerRole.default);
    const limitsSetIn = {
      trustPolicyMaxLength: setIn(this, 'trustPolicyMaxLength', props.trustPolicyMaxLength),
      maxManagedPoliciesPerRole: setIn(this, 'maxManagedPoliciesPerRole', props.maxManagedPoliciesPerRole),
    };
    this.trust = new RoleTrustModel(this, 'trust', {
      prefix: `${name}_`,
      issuerHost,
      providerArn,
      providerArnForSizing,
      policyArn,
      providerPreconditions,
      providerAudiences: audiences,
      audienceInput: setIn(this, 'audiences', props.audiences ?? [props.issuerUrl]),
      ci: {
        audience: ciAudience,
        audienceInput: ciAudience === undefined ? '' : setIn(this, 'ciAudience', props.ciAudience),
        region: props.ciRegion === undefined ? undefined : hclOf(this, props.ciRegion),
      },
      limits: {
        trustPolicyMaxLength: { expression: trustPolicyMaxLength, setIn: limitsSetIn.trustPolicyMaxLength },
        maxManagedPoliciesPerRole: { expression: maxManagedPolicies, setIn: limitsSetIn.maxManagedPoliciesPerRole },
      },
      known: this.knownSide(props, listed, literalArnForSizing, limitsSetIn),
    });

    this.issuerHost = literalHost ?? Token.asString(`\${${issuerHost.hcl}}`);
    this.audiences = listed ? [...listed] : Token.asList(`\${${audiences}}`);
    this.subClaimComponents = props.subClaimComponents ?? [...DEFAULT_SUB_COMPONENTS];
  }

  /**
   * The provider's side of its roles' checks, where every part is known at synth: the
   * audiences, the ARN to size policies with, the quotas and the jobs' audience.
   */
  private knownSide(
    props: GitlabOidcProviderProps,
    audiences: readonly string[] | undefined,
    arnForSizing: string | undefined,
    setIns: { trustPolicyMaxLength: string; maxManagedPoliciesPerRole: string },
  ): KnownProvider | undefined {
    const maxLength = literalOf(this, props.trustPolicyMaxLength ?? IAM_QUOTAS.trustPolicyLength.default);
    const maxPolicies = literalOf(this, props.maxManagedPoliciesPerRole ?? IAM_QUOTAS.managedPoliciesPerRole.default);
    const ciAudience = literalOf(this, props.ciAudience);
    if (!audiences || arnForSizing === undefined || typeof maxLength !== 'number' || typeof maxPolicies !== 'number') return undefined;
    if (props.ciAudience !== undefined && typeof ciAudience !== 'string') return undefined;
    return {
      arnForSizing,
      trustPolicyMaxLength: { value: maxLength, setIn: setIns.trustPolicyMaxLength },
      maxManagedPoliciesPerRole: { value: maxPolicies, setIn: setIns.maxManagedPoliciesPerRole },
      ciAudience: typeof ciAudience === 'string' ? { value: ciAudience, setIn: `ciAudience of ${describe(this)}` } : undefined,
    };
  }

  // Getters: the role map's locals are written only once something reads them (see RoleTrustModel).

  /** Map from role name to the `Condition` block of its trust policy: known at plan, for review. */
  public get trustConditions(): IResolvable {
    return Token.asAny(`\${${this.trust.conditions}}`);
  }

  /** Map from role name to a reviewer's summary of its trust, with warnings. */
  public get trustSummary(): IResolvable {
    return Token.asAny(`\${${this.trust.summary}}`);
  }

  /** Map from role name to its GitLab CI snippet (YAML): `npm run ci-snippets` writes them to files. */
  public get ciSnippets(): IResolvable {
    return Token.asAny(`\${${this.trust.ciSnippets}}`);
  }

  /**
   * Map from each GitLab project that structured subjects name (its id, else its path) to the
   * `components` its roles assume and the API call that sets them (`set_with`).
   */
  public get projectSubComponents(): IResolvable {
    return Token.asAny(`\${${this.trust.projectSettings}}`);
  }
}
