import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { Validation } from '../guardrails/rules';
import { textTemplate } from '../hcl/text';

export interface GitlabCiRoleProps {
  /** HCL expression of the trust policy JSON (see `RoleTrustModel.policyOf`). */
  readonly trustPolicy: string;
  /** HCL expression of the list of managed policy ARNs to attach. */
  readonly managedPolicyArns: string;
  /**
   * Name prefix of the role; AWS appends a unique suffix.
   * @default "GitLabCI"
   */
  readonly namePrefix?: string;
  /**
   * Terraform name of the role and of its policy attachments.
   * Keep the default to pick up state written by the hand-written setup.
   * @default "gitlab_ci"
   */
  readonly terraformName?: string;
  /**
   * Checks across several inputs, evaluated by Terraform before the role is planned.
   * @default []
   */
  readonly preconditions?: readonly Validation[];
}

/**
 * An IAM role that GitLab jobs assume with `sts:AssumeRoleWithWebIdentity`, and its managed policies.
 * Attachments are keyed by policy ARN, so adding or removing one ARN touches no other.
 */
export class GitlabCiRole extends Construct {
  public readonly role: IamRole;
  public readonly attachments: IamRolePolicyAttachment;
  /** HCL expression of the role's ARN. */
  public readonly arnExpression: string;

  constructor(scope: Construct, id: string, props: GitlabCiRoleProps) {
    super(scope, id);
    const name = props.terraformName ?? 'gitlab_ci';

    this.role = new IamRole(this, 'role', {
      namePrefix: props.namePrefix ?? 'GitLabCI',
      assumeRolePolicy: `\${${props.trustPolicy}}`,
      lifecycle: props.preconditions?.length ? { precondition: props.preconditions.map((p) => ({ ...p, errorMessage: textTemplate(p.errorMessage) })) } : undefined,
    });
    this.role.overrideLogicalId(name);

    this.attachments = new IamRolePolicyAttachment(this, 'policies', {
      role: `\${aws_iam_role.${name}.name}`,
      policyArn: '${each.value}',
    });
    this.attachments.addOverride('for_each', `\${toset(${props.managedPolicyArns})}`);
    this.attachments.overrideLogicalId(name);
    this.arnExpression = `aws_iam_role.${name}.arn`;
  }
}
