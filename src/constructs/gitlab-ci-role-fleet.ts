import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { RoleTrustModel } from '../trust/role-model';
import { hclLocal } from './hcl-local';

export interface GitlabCiRoleFleetProps {
  /** HCL expression of the map of roles by name (see `ROLES_TYPE`): their IAM attributes and policies. */
  readonly roles: string;
  /** The role map's derivations: each role's trust policy and guardrails, by name. */
  readonly trust: RoleTrustModel;
}

/** Terraform name shared by the fleet's roles, attachments and inline policies. */
const NAME = 'fleet';

/**
 * Any number of GitLab CI roles under one OIDC provider, each with its own trust, managed
 * and inline policies. Every address is keyed by role name (attachments by role and ARN),
 * so adding, removing or renaming one role never touches another.
 */
export class GitlabCiRoleFleet extends Construct {
  /** HCL expression of the map from role name to its ARN. */
  public readonly roleArnsExpression = `local.${NAME}_role_arns`;

  constructor(scope: Construct, id: string, props: GitlabCiRoleFleetProps) {
    super(scope, id);
    const local = (name: string, expression: string) => hclLocal(this, `${NAME}_${name}`, expression);

    local(
      'policy_attachments',
      `merge([for name, role in ${props.roles} : { for arn in role.managed_policy_arns : "\${name}/\${arn}" => { role = name, policy_arn = arn } }]...)`,
    );
    local(
      'inline_policies',
      `merge([for name, role in ${props.roles} : { for policy, document in role.inline_policies : "\${name}/\${policy}" => { role = name, name = policy, document = document } }]...)`,
    );

    const role = new IamRole(this, 'role', {
      assumeRolePolicy: `\${${props.trust.policyOf('each.key')}}`,
      lifecycle: { precondition: [props.trust.preconditionOf('each.key')] },
    });
    role.addOverride('for_each', `\${${props.roles}}`);
    for (const attribute of ['name', 'path', 'description', 'max_session_duration', 'permissions_boundary', 'tags']) {
      role.addOverride(attribute, attribute === 'name' ? '${each.key}' : `\${each.value.${attribute}}`);
    }
    role.overrideLogicalId(NAME);

    // Attachments take the role name from a map built once. Referring to aws_iam_role.fleet
    // from each instance (by index or depends_on) makes Terraform 1.11 fetch every role per
    // instance: measured at 1,000 roles, 70 s and 1.8 GB against 50 s and 0.5 GB this way.
    local('role_names', `{ for name, role in aws_iam_role.${NAME} : name => role.name }`);
    local('role_arns', `{ for name, role in aws_iam_role.${NAME} : name => role.arn }`);
    const roleName = `\${local.${NAME}_role_names[each.value.role]}`;
    const attachments = new IamRolePolicyAttachment(this, 'attachments', {
      role: roleName,
      policyArn: '${each.value.policy_arn}',
    });
    attachments.addOverride('for_each', `\${local.${NAME}_policy_attachments}`);
    attachments.overrideLogicalId(NAME);

    const inline = new IamRolePolicy(this, 'inline', {
      role: roleName,
      name: '${each.value.name}',
      policy: '${each.value.document}',
    });
    inline.addOverride('for_each', `\${local.${NAME}_inline_policies}`);
    inline.overrideLogicalId(NAME);
  }
}
