import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { AwsProvider, GitlabProvider, PROVIDER_CONSTRAINTS, TlsProvider } from '../terraform/providers';
import { SynthOptions } from '../config/synth-options';
import { ARTICLE_ROLE_INPUTS, ARTICLE_ROLE_SHAPE_VARIABLES, ARTICLE_VARIABLES, MODULE_CI_REGION, ROLE_NAME_PREFIX_DEFAULT } from '../config/article-variables';
import { FLEET_VARIABLES } from '../config/fleet-variables';
import { VariableSpec } from '../config/variable-spec';
import { hclLocal } from '../../lib/constructs/hcl-local';
import { GitlabOidcProvider } from '../../lib/constructs/gitlab-oidc-provider';
import { GitlabCiRole } from '../../lib/constructs/gitlab-ci-role';
import { GitlabCiRoleFleet } from '../../lib/constructs/gitlab-ci-role-fleet';
import { GitlabRoleArnVariables } from '../../lib/constructs/gitlab-role-arn-variables';
import { GitlabProjectSubComponents } from '../../lib/constructs/gitlab-project-sub-components';
import { declareBackend } from './state-backend';
import { Validation, readable } from '../../lib/guardrails/rules';
import { addValidations } from '../../lib/guardrails/prop-checks';
import { existingProviderPrecondition } from '../../lib/guardrails/trust-checks';
import { ARTICLE_ROLE_NAME } from '../../lib/trust/role-model';
import { ARTICLE_ROLE_ARN_VARIABLE, CI_JOB_PREFIX } from '../../lib/gitlab-ci/role-arn-variable';
import { HclString, hclOf } from '../../lib/hcl/expression';

/** Adds a precondition to an output (the bindings have no field for it). */
function checkAtPlan(output: TerraformOutput, check: Validation): void {
  const { condition, errorMessage } = readable(check);
  output.addOverride('precondition', [{ condition, error_message: errorMessage }]);
}

/** The stack's name: its output lands in cdktf.out/stacks/gitlab-oidc/. */
export const STACK_NAME = 'gitlab-oidc';

/**
 * Keyless AWS access for GitLab CI/CD: the OIDC provider of a GitLab instance, the role of
 * the hand-written setup at its addresses, and any number of further roles (`roles`).
 */
