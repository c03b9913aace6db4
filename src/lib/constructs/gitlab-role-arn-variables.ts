import { Construct } from 'constructs';
import { ProjectVariable } from '../terraform/gitlab';
import { protectedRefsOnlyExpression } from '../trust/trust-summary';
import { hclLocal } from './hcl-local';

export interface GitlabRoleArnVariablesProps {
  /** HCL expression of the role map: each role's `trust_claims`, `subjects` and `arn_variable`. */
  readonly roles: string;
  /** HCL expression of the map from role name to the projects whose jobs read its ARN. */
  readonly projects: string;
  /** HCL expression of the map from role name to the role's ARN. */
  readonly arns: string;
  /**
   * HCL expression of the map from role name to whether the role trusts protected refs only.
   * @default derived here from each role's `trust_claims`
   */
  readonly protectedRefsOnly?: string;
}

/**
 * The CI/CD variable holding each role's ARN, in every project its subjects name exactly
 * (wildcard subjects name no single project). The variable is protected when the role
 * trusts protected refs only; otherwise jobs of the unprotected refs it trusts could not
 * read it, and an ARN is no secret: the trust policy is what guards the role. The stack
 * configures the gitlabhq/gitlab provider.
 */
export class GitlabRoleArnVariables extends Construct {
  constructor(scope: Construct, id: string, props: GitlabRoleArnVariablesProps) {
    super(scope, id);

    const protectedOnly = props.protectedRefsOnly ? `${props.protectedRefsOnly}[name]` : protectedRefsOnlyExpression('role');
    hclLocal(this, 'gitlab_role_arns', props.arns);
    hclLocal(
      this,
      'gitlab_role_arn_variables',
      `merge([\nfor name, role in ${props.roles} : {\nfor project in ${props.projects}[name] : ` +
        `"\${name}/\${project}" => {\nproject = project\nkey = role.arn_variable\narn = local.gitlab_role_arns[name]\nprotected = ${protectedOnly}\n}\n}\n]...)`,
    );

    const variable = new ProjectVariable(this, 'role_arn', {
      project: '${each.value.project}',
      key: '${each.value.key}',
      value: '${each.value.arn}',
      protected: '${each.value.protected}',
      masked: false,
      environmentScope: '*',
      description: 'ARN of the AWS role that jobs of this project assume through GitLab OIDC; managed by gitlab-aws-oidc-cdktf.',
    });
    variable.addOverride('for_each', '${local.gitlab_role_arn_variables}');
    variable.overrideLogicalId('role_arn');
  }
}
