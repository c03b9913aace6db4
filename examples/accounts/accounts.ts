import type { GitlabCiRoleProps } from 'gitlab-aws-oidc-cdktf';

/** One AWS account: how Terraform reaches it, where its state lives, and its GitLab CI roles. */
export interface Account {
  /** The stack's name: its folder under `cdktf.out/stacks/` and its state key. */
  readonly name: string;
  /** The account's ID: the AWS provider refuses to touch any other. */
  readonly accountId: string;
  readonly region: string;
  /** The role Terraform assumes in the account (from the CI account, say). */
  readonly assumeRoleArn?: string;
  /** Or a named profile of the AWS CLI configuration. */
  readonly profile?: string;
  /** Roles by construct id, which is also the Terraform name (`aws_iam_role.<id>`). */
  readonly roles: Record<string, Omit<GitlabCiRoleProps, 'provider'>>;
}

/** Where every account keeps its state, each under its own key. */
export const STATE_BUCKET = { bucket: 'acme-terraform-state', region: 'eu-west-1' };

const project = 'acme/api';

/** The accounts: edit this list, then `cdktf deploy '*'` (or one stack by name). */
export const ACCOUNTS: readonly Account[] = [
  {
    name: 'dev',
    accountId: '111111111111',
    region: 'eu-west-1',
    profile: 'acme-dev',
    roles: {
      plan: { subjects: [`project_path:${project}:ref_type:branch:ref:*`], managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      deploy: { subjects: [`project_path:${project}:ref_type:branch:ref:*`], managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'] },
    },
  },
  {
    name: 'staging',
    accountId: '222222222222',
    region: 'eu-west-1',
    assumeRoleArn: 'arn:aws:iam::222222222222:role/terraform',
    roles: {
      plan: { subjects: [`project_path:${project}:ref_type:branch:ref:*`], managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      deploy: { subjects: [`project_path:${project}:ref_type:branch:ref:main`], managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'] },
    },
  },
  {
    name: 'prod',
    accountId: '333333333333',
    region: 'us-east-1',
    assumeRoleArn: 'arn:aws:iam::333333333333:role/terraform',
    roles: {
      plan: { subjects: [`project_path:${project}:ref_type:branch:ref:main`], managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      deploy: {
        subjects: [`project_path:${project}:ref_type:tag:ref:v*`],
        claims: { ref_protected: ['true'] },
        managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'],
        maxSessionDuration: 7200,
      },
    },
  },
];
