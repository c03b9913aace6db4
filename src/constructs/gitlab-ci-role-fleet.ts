import { Construct } from 'constructs';
import { IResolvable, Token } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { setIn } from '../guardrails/prop-checks';
import { hclOf } from '../hcl/expression';
import { CI_JOB_PREFIX, roleArnVariableExpression } from '../gitlab-ci/role-arn-variable';
import { problemsPrecondition, roleMapSource } from '../trust/role-model';
import { GitlabOidcProvider } from './gitlab-oidc-provider';
import { hclLocal } from './hcl-local';
import { terraformName } from './terraform-name';

export interface GitlabCiRoleFleetProps {
  /** The OIDC provider whose role map the roles join. */
  readonly provider: GitlabOidcProvider;

  /**
   * The roles by name, of the type `ROLES_TYPE`: subjects, audiences, claims, managed and
   * inline policies, IAM attributes. Usually a variable, so that roles come from tfvars; its
   * values are checked where it is declared (see `FLEET_VARIABLES`).
   *
   * @example Token.asAnyMap(rolesVariable.value)
   */
  readonly roles: IResolvable | Record<string, unknown>;

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
    const trust = props.provider.trust;
    trust.addRoles(
      roleMapSource(roles, {
        label: `"Role '\${name}' of ${rolesInput}"`,
        subjectInput: `"${rolesInput}['\${name}'].subjects"`,
        trustClaims: `merge({ sub = role.subjects, aud = role.audiences == null ? ${defaultAudiences} : role.audiences }, role.claims)`,
        managedPolicyArns: 'role.managed_policy_arns',
        arnVariable: roleArnVariableExpression('name'),
        ciJob: `"${CI_JOB_PREFIX}\${name}"`,
      }),
    );

    // Each instance reads only its own value of the map it is created from. Terraform 1.11
    // evaluates a for_each resource's instances against that map, so a slim map, holding
    // what each instance needs and nothing to index, lowers the cost per instance: measured
    // at 1,000 roles, 99 s of CPU against 152 s indexing the role model. It still grows with
    // the map (npm run bench).
    const attributes = ['path', 'description', 'max_session_duration', 'permissions_boundary', 'tags'];
    local(
      'instances',
      `{ for name, role in ${roles} : name => {\nassume_role_policy = ${trust.policyOf('name')}\nproblems = ${trust.problemsOf('name')}\n` +
        `${attributes.map((a) => `${a} = role.${a}`).join('\n')}\n} }`,
    );
    const role = new IamRole(this, 'role', {
      assumeRolePolicy: '${each.value.assume_role_policy}',
      lifecycle: { precondition: [problemsPrecondition('each.value.problems')] },
    });
    role.addOverride('for_each', `\${local.${name}_instances}`);
    role.addOverride('name', '${each.key}');
    for (const attribute of attributes) role.addOverride(attribute, `\${each.value.${attribute}}`);
    role.overrideLogicalId(name);

    // Attachments and inline policies, too, are created from maps that hold all each one
    // needs: the role's name comes from the role resource, which orders them after it, read
    // once for the whole map rather than per instance.
    local('role_arns', `{ for name, role in aws_iam_role.${name} : name => role.arn }`);
    this.roleArns = Token.asStringMap(`\${local.${name}_role_arns}`);
    const roleName = `aws_iam_role.${name}[name].name`;
    local(
      'policy_attachments',
      `merge([\nfor name, role in ${roles} : {\nfor arn in role.managed_policy_arns : "\${name}/\${arn}" => { role = ${roleName}, policy_arn = arn }\n}\n]...)`,
    );
    local(
      'inline_policies',
      `merge([\nfor name, role in ${roles} : {\nfor policy, document in role.inline_policies : "\${name}/\${policy}" => { role = ${roleName}, name = policy, document = document }\n}\n]...)`,
    );
    const attachments = new IamRolePolicyAttachment(this, 'attachments', {
      role: '${each.value.role}',
      policyArn: '${each.value.policy_arn}',
    });
    attachments.addOverride('for_each', `\${local.${name}_policy_attachments}`);
    attachments.overrideLogicalId(name);

    const inline = new IamRolePolicy(this, 'inline', {
      role: '${each.value.role}',
      name: '${each.value.name}',
      policy: '${each.value.document}',
    });
    inline.addOverride('for_each', `\${local.${name}_inline_policies}`);
    inline.overrideLogicalId(name);
  }
}
