import { Construct } from 'constructs';
import { IResolvable, Token } from 'cdktf';
import { IamRole, IamRolePolicy, IamRolePolicyAttachment } from '../terraform/aws-iam';
import { checkProps, describe, joinedComponents, refuse, setIn } from '../guardrails/prop-checks';
import {
  AUDIENCE,
  CI_HIDDEN_JOB,
  CI_VARIABLE_NAME,
  CLAIM_NAME,
  CLAIM_VALUE_RULES,
  GITLAB_COM_CLAIM,
  GITLAB_COM_EXTRA_CLAIMS,
  INLINE_POLICY_NAME,
  JSON_DOCUMENT,
  MANAGED_POLICY_ARN,
  PERMISSIONS_BOUNDARY,
  ROLE_DESCRIPTION,
  ROLE_NAME,
  ROLE_NAME_PREFIX,
  ROLE_PATH,
  ROLE_TAGS,
  SESSION_DURATION,
  SUBJECT_RULES,
  SUB_COMPONENTS_LIST_RULE,
  Validation,
  readable,
} from '../guardrails/rules';
import { hclOf, literalOf } from '../hcl/expression';
import { CI_JOB_PREFIX, roleArnVariable, roleArnVariableExpression } from '../gitlab-ci/role-arn-variable';
import { singleRoleSource, subjectClaimExpression } from '../trust/role-model';
import { SUB_COMPONENT_NAMES, SubjectFields, renderSubjects } from '../trust/sub-claim';
import { ConditionBlock, conditionBlock, trustPolicyDocument } from '../trust/trust-policy';
import { GitlabClaimConditions, claimsOfConditions } from '../trust/claim-conditions';
import { PlacedFields, checkSubjectFields, splitSubjects, subjectFieldsHcl } from './subject-fields';
import { IGitlabOidcProvider, literalAudiencesOf } from './gitlab-oidc-provider';
import { Move } from './move';
import { terraformName } from './terraform-name';
import { takeOnce } from './unique-in-stack';

/** A role's trust where every input of it is known at synth. */
interface KnownTrust {
  /** The trust policy as a JSON document. */
  readonly policy: string;
  readonly condition: ConditionBlock;
  /** The claims of the condition, `sub` with the structured subjects rendered. */
  readonly claims: Record<string, string[]>;
  readonly fields: SubjectFields[];
  /** The `sub` values the structured subjects render to. */
  readonly renderedSubjects: string[];
  readonly components: string[];
}

/** The name prefix of the hand-written setup's role, and of roles that earlier releases created without a prefix. */
export const DEFAULT_ROLE_NAME_PREFIX = 'GitLabCI';

/**
 * The name prefix of a role that names none: its Terraform name and a '-' (`deploy-`), so the
 * role's name in IAM says which role it is. IAM takes prefixes of up to 38 characters.
 */
export const roleNamePrefixOf = (name: string): string => `${name.slice(0, 37)}-`;

/** All claims of a role's trust at once, from an expression (see `GitlabCiRoleProps.trustClaims`). */
export interface TrustClaims {
  /** Map from claim name (`sub`, `aud`, …) to the values allowed, usually a token. */
  readonly claims: Record<string, string[]> | IResolvable;
  /** Where a user sets the `sub` values, named in the fix when there are none. */
  readonly setIn: string;
  /**
   * Where a user sets the values of the other claims, named in the fix for a refused one.
   * @default `claims of` the role
   */
  readonly valuesSetIn?: string;
}

export interface GitlabCiRoleProps {
  /**
   * The OIDC provider of the GitLab instance whose jobs assume the role.
   *
   * @example new GitlabOidcProvider(stack, 'gitlab', { issuerUrl: 'https://gitlab.com' })
   * @see GitlabOidcProvider
   */
  readonly provider: IGitlabOidcProvider;

  /**
   * The `sub` claims let in, each a string as GitLab builds it
   * (`project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>` by default,
   * `project_id:4242:ref_type:branch:ref:main:ref_protected:true` with other components), or
   * as fields, rendered for `subClaimComponents`. `*` and `?` match within the project path
   * (after the top-level group) and the ref. Required unless `trustClaims` is given: a role
   * without a subject would let in every project of the instance.
   *
   * @example ['project_path:acme/api:ref_type:branch:ref:main']
   * @example [{ projectId: 4242, ref: 'main', refProtected: true }]
   * @see https://docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload
   */
  readonly subjects?: (string | SubjectFields)[];

