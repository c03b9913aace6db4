import { Construct } from 'constructs';
import { IResolvable, Token } from 'cdktf';
import { IamRole, IamRolePolicy, IamRolePolicyAttachment } from '../terraform/aws-iam';
import { setIn } from '../guardrails/prop-checks';
import { readable } from '../guardrails/rules';
import { hclOf } from '../hcl/expression';
import { CI_JOB_PREFIX, roleArnVariableExpression } from '../gitlab-ci/role-arn-variable';
import { roleMapSource, subjectClaimExpression } from '../trust/role-model';
import { SUBJECT_FIELDS_TYPE } from '../trust/sub-claim';
import { IGitlabOidcProvider } from './gitlab-oidc-provider';
import { hclLocal } from './hcl-local';
import { terraformName } from './terraform-name';

/** The type of `roles`: every attribute optional, so a role can be as small as its subjects. */
export const ROLES_TYPE = `map(object({
  subjects                         = optional(list(string), [])
  subject_fields                   = optional(list(${SUBJECT_FIELDS_TYPE}), [])
  ci_id_token_sub_claim_components = optional(list(string))
  audiences                        = optional(list(string))
  claims                           = optional(map(list(string)), {})
  managed_policy_arns              = optional(list(string), [])
  inline_policies                  = optional(map(string), {})
  permissions_boundary             = optional(string)
  max_session_duration             = optional(number, 3600)
  path                             = optional(string, "/")
  description                      = optional(string)
  tags                             = optional(map(string), {})
}))`;

export interface GitlabCiRoleFleetProps {
  /** The OIDC provider whose role map the roles join. */
  readonly provider: IGitlabOidcProvider;

  /**
   * The roles by name, of the type `ROLES_TYPE`: subjects, audiences, claims, managed and
   * inline policies, IAM attributes. Usually a variable, so that roles come from tfvars; its
   * values are checked where it is declared (see `FLEET_VARIABLES`).
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
    const name = terraformName(this, ['aws_iam_role', 'aws_iam_role_policy_attachment', 'aws_iam_role_policy']);
    const local = (suffix: string, expression: string) => hclLocal(this, `${name}_${suffix}`, expression);
    const roles = hclOf(this, props.roles);
    const rolesInput = setIn(this, 'roles', roles);
    const defaultAudiences = hclOf(this, props.defaultAudiences ?? props.provider.audiences);
    const defaultComponents = hclOf(this, props.defaultSubComponents ?? props.provider.subClaimComponents);
    const components = `coalesce(role.ci_id_token_sub_claim_components, ${defaultComponents})`;
    const trust = props.provider.trust;
    trust.addRoles(
      roleMapSource(roles, {
        label: `"Role '\${name}' of ${rolesInput}"`,
        subjectInput: `"${rolesInput}['\${name}'].subjects"`,
        trustClaims: `merge({\nsub = ${subjectClaimExpression('role.subjects', 'role.subject_fields', components)}\naud = role.audiences == null ? ${defaultAudiences} : role.audiences\n}, role.claims)`,
        subjectFields: 'role.subject_fields',
        subComponents: components,
        subComponentsInput: `"${rolesInput}['\${name}'].ci_id_token_sub_claim_components (else ${setIn(this, 'defaultSubComponents', defaultComponents)})"`,
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
    // plan showed at 2.3 s, against 0.9 s for maps. The role names come as a map from zipmap
    // of two lists; tomap, for the attachments, costs Terraform the square of the entries
    // (23 ms for 1,000, 80 ms for 2,000), still far less than the copies of an object.
    const forEachMap = (expression: string) => `tomap(${expression})`;
    const attributes = ['path', 'description', 'max_session_duration', 'permissions_boundary', 'tags'];
    local('names', `zipmap(keys(${roles}), keys(${roles}))`);
    local('settings', `{ for name, role in ${roles} : name => {\n${attributes.map((a) => `${a} = role.${a}`).join('\n')}\n} }`);
    const role = new IamRole(this, 'role', {
      assumeRolePolicy: `\${${trust.policyOf('each.key')}}`,
      lifecycle: { precondition: [trust.preconditionOf('each.key'), ...trust.providerPreconditions.map(readable)] },
    });
    role.addOverride('for_each', `\${local.${name}_names}`);
    role.addOverride('name', '${each.key}');
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
}
