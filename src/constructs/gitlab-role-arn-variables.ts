import { Construct } from 'constructs';
import { ProjectVariable } from '@cdktf/provider-gitlab/lib/project-variable';
import { ARTICLE_ROLE_NAME } from '../trust/role-model';
import { hclLocal } from './hcl-local';
import { ARTICLE_ROLE_ARN_VARIABLE, exactProjectsExpression, roleArnVariableExpression } from '../gitlab-ci/role-arn-variable';

export interface GitlabRoleArnVariablesProps {
  /** HCL expression of the role map (see `roleMapExpression`): each role's `trust_claims`. */
  readonly roles: string;
  /** HCL expression of the map from role name to the role's ARN. */
  readonly arns: string;
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

    const protectedOnly = `contains(lookup(role.trust_claims, "ref_protected", []), "true")`;
    const key = `name == "${ARTICLE_ROLE_NAME}" ? "${ARTICLE_ROLE_ARN_VARIABLE}" : ${roleArnVariableExpression('name')}`;
    hclLocal(this, 'gitlab_role_arns', props.arns);
    hclLocal(
      this,
      'gitlab_role_arn_variables',
      `merge([\nfor name, role in ${props.roles} : {\nfor project in ${exactProjectsExpression('lookup(role.trust_claims, "sub", [])')} : ` +
        `"\${name}/\${project}" => {\nproject = project\nkey = ${key}\narn = local.gitlab_role_arns[name]\nprotected = ${protectedOnly}\n}\n}\n]...)`,
    );

    const variable = new ProjectVariable(this, 'role_arn', {
      project: '${each.value.project}',
      key: '${each.value.key}',
      value: '${each.value.arn}',
      protected: '${each.value.protected}' as unknown as boolean,
      masked: false,
      environmentScope: '*',
      description: 'ARN of the AWS role that jobs of this project assume through GitLab OIDC; managed by gitlab-aws-oidc-cdktf.',
    });
    variable.addOverride('for_each', '${local.gitlab_role_arn_variables}');
    variable.overrideLogicalId('role_arn');
  }
}
