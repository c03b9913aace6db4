import { Construct } from 'constructs';
import { DataGitlabProject } from '../terraform/gitlab';
import { readable } from '../guardrails/rules';

export interface GitlabProjectSubComponentsProps {
  /** HCL expression of the map from project (id, else path) to `{ components, set_with }` (see `projectSettingsExpression`). */
  readonly projects: string;
}

/**
 * Reads each GitLab project that a structured subject names, and checks at plan that the
 * project builds its `sub` from the components its roles render subjects for: otherwise no
 * job of it carries the sub they expect. The stack configures the gitlabhq/gitlab provider.
 */
export class GitlabProjectSubComponents extends Construct {
  constructor(scope: Construct, id: string, props: GitlabProjectSubComponentsProps) {
    super(scope, id);
    // A path always holds a '/', so a key that is a number is an id.
    const byId = 'can(tonumber(each.key))';
    const project = new DataGitlabProject(this, 'project', {
      id: `\${${byId} ? each.key : null}`,
      pathWithNamespace: `\${${byId} ? null : each.key}`,
      lifecycle: {
        postcondition: [
          readable({
            condition: '${jsonencode(self.ci_id_token_sub_claim_components) == jsonencode(each.value.components)}',
            errorMessage:
              'GitLab project ${each.key} builds its sub from ${jsonencode(self.ci_id_token_sub_claim_components)}, but its roles render their structured subjects ' +
              "for ${jsonencode(each.value.components)}: its jobs would not carry the sub the roles expect. Set the project's components with " +
              "${each.value.set_with} (or give the roles the project's list in ci_id_token_sub_claim_components).",
          }),
        ],
      },
    });
    project.addOverride('for_each', `\${${props.projects}}`);
    project.overrideLogicalId('sub_components');
  }
}
