import { Construct } from 'constructs';
import { IResolvable, Token } from 'cdktf';
import { IamRole, IamRolePolicy, IamRolePolicyAttachment } from '../terraform/aws-iam';
import { refuse, setIn } from '../guardrails/prop-checks';
import { readable } from '../guardrails/rules';
import { hclOf, literalOf } from '../hcl/expression';
import { CI_JOB_PREFIX, roleArnVariableExpression } from '../gitlab-ci/role-arn-variable';
import { problemsPrecondition, roleMapSource, subjectClaimExpression } from '../trust/role-model';
import { roleAttributeChecks } from '../guardrails/role-attribute-checks';
import { problemsExpression } from '../guardrails/check';
import { SUBJECT_FIELDS_TYPE, SUBJECT_FIELD_OF, SubjectFields } from '../trust/sub-claim';
import { IGitlabOidcProvider } from './gitlab-oidc-provider';
import { GitlabCiRole } from './gitlab-ci-role';
import { hclLocal } from './hcl-local';
import { terraformName } from './terraform-name';

/** The attributes of a role of `roles` and their Terraform types: every one optional, so a role can be as small as its subjects. */
const ROLE_ATTRIBUTE_TYPES: Readonly<Record<string, string>> = {
  subjects: 'optional(list(string), [])',
  subject_fields: `optional(list(${SUBJECT_FIELDS_TYPE}), [])`,
  ci_id_token_sub_claim_components: 'optional(list(string))',
  audiences: 'optional(list(string))',
  claims: 'optional(map(list(string)), {})',
  managed_policy_arns: 'optional(list(string), [])',
  inline_policies: 'optional(map(string), {})',
  permissions_boundary: 'optional(string)',
  max_session_duration: 'optional(number, 3600)',
  path: 'optional(string, "/")',
  description: 'optional(string)',
  tags: 'optional(map(string), {})',
};
const ROLE_ATTRIBUTES = Object.keys(ROLE_ATTRIBUTE_TYPES);

/** The type of `roles`. */
export const ROLES_TYPE = `map(object({\n${ROLE_ATTRIBUTES.map((attribute) => `  ${attribute.padEnd(32)} = ${ROLE_ATTRIBUTE_TYPES[attribute]}`).join('\n')}\n}))`;

export interface GitlabCiRoleFleetProps {
  /** The OIDC provider whose role map the roles join. */
  readonly provider: IGitlabOidcProvider;

  /**
   * The roles by name, of the type `ROLES_TYPE`: subjects, audiences, claims, managed and
   * inline policies, IAM attributes. Usually a variable, so that roles come from tfvars; each
   * role is checked at plan, its trust by the provider's role map and its other attributes by
   * a precondition of its own (see `ROLE_ATTRIBUTE_RULES`). A map known at synth
   * (snake_case keys, as in tfvars) gives one `GitlabCiRole` per entry, named by its key, with
   * literal policies and every check at synth.
   *
   * @example Token.asAnyMap(rolesVariable.value)
   */
  readonly roles: IResolvable | Record<string, unknown>;

  /**
   * The sub components of a role that names none: the `ci_id_token_sub_claim_components` of the
   * projects its structured subjects name, for which they are rendered.
   *
   * @default the provider's `subClaimComponents`
   * @example ['project_id', 'ref_type', 'ref', 'ref_protected']
   */
  readonly defaultSubComponents?: string[];

  /**
   * The audiences of a role that names none.
   *
   * @default the provider's audiences
   * @example ['https://gitlab.com']
   */
  readonly defaultAudiences?: string[];
}

/**
 * Any number of GitLab CI roles under one OIDC provider, each with its own trust, managed
 * and inline policies, from one map (`for_each`). Every address is keyed by role name
 * (attachments by role and ARN), so adding, removing or renaming one role never touches
 * another. Its Terraform name is its construct id.
 */
export class GitlabCiRoleFleet extends Construct {
  /** The map from role name to its ARN. */
  public readonly roleArns: Record<string, string>;