export class GitlabOidcStack extends TerraformStack {
  /**
   * `forModule`: the stack that `npm run export -- --as-module` writes, whose caller configures
   * the aws provider: `aws_region` is then only the region of the CI snippets, and optional.
   */
  constructor(scope: Construct, id: string, options: SynthOptions, { forModule = false } = {}) {
    super(scope, id);

    const articleVariables = forModule ? ARTICLE_VARIABLES.map((spec) => (spec.name === 'aws_region' ? MODULE_CI_REGION : spec)) : ARTICLE_VARIABLES;
    this.declareVariables([...articleVariables, ...ARTICLE_ROLE_SHAPE_VARIABLES, ...FLEET_VARIABLES]);
    new AwsProvider(this, 'aws', { region: '${var.aws_region}' });
    if (options.thumbprintSource === 'tls') {
      new TlsProvider(this, 'tls');
    }
    this.addOverride('terraform.required_version', PROVIDER_CONSTRAINTS.terraform);
    declareBackend(this, options);

    const local = (name: string, expression: string) => hclLocal(this, name, expression);
    const variable = (name: string) => this.variables.get(name) as TerraformVariable;

    const provider = new GitlabOidcProvider(this, 'gitlab', {
      issuerUrl: variable('mygitlab').stringValue,
      // The audience a role trusts unless it names its own, and any further ones.
      audiences: Fn.distinct(Fn.concat([[variable('mygitlab_aud_value').stringValue], variable('additional_audiences').listValue])),
      existingProviderArn: variable('existing_provider_arn').stringValue,
      thumbprintSource: options.thumbprintSource,
      trustPolicyMaxLength: variable('trust_policy_max_length').numberValue,
      maxManagedPoliciesPerRole: variable('max_managed_policies_per_role').numberValue,
      ciAudience: variable('ci_id_token_audience').stringValue,
      subClaimComponents: variable('ci_id_token_sub_claim_components').listValue,
      // The provider's region, as the user wrote it: no data source, whose attribute for it each
      // major release of the aws provider names differently (name in 5.x, region in 6.x).
      ciRegion: variable('aws_region').stringValue,
    });

    // The article's role exists when all its inputs are set; with none set, the stack holds
    // only roles. Some but not all set is refused at plan (see the ROLE_ARN output).
    local('gitlab_ci_role_inputs', `{\n${ARTICLE_ROLE_INPUTS.map((name) => `${name} = var.${name}`).join('\n')}\n}`);
    local('gitlab_ci_role_missing', '[for name, value in local.gitlab_ci_role_inputs : name if value == null]');
    local('gitlab_ci_role_enabled', 'length(local.gitlab_ci_role_missing) == 0');
    // The hand-written setup's two claim checks. merge() rather than an object literal: equal
    // field names get a precondition's message instead of a parse error.
    local(
      'gitlab_ci_claims',
      'local.gitlab_ci_role_enabled ? merge(\n{ (var.mygitlab_match_field) = var.mygitlab_match_value },\n{ (var.mygitlab_match_field1) = var.mygitlab_match_value1 },\n) : {}',
    );

    const role = new GitlabCiRole(this, ARTICLE_ROLE_NAME, {
      provider,
      trustClaims: {
        claims: Token.asAnyMap('${local.gitlab_ci_claims}'),
        setIn: "mygitlab_match_field (or mygitlab_match_field1) = 'sub' and its values in mygitlab_match_value (or mygitlab_match_value1)",
        valuesSetIn: 'mygitlab_match_value (or mygitlab_match_value1)',
      },
      managedPolicyArns: variable('role_arn').listValue,
      enabled: Token.asAny('${local.gitlab_ci_role_enabled}'),
      arnVariable: ARTICLE_ROLE_ARN_VARIABLE,
      ciJobName: `${CI_JOB_PREFIX}gitlab-ci`,
      roleName: variable('role_name').stringValue,
      roleNamePrefix: variable('role_name_prefix').stringValue,
      path: variable('role_path').stringValue,
      description: variable('role_description').stringValue,
      maxSessionDuration: variable('role_max_session_duration').numberValue,
      permissionsBoundary: variable('role_permissions_boundary').stringValue,
      tags: Token.asStringMap(variable('role_tags').value),
      preconditions: [
        {
          condition: `\${var.role_name == null || var.role_name_prefix == ${JSON.stringify(ROLE_NAME_PREFIX_DEFAULT)}}`,
          errorMessage:
            `role_name \${jsonencode(var.role_name)} and role_name_prefix \${jsonencode(var.role_name_prefix)} are both set: a role has a fixed name or a prefix. ` +
            `Keep role_name to adopt a role of that name, or unset it to let AWS name the role from role_name_prefix.`,
        },
        {
          condition: '${var.mygitlab_match_field != var.mygitlab_match_field1}',
          errorMessage:
            "mygitlab_match_field and mygitlab_match_field1 are both ${jsonencode(var.mygitlab_match_field)}: a claim can be checked once. Put all its values in mygitlab_match_value and check another claim (usually 'aud') with mygitlab_match_field1.",
        },
      ],
    });

    const fleet = new GitlabCiRoleFleet(this, 'fleet', {
      provider,
      roles: variable('roles').value,
      defaultAudiences: [variable('mygitlab_aud_value').stringValue],
    });

    if (options.manageGitlabVariables) {
      new GitlabProvider(this, 'gitlab_api', { baseUrl: '${trimsuffix(var.mygitlab, "/")}/api/v4/' });
      new GitlabProjectSubComponents(this, 'gitlab_projects', { projects: provider.trust.projectSettings });
      new GitlabRoleArnVariables(this, 'gitlab_variables', {
        roles: provider.trust.roles,
        projects: provider.trust.ciProjects,
        protectedRefsOnly: provider.trust.protectedRefsOnly,
        arns: `merge({ ${role.node.id} = ${hclOf(this, role.arn)} }, ${hclOf(this, fleet.roleArns)})`,
      });
    }

    this.addOverride('moved', [...provider.moves, ...role.moves]);

    // Outputs are evaluated at plan, also when there is no article role: checks on the whole
    // stack live on them.
    const roleArn = new TerraformOutput(this, 'ROLE_ARN', {
      description: 'ARN of the gitlab_ci role GitLab jobs assume (null without one); set it as the ROLE_ARN CI/CD variable of the trusted projects.',
      value: role.arn,
    });
    checkAtPlan(roleArn, {
      condition: `\${local.gitlab_ci_role_enabled || length(local.gitlab_ci_role_missing) == length(local.gitlab_ci_role_inputs)}`,
      errorMessage:
        "The gitlab_ci role (aws_iam_role.gitlab_ci, the hand-written setup's) is half filled: ${jsonencode(local.gitlab_ci_role_missing)} not set. " +
        `Set all of ${ARTICLE_ROLE_INPUTS.join(', ')} for the gitlab_ci role, or none of them for a stack of roles only.`,
    });
    const providerArn = new TerraformOutput(this, 'oidc_provider_arn', {
      description: 'ARN of the IAM OIDC identity provider of the GitLab instance (created here, or existing_provider_arn).',
      value: provider.arn,
    });
    checkAtPlan(providerArn, existingProviderPrecondition('var.existing_provider_arn', HclString.of(this, provider.issuerHost)));
    new TerraformOutput(this, 'role_arns', {
      description: 'ARNs of the roles in roles, by role name.',
      value: fleet.roleArns,
    });
    new TerraformOutput(this, 'trust_summary', {
      description:
        "For review, per role (gitlab_ci is the hand-written setup's role): subjects, audiences, other claims, managed policies, and warnings for legal but dangerous choices.",
      value: provider.trustSummary,
    });
    new TerraformOutput(this, 'gitlab_ci_snippets', {
      description: 'Per role, the GitLab CI snippet (YAML) its jobs include and extend; npm run ci-snippets writes them to files.',
      value: provider.ciSnippets,
    });
    new TerraformOutput(this, 'sub_claim_components', {
      description: 'Per GitLab project that a structured subject names (id, else path): the ci_id_token_sub_claim_components its roles assume, and the API call that sets them.',
      value: provider.projectSubComponents,
    });
    new TerraformOutput(this, 'trust_conditions', {
      description:
        "For review, per role (gitlab_ci is the hand-written setup's role): the exact Condition block of its trust policy, known at plan even before the provider exists.",
      value: provider.trustConditions,
    });
  }

  private readonly variables = new Map<string, TerraformVariable>();

  private declareVariables(specs: readonly VariableSpec[]): void {
    for (const spec of specs) {
      const variable = new TerraformVariable(this, spec.name, {
        type: spec.type,
        description: spec.description,
      });
      addValidations(variable, spec.validations);
      // Through an override: cdktf drops a null default, which would make the variable required.
      if (spec.default !== undefined) variable.addOverride('default', spec.default);
      this.variables.set(spec.name, variable);
    }
  }
}