  /**
   * The components, in order, that GitLab builds the `sub` of the projects this role trusts
   * from (their `ci_id_token_sub_claim_components`): structured subjects are rendered for them.
   *
   * @default the provider's `subClaimComponents`
   * @example ['project_id', 'ref_type', 'ref', 'ref_protected']
   */
  readonly subClaimComponents?: string[];

  /**
   * The `aud` claims let in; each must be an audience of the provider.
   *
   * @default the provider's audiences
   * @example ['https://gitlab.com']
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
   */
  readonly audiences?: string[];

  /**
   * Further claims and the values let in. AWS checks only `sub` and `aud` for an OIDC
   * provider, plus a few more for gitlab.com (`project_id`, `namespace_id`, `ref_protected`, …).
   *
   * @deprecated Use `claimConditions`, whose keys and values are typed; `claims` keeps working.
   * @default {} (none)
   * @example { ref_protected: ['true'] }
   * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
   */
  readonly claims?: Record<string, string[]>;

  /**
   * Conditions on gitlab.com's further claims, typed: `{ refProtected: true, projectId: 4242 }`.
   * AWS evaluates them for gitlab.com only; on another instance, ask for the same in
   * structured subjects. Merged with `claims`, which may not name the same claim.
   *
   * @default {} (none)
   * @example { refProtected: true, projectId: 4242 }
   */
  readonly claimConditions?: GitlabClaimConditions;

  /**
   * Every claim of the trust at once, in place of `subjects`, `audiences` and `claims`: for a
   * setup whose claims come from variables, as the hand-written one's field/value pairs do.
   *
   * @default built from `subjects`, `audiences` and `claims`
   * @example { claims: Token.asAnyMap(claimsVariable.value), setIn: 'the claims variable' }
   */
  readonly trustClaims?: TrustClaims;

  /**
   * IAM managed policies attached to the role, each attachment keyed by ARN.
   *
   * @default [] (none)
   * @example ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
   */
  readonly managedPolicyArns?: string[];

  /**
   * Inline policies by name, each a JSON document.
   *
   * @default {} (none)
   * @example { 'read-artifacts': JSON.stringify({ Version: '2012-10-17', Statement: [...] }) }
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
   */
  readonly inlinePolicies?: Record<string, string>;

  /**
   * Fixed name of the role. When it is a token whose value is null, `roleNamePrefix` applies.
   *
   * @default undefined: AWS names the role from `roleNamePrefix`
   * @example 'gitlab-deploy'
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  readonly roleName?: string;

  /**
   * Name prefix when the role has no fixed name; AWS appends a 26-character suffix.
   *
   * @default `<id>-`, the construct id (roles created by earlier releases keep their 'GitLabCI' names)
   * @example 'deploy-'
   */
  readonly roleNamePrefix?: string;

  /**
   * IAM path of the role.
   *
   * @default undefined: IAM's '/'
   * @example '/gitlab-ci/'
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names
   */
  readonly path?: string;

  /**
   * Description of the role.
   *
   * @default undefined: none
   * @example 'Deploys acme/api from main'
   */
  readonly description?: string;

  /**
   * Longest session the role grants, in seconds (3600 to 43200).
   *
   * @default undefined: IAM's 3600
   * @example 7200
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html
   */
  readonly maxSessionDuration?: number;

  /**
   * ARN of the managed policy that bounds the role's permissions.
   *
   * @default undefined: none
   * @example 'arn:aws:iam::123456789012:policy/ci-boundary'
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
   */
  readonly permissionsBoundary?: string;

  /**
   * Tags of the role.
   *
   * @default undefined: none
   * @example { team: 'platform' }
   */
  readonly tags?: Record<string, string>;

  /**
   * The GitLab CI/CD variable that holds the role's ARN, which its jobs read.
   *
   * @default `ROLE_ARN_<ID>`: the construct id in capitals, other characters as '_'
   * @example 'ROLE_ARN'
   * @see https://docs.gitlab.com/ci/variables/
   */
  readonly arnVariable?: string;

  /**
   * The hidden job of the role's CI snippet, which jobs `extends:` to assume the role.
   *
   * @default `.aws-oidc-<id>`
   * @example '.aws-oidc-deploy'
   * @see https://docs.gitlab.com/ci/jobs/#hide-a-job
   */
  readonly ciJobName?: string;

  /**
   * Whether the role exists. A token makes the role counted (`<address>[0]`); `moves` then
   * carries state written at the unindexed address.
   *
   * @default true, at an address without an index
   */
  readonly enabled?: boolean | IResolvable;