  constructor(scope: Construct, id: string, props: GitlabCiRoleFleetProps) {
    super(scope, id);
    const literalRoles = Token.isUnresolved(props.roles) ? undefined : literalOf(this, props.roles as Record<string, unknown>);
    if (literalRoles !== undefined) {
      // Known at synth: one role per entry, with literal values and every check at synth.
      this.roleArns = Object.fromEntries(Object.entries(literalRoles).map(([roleName, role]) => [roleName, this.literalRole(props, roleName, role).arn]));
      return;
    }
    const name = terraformName(this, ['aws_iam_role', 'aws_iam_role_policy_attachment', 'aws_iam_role_policy']);
    const local = (suffix: string, expression: string) => hclLocal(this, `${name}_${suffix}`, expression);
    const roles = hclOf(this, props.roles);
    const rolesInput = setIn(this, 'roles', props.roles);
    const defaultAudiences = hclOf(this, props.defaultAudiences ?? props.provider.audiences);
    const defaultComponents = hclOf(this, props.defaultSubComponents ?? props.provider.subClaimComponents);
    const components = `coalesce(role.ci_id_token_sub_claim_components, ${defaultComponents})`;
    const trust = props.provider.trust;
    const who = `Role '\${name}' of ${rolesInput}`;
    trust.addRoles(
      roleMapSource(roles, {
        label: `"${who}"`,
        subjectInput: `"${rolesInput}['\${name}'].subjects"`,
        claimsInput: `"${rolesInput}['\${name}'].claims"`,
        trustClaims: `merge({\nsub = ${subjectClaimExpression('role.subjects', 'role.subject_fields', components)}\naud = role.audiences == null ? ${defaultAudiences} : role.audiences\n}, role.claims)`,
        subjectFields: 'role.subject_fields',
        subComponents: components,
        subComponentsInput: `"${rolesInput}['\${name}'].ci_id_token_sub_claim_components (else ${setIn(this, 'defaultSubComponents', props.defaultSubComponents ?? props.provider.subClaimComponents)})"`,
        managedPolicyArns: 'role.managed_policy_arns',
        arnVariable: roleArnVariableExpression('name'),
        ciJob: `"${CI_JOB_PREFIX}\${name}"`,
      }),
    );

    // Terraform 1.11 evaluates a for_each resource's whole map again for each instance, and
    // copies it twice (hashicorp/terraform#26355): that cost grows with the size of the map's
    // values. So each resource here is created from a map of strings, and its instances index
    // what else they need in locals evaluated once. Measured, the stack's plan of 1,000 roles:
    // 31 s of CPU this way, against 56 s with a map of objects holding each role's trust
    // policy, problems and attributes. And a map rather than the object a `for` expression
    // yields: Terraform builds an object's type again at each copy, which the profile of that
    // plan showed at 2.3 s, against 0.9 s for maps. Nor a set: the plan of 1,000 roles by
    // toset(keys(...)) took 45 CPU-s, against 19 by a map of strings. The roles come as the map
    // from name to IAM path; tomap costs Terraform the square of the entries (23 ms for 1,000,
    // 80 ms for 2,000), still far less than the copies of an object.
    const forEachMap = (expression: string) => `tomap(${expression})`;
    const attributes = ['description', 'max_session_duration', 'permissions_boundary', 'tags'];
    local('paths', forEachMap(`{ for name, role in ${roles} : name => role.path }`));
    local('settings', `{ for name, role in ${roles} : name => {\n${attributes.map((a) => `${a} = role.${a}`).join('\n')}\n} }`);
    // The roles' own attributes, checked here at plan: the role map checks their trust.
    local('input_problems', `{ for name, role in ${roles} : name => ${problemsExpression(roleAttributeChecks('role', who))} }`);
    const role = new IamRole(this, 'role', {
      assumeRolePolicy: `\${${trust.policyOf('each.key')}}`,
      lifecycle: {
        precondition: [problemsPrecondition(`local.${name}_input_problems[each.key]`), trust.preconditionOf('each.key'), ...trust.providerPreconditions.map(readable)],
      },
    });
    role.addOverride('for_each', `\${local.${name}_paths}`);
    role.addOverride('name', '${each.key}');
    role.addOverride('path', '${each.value}');
    for (const attribute of attributes) role.addOverride(attribute, `\${local.${name}_settings[each.key].${attribute}}`);
    role.overrideLogicalId(name);

    // Attachments and inline policies take their role's name from the role resource, which
    // orders them after it. Each reference to the resource reads all its instances, and in
    // Terraform 1.11 that read grows with the square of their number: so it is read once, here.
    local('created', `{ for name, role in aws_iam_role.${name} : name => { name = role.name, arn = role.arn } }`);
    local('role_arns', `{ for name, role in local.${name}_created : name => role.arn }`);
    this.roleArns = Token.asStringMap(`\${local.${name}_role_arns}`);
    const perRole = (inner: string) => `merge([\nfor name, role in ${roles} : {\n${inner}\n}\n]...)`;
    local('attachment_policies', forEachMap(perRole('for arn in role.managed_policy_arns : "${name}/${arn}" => arn')));
    local('attachment_roles', perRole('for arn in role.managed_policy_arns : "${name}/${arn}" => name'));
    local('inline_documents', forEachMap(perRole('for policy, document in role.inline_policies : "${name}/${policy}" => document')));
    local('inline_targets', perRole('for policy, document in role.inline_policies : "${name}/${policy}" => { role = name, name = policy }'));

    const attachments = new IamRolePolicyAttachment(this, 'attachments', {
      role: `\${local.${name}_created[local.${name}_attachment_roles[each.key]].name}`,
      policyArn: '${each.value}',
    });
    attachments.addOverride('for_each', `\${local.${name}_attachment_policies}`);
    attachments.overrideLogicalId(name);

    const inline = new IamRolePolicy(this, 'inline', {
      role: `\${local.${name}_created[local.${name}_inline_targets[each.key].role].name}`,
      name: `\${local.${name}_inline_targets[each.key].name}`,
      policy: '${each.value}',
    });
    inline.addOverride('for_each', `\${local.${name}_inline_documents}`);
    inline.overrideLogicalId(name);
  }

