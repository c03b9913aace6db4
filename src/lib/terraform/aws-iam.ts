import { Construct } from 'constructs';
import { BlockMetaArguments, PlainResource } from './blocks';

/**
 * The hashicorp/aws resources the library writes, with the arguments it sets. The names and
 * meanings are the provider's (5.x and 6.x alike); see each resource's registry page.
 */

/** @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_openid_connect_provider */
export interface IamOpenidConnectProviderArguments extends BlockMetaArguments {
  readonly url: string;
  readonly clientIdList: string[];
  readonly thumbprintList?: string[];
}

export class IamOpenidConnectProvider extends PlainResource {
  public static readonly tfResourceType = 'aws_iam_openid_connect_provider';
  constructor(scope: Construct, id: string, args: IamOpenidConnectProviderArguments) {
    super(
      scope,
      id,
      IamOpenidConnectProvider.tfResourceType,
      { client_id_list: 'stringList', thumbprint_list: 'stringList', url: 'string' },
      { client_id_list: args.clientIdList, thumbprint_list: args.thumbprintList, url: args.url },
      args,
    );
  }
}

/** @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role */
export interface IamRoleArguments extends BlockMetaArguments {
  readonly assumeRolePolicy: string;
  readonly description?: string;
  readonly maxSessionDuration?: number;
  readonly name?: string;
  readonly namePrefix?: string;
  readonly path?: string;
  readonly permissionsBoundary?: string;
  readonly tags?: Record<string, string>;
}

export class IamRole extends PlainResource {
  public static readonly tfResourceType = 'aws_iam_role';
  constructor(scope: Construct, id: string, args: IamRoleArguments) {
    super(
      scope,
      id,
      IamRole.tfResourceType,
      {
        assume_role_policy: 'string',
        description: 'string',
        max_session_duration: 'number',
        name: 'string',
        name_prefix: 'string',
        path: 'string',
        permissions_boundary: 'string',
        tags: 'stringMap',
      },
      {
        assume_role_policy: args.assumeRolePolicy,
        description: args.description,
        max_session_duration: args.maxSessionDuration,
        name: args.name,
        name_prefix: args.namePrefix,
        path: args.path,
        permissions_boundary: args.permissionsBoundary,
        tags: args.tags,
      },
      args,
    );
  }

  /** The role's ARN. */
  public get arn(): string {
    return this.getStringAttribute('arn');
  }

  /** The role's name. */
  public get name(): string {
    return this.getStringAttribute('name');
  }
}

/** @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy */
export interface IamRolePolicyArguments extends BlockMetaArguments {
  readonly name: string;
  readonly policy: string;
  readonly role: string;
}

export class IamRolePolicy extends PlainResource {
  public static readonly tfResourceType = 'aws_iam_role_policy';
  constructor(scope: Construct, id: string, args: IamRolePolicyArguments) {
    super(scope, id, IamRolePolicy.tfResourceType, { name: 'string', policy: 'string', role: 'string' }, { name: args.name, policy: args.policy, role: args.role }, args);
  }
}

/** @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy_attachment */
export interface IamRolePolicyAttachmentArguments extends BlockMetaArguments {
  readonly policyArn: string;
  readonly role: string;
}

export class IamRolePolicyAttachment extends PlainResource {
  public static readonly tfResourceType = 'aws_iam_role_policy_attachment';
  constructor(scope: Construct, id: string, args: IamRolePolicyAttachmentArguments) {
    super(scope, id, IamRolePolicyAttachment.tfResourceType, { policy_arn: 'string', role: 'string' }, { policy_arn: args.policyArn, role: args.role }, args);
  }
}