  /**
   * More checks across inputs, evaluated by Terraform before the role is planned.
   *
   * @default [] (none beyond the guardrails)
   */
  readonly preconditions?: readonly Validation[];
}

/**
 * An IAM role that GitLab jobs assume with `sts:AssumeRoleWithWebIdentity`, trusted for the
 * claims its props name, with its managed and inline policies. Its trust comes from its
 * provider's role map, under its construct id, which is also its Terraform name:
 * `aws_iam_role.<id>`.
 */
export class GitlabCiRole extends Construct {
  public readonly role: IamRole;
  /** The role's ARN (null while a token `enabled` is false). */
  public readonly arn: string;
  /** The role's name (null while a token `enabled` is false). */
  public readonly roleName: string;
  /** `moved` blocks the stack must write for state of earlier addresses. */
  public readonly moves: readonly Move[];

  constructor(scope: Construct, id: string, props: GitlabCiRoleProps) {
    super(scope, id);
    const name = terraformName(this, ['aws_iam_role', 'aws_iam_role_policy_attachment', 'aws_iam_role_policy']);
    const address = `aws_iam_role.${name}`;

    const enabled = literalOf(this, props.enabled ?? true);
    const counted = enabled === undefined;
    if (enabled === false) refuse(this, 'enabled is false; leave the role out instead.');
    if (props.subjects === undefined && props.trustClaims === undefined) {
      refuse(this, "no subjects: give subjects, e.g. ['project_path:mygroup/myproject:ref_type:branch:ref:main'], or trustClaims.");
    }
    const literalName = literalOf(this, props.roleName);
    if (typeof literalName === 'string' && props.roleNamePrefix !== undefined) {
      refuse(this, 'roleName and roleNamePrefix are both set; a role has a fixed name or a prefix. Drop one.');
    }
    // IAM role names are unique in an account regardless of case: the second create would fail at apply.
    const sameName = typeof literalName === 'string' ? takeOnce(this, 'role name', literalName.toLowerCase()) : undefined;
    if (sameName)
      refuse(
        this,
        `roleName ${JSON.stringify(literalName)} is the name of ${describe(sameName)} too; IAM role names are unique in an account (regardless of case). Give each role its own name.`,
      );

    const { strings: subjectStrings, fields: subjectFields } = splitSubjects(props.subjects);
    const literalSubjects = literalOf(this, props.subjects);
    if (Array.isArray(literalSubjects) && literalSubjects.length === 0) {
      refuse(
        this,
        "subjects is empty: a role with no subject would let in every project of the instance. List at least one, e.g. 'project_path:mygroup/myproject:ref_type:branch:ref:main'.",
      );
    }
    const literalAudiences = literalOf(this, props.audiences);
    if (Array.isArray(literalAudiences) && literalAudiences.length === 0) {
      refuse(this, "audiences is empty: an empty list would drop the aud condition. List the audiences to allow, or leave audiences out for the provider's.");
    }
    const providerAudiences = literalAudiencesOf(props.provider);
    const unlisted = Array.isArray(literalAudiences) && providerAudiences ? literalAudiences.filter((a) => !providerAudiences.includes(a)) : [];
    if (unlisted.length > 0) {
      refuse(
        this,
        `audiences ${JSON.stringify(unlisted)} are not listed by the OIDC provider ${describe(props.provider)} (${JSON.stringify(providerAudiences)}): ` +
          "STS would refuse every such token with 'Incorrect token audience'. Use an audience of the provider, or add it to the provider's audiences.",
      );
    }
    const claims = this.mergedClaims(props);
    const literalClaims = literalOf(this, claims);
    for (const [claim, values] of Object.entries(literalClaims ?? {})) {
      if (Array.isArray(values) && values.length === 0) {
        refuse(
          this,
          `claims[${JSON.stringify(claim)}] is empty: an empty list would drop the condition and let in every value of ${claim}. List the values to allow, or leave the key out.`,
        );
      }
    }
    // AWS evaluates claims other than sub and aud for gitlab.com only: elsewhere such a condition matches no token.
    const issuerHost = literalOf(this, props.provider.issuerHost);
    const extraClaims = Object.keys(literalClaims ?? {}).filter((claim) => claim !== 'sub' && claim !== 'aud');
    if (typeof issuerHost === 'string' && issuerHost !== 'gitlab.com' && extraClaims.length > 0) {
      const components = extraClaims.filter((claim) => SUB_COMPONENT_NAMES.includes(claim));
      refuse(
        this,
        `claims ${JSON.stringify(extraClaims)} are conditions AWS does not evaluate for the issuer ${issuerHost} (only sub and aud; ` +
          `${GITLAB_COM_EXTRA_CLAIMS.join(', ')} on gitlab.com), so the role would let in no job. ` +
          (components.length
            ? `Put ${components.join(' and ')} in sub instead: add ${JSON.stringify(components)} to subClaimComponents (and to the projects' ci_id_token_sub_claim_components) ` +
              'and ask for them in structured subjects, e.g. { projectId: 4242, refProtected: true }.'
            : 'Remove them.'),
      );
    }
    subjectFields.forEach((placed) => checkSubjectFields(this, placed));

    // Subjects, audiences, claim names and values are checked at plan by the provider's role map,
    // with every role's trust (see trustChecks): here only their literals are.
    const tokenPreconditions = checkProps(this, [
      { prop: 'subjects', value: subjectStrings, rules: SUBJECT_RULES, parts: 'elements', atPlan: false },
      { prop: 'subClaimComponents', value: joinedComponents(this, props.subClaimComponents), rules: [SUB_COMPONENTS_LIST_RULE] },
      { prop: 'audiences', value: props.audiences, rules: [AUDIENCE], parts: 'elements', atPlan: false },
      { prop: 'claims', value: claims, rules: [CLAIM_NAME, GITLAB_COM_CLAIM], parts: 'keys', atPlan: false },
      { prop: 'claims', value: claims, rules: CLAIM_VALUE_RULES, parts: 'list values', atPlan: false },
      { prop: 'managedPolicyArns', value: props.managedPolicyArns, rules: [MANAGED_POLICY_ARN], parts: 'elements' },
      { prop: 'inlinePolicies', value: props.inlinePolicies, rules: [INLINE_POLICY_NAME], parts: 'keys' },
      { prop: 'inlinePolicies', value: props.inlinePolicies, rules: [JSON_DOCUMENT], parts: 'values' },
      { prop: 'roleName', value: props.roleName, rules: [ROLE_NAME] },
      { prop: 'roleNamePrefix', value: props.roleNamePrefix, rules: [ROLE_NAME_PREFIX] },
      { prop: 'path', value: props.path, rules: [ROLE_PATH] },
      { prop: 'description', value: props.description, rules: [ROLE_DESCRIPTION] },
      { prop: 'maxSessionDuration', value: props.maxSessionDuration, rules: [SESSION_DURATION] },
      { prop: 'permissionsBoundary', value: props.permissionsBoundary, rules: [PERMISSIONS_BOUNDARY] },
      { prop: 'tags', value: props.tags, rules: [ROLE_TAGS] },
      // Clashes between roles are checked at plan, with the role map (see ciChecks).
      { prop: 'arnVariable', value: props.arnVariable, rules: [CI_VARIABLE_NAME] },
      { prop: 'ciJobName', value: props.ciJobName, rules: [CI_HIDDEN_JOB] },
    ]);

    const trust = props.provider.trust;
    const components = hclOf(this, props.subClaimComponents ?? props.provider.subClaimComponents);
    const fieldList = `[${subjectFields.map((placed) => subjectFieldsHcl(this, placed.fields)).join(', ')}]`;
    const sub = subjectFields.length ? subjectClaimExpression(hclOf(this, subjectStrings ?? []), fieldList, components) : hclOf(this, subjectStrings);
    const ownClaims = `{ sub = ${sub}, aud = ${hclOf(this, props.audiences ?? props.provider.audiences)} }`;
    const trustClaims = props.trustClaims ? hclOf(this, props.trustClaims.claims) : claims === undefined ? ownClaims : `merge(${ownClaims}, ${hclOf(this, claims)})`;
    const managedPolicyArns = hclOf(this, props.managedPolicyArns ?? []);
    const enabledExpression = counted ? hclOf(this, props.enabled) : undefined;
    /** A collection that is `empty` while a token `enabled` is false. */
    const whileEnabled = (collection: string, empty: string) => (counted ? `${enabledExpression} ? ${collection} : ${empty}` : collection);
    trust.addRoles(
      singleRoleSource(
        name,
        {
          label: JSON.stringify(address),
          subjectInput: JSON.stringify(props.trustClaims?.setIn ?? `subjects of ${describe(this)}`),
          claimsInput: JSON.stringify(props.trustClaims?.valuesSetIn ?? `claims of ${describe(this)}`),
          trustClaims,
          subjectFields: fieldList,
          subComponents: components,
          subComponentsInput: JSON.stringify(
            setIn(this, props.subClaimComponents ? 'subClaimComponents' : 'subClaimComponents of the provider', props.subClaimComponents ?? props.provider.subClaimComponents),
          ),
          managedPolicyArns,
          arnVariable: props.arnVariable === undefined ? roleArnVariableExpression(JSON.stringify(name)) : hclOf(this, props.arnVariable),
          ciJob: hclOf(this, props.ciJobName ?? `${CI_JOB_PREFIX}${name}`),
        },
        enabledExpression,
      ),
    );

    const key = JSON.stringify(name);
    const known = counted || props.trustClaims ? undefined : this.knownTrust(props, claims, subjectStrings, subjectFields);
    const literalPolicy = known?.policy;
    // A trust known at synth, under a provider known at synth, is checked here; else at plan, by the role map.
    const problems = known && this.knownProblems(props, name, known);
    problems?.forEach((problem) => refuse(this, problem));
    const trustPreconditions = problems ? [] : [trust.preconditionOf(key)];
    const preconditions = [...(props.preconditions ?? []), ...trustPreconditions, ...tokenPreconditions, ...trust.providerPreconditions];
    const defaultPrefix = !counted && props.roleName === undefined && props.roleNamePrefix === undefined;
    this.role = new IamRole(this, 'role', {
      // The role map's policy is written only for the roles that read it (see RoleTrustModel.policies).
      assumeRolePolicy: literalPolicy ?? `\${${trust.policyOf(key)}}`,
      name: props.roleName,
      // A fixed name that may be null at plan leaves the prefix to apply when it is.
      namePrefix:
        literalName !== undefined
          ? undefined
          : props.roleName === undefined
            ? (props.roleNamePrefix ?? (counted ? DEFAULT_ROLE_NAME_PREFIX : roleNamePrefixOf(name)))
            : `\${${hclOf(this, props.roleName)} == null ? ${hclOf(this, props.roleNamePrefix ?? DEFAULT_ROLE_NAME_PREFIX)} : null}`,
      path: props.path,
      description: props.description,
      maxSessionDuration: props.maxSessionDuration,
      permissionsBoundary: props.permissionsBoundary,
      tags: props.tags,
      lifecycle:
        preconditions.length || defaultPrefix
          ? {
              precondition: preconditions.length ? preconditions.map(readable) : undefined,
              // A prefix applies only when the role is created: roles that earlier releases created
              // under 'GitLabCI' keep their names, where a changed prefix would replace them.
              ignoreChanges: defaultPrefix ? ['name_prefix'] : undefined,
            }
          : undefined,
    });
    if (counted) this.role.addOverride('count', `\${${enabledExpression} ? 1 : 0}`);
    this.role.overrideLogicalId(name);
    const instance = counted ? `${address}[0]` : address;

    const literalArns = counted ? undefined : literalOf(this, props.managedPolicyArns ?? []);
    if (literalArns !== undefined) this.attachEach(name, address, literalArns);
    else {
      const attachments = new IamRolePolicyAttachment(this, 'policies', {
        role: `\${${instance}.name}`,
        policyArn: '${each.value}',
      });
      attachments.addOverride('for_each', `\${toset(${whileEnabled(managedPolicyArns, '[]')})}`);
      attachments.overrideLogicalId(name);
    }

    if (props.inlinePolicies !== undefined) {
      const inline = new IamRolePolicy(this, 'inline', { role: `\${${instance}.name}`, name: '${each.key}', policy: '${each.value}' });
      inline.addOverride('for_each', `\${${whileEnabled(hclOf(this, props.inlinePolicies), '{}')}}`);
      inline.overrideLogicalId(name);
    }

    this.arn = Token.asString(counted ? `\${one(${address}[*].arn)}` : `\${${address}.arn}`);
    this.roleName = Token.asString(counted ? `\${one(${address}[*].name)}` : `\${${address}.name}`);
    // State written while the role always existed sits at the address without an index.
    this.moves = counted ? [{ from: address, to: `${address}[0]` }] : [];
  }