  /** One entry of a literal `roles`, as a `GitlabCiRole` named by its key (its IAM name, and its Terraform name). */
  private literalRole(props: GitlabCiRoleFleetProps, roleName: string, role: unknown): GitlabCiRole {
    const at = `roles[${JSON.stringify(roleName)}]`;
    const entry = (typeof role === 'object' && role !== null && !Array.isArray(role) ? role : {}) as Record<string, unknown>;
    if (entry !== role) refuse(this, `${at} is not an object of ROLES_TYPE: give { subjects = [...], managed_policy_arns = [...], ... }.`);
    const unknown = Object.keys(entry).filter((attribute) => !ROLE_ATTRIBUTES.includes(attribute));
    if (unknown.length) refuse(this, `${at} has ${JSON.stringify(unknown)}, which ROLES_TYPE does not take: use ${ROLE_ATTRIBUTES.join(', ')}.`);
    const structured = ((entry.subject_fields ?? []) as Record<string, unknown>[]).map((fields) =>
      Object.fromEntries(Object.entries(fields).map(([attribute, value]) => [SUBJECT_FIELD_OF[attribute] ?? attribute, value])),
    ) as SubjectFields[];
    const value = <T>(attribute: string) => entry[attribute] as T | undefined;
    return new GitlabCiRole(this, roleName, {
      provider: props.provider,
      subjects: [...(value<string[]>('subjects') ?? []), ...structured],
      subClaimComponents: value<string[]>('ci_id_token_sub_claim_components') ?? props.defaultSubComponents,
      audiences: value<string[]>('audiences') ?? props.defaultAudiences,
      claims: value<Record<string, string[]>>('claims'),
      managedPolicyArns: value<string[]>('managed_policy_arns'),
      inlinePolicies: value<Record<string, string>>('inline_policies'),
      roleName,
      permissionsBoundary: value<string>('permissions_boundary'),
      maxSessionDuration: value<number>('max_session_duration'),
      path: value<string>('path'),
      description: value<string>('description'),
      tags: value<Record<string, string>>('tags'),
    });
  }
}
