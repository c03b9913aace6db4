import { Construct } from 'constructs';
import { BlockMetaArguments, PlainDataSource, PlainResource } from './blocks';

/** The gitlabhq/gitlab blocks the library writes, with the arguments it sets. */

/** @see https://registry.terraform.io/providers/gitlabhq/gitlab/latest/docs/data-sources/project */
export interface DataGitlabProjectArguments extends BlockMetaArguments {
  readonly id?: string;
  readonly pathWithNamespace?: string;
}

export class DataGitlabProject extends PlainDataSource {
  public static readonly tfResourceType = 'gitlab_project';
  constructor(scope: Construct, id: string, args: DataGitlabProjectArguments) {
    super(scope, id, DataGitlabProject.tfResourceType, { id: 'string', path_with_namespace: 'string' }, { id: args.id, path_with_namespace: args.pathWithNamespace }, args);
  }
}

/** @see https://registry.terraform.io/providers/gitlabhq/gitlab/latest/docs/resources/project_variable */
export interface ProjectVariableArguments extends BlockMetaArguments {
  readonly description: string;
  readonly environmentScope: string;
  readonly key: string;
  readonly masked: boolean;
  readonly project: string;
  /** A boolean, or an expression that gives one. */
  readonly protected: boolean | string;
  readonly value: string;
}

export class ProjectVariable extends PlainResource {
  public static readonly tfResourceType = 'gitlab_project_variable';
  constructor(scope: Construct, id: string, args: ProjectVariableArguments) {
    super(
      scope,
      id,
      ProjectVariable.tfResourceType,
      { description: 'string', environment_scope: 'string', key: 'string', masked: 'boolean', project: 'string', protected: 'boolean', value: 'string' },
      {
        description: args.description,
        environment_scope: args.environmentScope,
        key: args.key,
        masked: args.masked,
        project: args.project,
        protected: args.protected,
        value: args.value,
      },
      args,
    );
  }
}