  /**
   * One plain attachment per managed policy known at synth, named after the role and the
   * policy (`deploy_ReadOnlyAccess`). Earlier releases wrote them as instances of one
   * `for_each` resource, keyed by ARN: a `moved` block carries that state over.
   */
  private attachEach(name: string, address: string, arns: readonly string[]): void {
    for (const arn of new Set(arns)) {
      const policy = arn.slice(arn.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_-]/g, '_');
      let suffix = policy;
      // Two ARNs with one policy name (two accounts, two paths): the later one is numbered.
      for (let n = 2; takeOnce(this, 'address', `aws_iam_role_policy_attachment.${name}_${suffix}`); n++) suffix = `${policy}_${n}`;
      const attachmentName = `${name}_${suffix}`;
      const attachment = new IamRolePolicyAttachment(this, suffix, { role: `\${${address}.name}`, policyArn: arn });
      attachment.overrideLogicalId(attachmentName);
      attachment.moveFromId(`aws_iam_role_policy_attachment.${name}[${JSON.stringify(arn)}]`);
    }
  }

  /**
   * The trust, with its policy as a JSON document, where every input of the trust is known at
   * synth and the provider's ARN is a literal or a reference to its resource; else undefined
   * (the role reads its policy from the role map, at plan). Rendered from the same claims, by
   * the same rules, as the role map's entry.
   */
  private knownTrust(
    props: GitlabCiRoleProps,
    claims: Record<string, string[]> | undefined,
    subjectStrings: string[] | undefined,
    subjectFields: readonly PlacedFields[],
  ): KnownTrust | undefined {
    const known = literalOf(this, {
      issuerHost: props.provider.issuerHost,
      components: props.subClaimComponents ?? props.provider.subClaimComponents,
      strings: subjectStrings ?? [],
      fields: subjectFields.map((placed) => placed.fields),
      audiences: props.audiences ?? props.provider.audiences,
      claims: claims ?? {},
    });
    // The ARN itself, or the attribute of the provider's resource: nothing that may be null at plan.
    const arnText = props.provider.trust.policyArn;
    if (known === undefined || arnText === undefined) return undefined;
    const rendered = known.fields.flatMap((fields) => renderSubjects(fields, known.components));
    const trustClaims = { sub: [...known.strings, ...rendered], aud: known.audiences, ...known.claims };
    const condition = conditionBlock(known.issuerHost, trustClaims);
    return {
      policy: trustPolicyDocument(arnText, condition),
      condition,
      claims: trustClaims,
      fields: known.fields,
      renderedSubjects: rendered,
      components: known.components,
    };
  }

  /**
   * The role map's checks of a known trust, run here: its problems, or undefined where the
   * provider's side or the role's other inputs (policies, GitLab names) are tokens.
   */
  private knownProblems(props: GitlabCiRoleProps, name: string, trust: KnownTrust): string[] | undefined {
    const provider = props.provider.trust.knownProvider;
    const rest = literalOf(this, {
      managedPolicyArns: props.managedPolicyArns ?? [],
      arnVariable: props.arnVariable ?? roleArnVariable(name),
      ciJob: props.ciJobName ?? `${CI_JOB_PREFIX}${name}`,
    });
    if (provider === undefined || rest === undefined || literalAudiencesOf(props.provider) === undefined) return undefined;
    const policy = trustPolicyDocument(provider.arnForSizing, trust.condition);
    return props.provider.trust.checkKnownRole(describe(this), {
      claims: trust.claims,
      fields: trust.fields,
      renderedSubjects: trust.renderedSubjects,
      components: trust.components,
      componentsInput: props.subClaimComponents ? `subClaimComponents of ${describe(this)}` : `subClaimComponents of ${describe(props.provider)}`,
      managedPolicyArns: rest.managedPolicyArns,
      arnVariable: rest.arnVariable,
      ciJob: rest.ciJob,
      trustPolicyLength: [...policy].length,
    });
  }

  /** `claims` and `claimConditions` as one map of claim to values; a claim named by both is refused. */
  private mergedClaims(props: GitlabCiRoleProps): Record<string, string[]> | undefined {
    if (props.claimConditions === undefined) return props.claims;
    const typed = claimsOfConditions(props.claimConditions);
    const given = literalOf(this, props.claims ?? {});
    if (given === undefined) {
      refuse(this, 'claims is a token while claimConditions is set: give the claims of an expression with trustClaims, or the others as literals.');
      return typed;
    }
    const both = Object.keys(given).filter((claim) => claim in typed);
    if (both.length) refuse(this, `claims and claimConditions both name ${JSON.stringify(both)}: give each claim once, in claimConditions.`);
    return { ...given, ...typed };
  }
}
