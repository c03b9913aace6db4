import { Construct } from 'constructs';
import { TerraformLocal } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { quotaPreconditions } from '../guardrails/quotas';
import { trustPreconditions } from '../guardrails/trust-checks';
import { conditionExpression, trustPolicyExpression } from '../trust/trust-policy';

export interface GitlabCiRoleFleetProps {
  /** HCL expression of the map of roles by name (see `ROLES_TYPE`). */
  readonly roles: string;
  /** HCL expression of the issuer host that prefixes condition keys. */
  readonly issuerHost: string;
  /** HCL expression of the OIDC provider's ARN. */
  readonly providerArn: string;
  /** HCL expression of an ARN as long as the provider's, known at plan time, to measure trust policies. */
  readonly providerArnForSizing: string;
  /** HCL expression of the audiences the provider lists; a role without `audiences` trusts these. */
  readonly providerAudiences: string;
  /** Where the provider's audiences are set, for messages. */
  readonly audienceInput: string;
}

/** Terraform name shared by the fleet's roles, attachments and inline policies. */
const NAME = 'fleet';

/**
 * Any number of GitLab CI roles under one OIDC provider, each with its own trust, managed
 * and inline policies. Every address is keyed by role name (attachments by role and ARN),
 * so adding, removing or renaming one role never touches another.
 */
export class GitlabCiRoleFleet extends Construct {
  /** HCL expression of the map from role name to its claims (`sub`, `aud`, extra gitlab.com claims). */
  public readonly claimsExpression = `local.${NAME}_claims`;

  constructor(scope: Construct, id: string, props: GitlabCiRoleFleetProps) {
    super(scope, id);
    const local = (name: string, expression: string) => new TerraformLocal(this, name, `\${${expression}}`).overrideLogicalId(`${NAME}_${name}`);

    local(
      'claims',
      `{ for name, role in ${props.roles} : name => merge({ sub = role.subjects, aud = role.audiences == null ? ${props.providerAudiences} : role.audiences }, role.claims) }`,
    );
    const condition = conditionExpression(props.issuerHost, `local.${NAME}_claims[name]`);
    local('trust_policies', `{ for name, role in ${props.roles} : name => ${trustPolicyExpression(props.providerArn, condition)} }`);
    local('trust_policy_lengths', `{ for name, role in ${props.roles} : name => length(${trustPolicyExpression(props.providerArnForSizing, condition)}) }`);
    local(
      'policy_attachments',
      `merge([for name, role in ${props.roles} : { for arn in role.managed_policy_arns : "\${name}/\${arn}" => { role = name, policy_arn = arn } }]...)`,
    );
    local(
      'inline_policies',
      `merge([for name, role in ${props.roles} : { for policy, document in role.inline_policies : "\${name}/\${policy}" => { role = name, name = policy, document = document } }]...)`,
    );

    const who = `Role '\${each.key}' of roles`;
    const role = new IamRole(this, 'role', {
      assumeRolePolicy: `\${local.${NAME}_trust_policies[each.key]}`,
      lifecycle: {
        precondition: [
          ...trustPreconditions({
            role: who,
            claims: `local.${NAME}_claims[each.key]`,
            issuerHost: props.issuerHost,
            providerAudiences: props.providerAudiences,
            subjectInput: `roles['\${each.key}'].subjects`,
            audienceInput: props.audienceInput,
          }),
          ...quotaPreconditions({
            role: who,
            trustPolicyLength: `local.${NAME}_trust_policy_lengths[each.key]`,
            managedPolicyCount: 'length(each.value.managed_policy_arns)',
          }),
        ],
      },
    });
    role.addOverride('for_each', `\${${props.roles}}`);
    for (const attribute of ['name', 'path', 'description', 'max_session_duration', 'permissions_boundary', 'tags']) {
      role.addOverride(attribute, attribute === 'name' ? '${each.key}' : `\${each.value.${attribute}}`);
    }
    role.overrideLogicalId(NAME);

    const attachments = new IamRolePolicyAttachment(this, 'attachments', {
      role: `\${aws_iam_role.${NAME}[each.value.role].name}`,
      policyArn: '${each.value.policy_arn}',
    });
    attachments.addOverride('for_each', `\${local.${NAME}_policy_attachments}`);
    attachments.overrideLogicalId(NAME);

    const inline = new IamRolePolicy(this, 'inline', {
      role: `\${aws_iam_role.${NAME}[each.value.role].id}`,
      name: '${each.value.name}',
      policy: '${each.value.document}',
    });
    inline.addOverride('for_each', `\${local.${NAME}_inline_policies}`);
    inline.overrideLogicalId(NAME);
  }
}
