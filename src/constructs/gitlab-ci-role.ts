import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Validation, readable } from '../guardrails/rules';

/** A `moved` block: state at `from` belongs at `to`. */
export interface Move {
  readonly from: string;
  readonly to: string;
}

/** IAM attributes of the role, each an HCL expression; an attribute left out is not set. */
export interface RoleAttributes {
  readonly name?: string;
  readonly namePrefix?: string;
  readonly path?: string;
  readonly description?: string;
  readonly maxSessionDuration?: string;
  readonly permissionsBoundary?: string;
  readonly tags?: string;
}

export interface GitlabCiRoleProps {
  /** HCL expression of the trust policy JSON (see `RoleTrustModel.policyOf`). */
  readonly trustPolicy: string;
  /** HCL expression of the list of managed policy ARNs to attach. */
  readonly managedPolicyArns: string;
  /**
   * HCL boolean: whether the role exists. The role is then counted (`<address>[0]`), and
   * `moves` carries state written at the unindexed address.
   * @default the role always exists, at an unindexed address
   */
  readonly enabled?: string;
  /**
   * The role's IAM attributes.
   * @default { namePrefix: '"GitLabCI"' }
   */
  readonly attributes?: RoleAttributes;
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

const ATTRIBUTE_NAMES: Record<keyof RoleAttributes, string> = {
  name: 'name',
  namePrefix: 'name_prefix',
  path: 'path',
  description: 'description',
  maxSessionDuration: 'max_session_duration',
  permissionsBoundary: 'permissions_boundary',
  tags: 'tags',
};

/**
 * An IAM role that GitLab jobs assume with `sts:AssumeRoleWithWebIdentity`, and its managed policies.
 * Attachments are keyed by policy ARN, so adding or removing one ARN touches no other.
 */
export class GitlabCiRole extends Construct {
  public readonly role: IamRole;
  public readonly attachments: IamRolePolicyAttachment;
  /** HCL expression of the role's ARN (null when the role does not exist). */
  public readonly arnExpression: string;
  /** `moved` blocks the stack must write for state of earlier addresses. */
  public readonly moves: readonly Move[];

  constructor(scope: Construct, id: string, props: GitlabCiRoleProps) {
    super(scope, id);
    const name = props.terraformName ?? 'gitlab_ci';
    const address = `aws_iam_role.${name}`;
    const counted = props.enabled !== undefined;

    this.role = new IamRole(this, 'role', {
      assumeRolePolicy: `\${${props.trustPolicy}}`,
      lifecycle: props.preconditions?.length ? { precondition: props.preconditions.map(readable) } : undefined,
    });
    for (const [key, value] of Object.entries(props.attributes ?? { namePrefix: '"GitLabCI"' })) {
      if (value !== undefined) this.role.addOverride(ATTRIBUTE_NAMES[key as keyof RoleAttributes], `\${${value}}`);
    }
    if (counted) this.role.addOverride('count', `\${${props.enabled} ? 1 : 0}`);
    this.role.overrideLogicalId(name);

    this.attachments = new IamRolePolicyAttachment(this, 'policies', {
      role: `\${${address}${counted ? '[0]' : ''}.name}`,
      policyArn: '${each.value}',
    });
    this.attachments.addOverride('for_each', `\${toset(${props.managedPolicyArns})}`);
    this.attachments.overrideLogicalId(name);
    this.arnExpression = counted ? `one(${address}[*].arn)` : `${address}.arn`;
    // State written while the role always existed sits at the address without an index.
    this.moves = counted ? [{ from: address, to: `${address}[0]` }] : [];
  }
}
