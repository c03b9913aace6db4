import { Construct } from 'constructs';
import { TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { SynthOptions } from '../config/synth-options';
import { ARTICLE_VARIABLES } from '../config/article-variables';
import { GitlabOidcProvider } from '../constructs/gitlab-oidc-provider';
import { GitlabCiRole } from '../constructs/gitlab-ci-role';
import { declareBackend } from '../constructs/state-backend';
import { trustPreconditions } from '../guardrails/trust-checks';
import { conditionExpression, issuerHostExpression, trustPolicyExpression } from '../trust/trust-policy';

/** Provider versions the output accepts: thumbprints are optional from aws 5.81.0. */
export const PROVIDER_CONSTRAINTS = {
  terraform: '>= 1.5.0',
  aws: '>= 5.81.0, < 7.0.0',
  tls: '~> 4.0',
} as const;

/**
 * Keyless AWS access for GitLab CI/CD: the OIDC provider of a GitLab instance and the
 * role its jobs assume, at the addresses of the hand-written setup.
 */
export class GitlabOidcStack extends TerraformStack {
  constructor(scope: Construct, id: string, options: SynthOptions) {
    super(scope, id);

    for (const spec of ARTICLE_VARIABLES) {
      new TerraformVariable(this, spec.name, {
        type: spec.type,
        description: spec.description,
        validation: spec.validations.map((v) => ({ condition: v.condition, errorMessage: v.errorMessage })),
      });
    }

    new AwsProvider(this, 'aws', { region: '${var.aws_region}' });
    this.addOverride('terraform.required_providers.aws', { source: 'hashicorp/aws', version: PROVIDER_CONSTRAINTS.aws });
    if (options.thumbprintSource === 'tls') {
      new TlsProvider(this, 'tls');
      this.addOverride('terraform.required_providers.tls', { source: 'hashicorp/tls', version: PROVIDER_CONSTRAINTS.tls });
    }
    this.addOverride('terraform.required_version', PROVIDER_CONSTRAINTS.terraform);
    declareBackend(this, options);

    const issuerHost = new TerraformLocal(this, 'gitlab_issuer_host', `\${${issuerHostExpression('var.mygitlab')}}`);
    issuerHost.overrideLogicalId('gitlab_issuer_host');
    // merge() rather than an object literal: equal field names get a precondition's message, not a parse error.
    const claims = new TerraformLocal(
      this,
      'gitlab_ci_claims',
      '${merge({ (var.mygitlab_match_field) = var.mygitlab_match_value }, { (var.mygitlab_match_field1) = var.mygitlab_match_value1 })}',
    );
    claims.overrideLogicalId('gitlab_ci_claims');

    const provider = new GitlabOidcProvider(this, 'oidc_provider', {
      issuerUrl: 'var.mygitlab',
      issuerHost: 'local.gitlab_issuer_host',
      audiences: '[var.mygitlab_aud_value]',
      thumbprintSource: options.thumbprintSource,
    });

    const trustPolicy = new TerraformLocal(
      this,
      'gitlab_ci_trust_policy',
      `\${${trustPolicyExpression(provider.arnExpression, conditionExpression('local.gitlab_issuer_host', 'local.gitlab_ci_claims'))}}`,
    );
    trustPolicy.overrideLogicalId('gitlab_ci_trust_policy');

    const role = new GitlabCiRole(this, 'gitlab_ci_role', {
      trustPolicy: 'local.gitlab_ci_trust_policy',
      managedPolicyArns: 'var.role_arn',
      preconditions: [
        {
          condition: '${var.mygitlab_match_field != var.mygitlab_match_field1}',
          errorMessage:
            "mygitlab_match_field and mygitlab_match_field1 are both ${jsonencode(var.mygitlab_match_field)}: a claim can be checked once. Put all its values in mygitlab_match_value and check another claim (usually 'aud') with mygitlab_match_field1.",
        },
        ...trustPreconditions({
          role: 'aws_iam_role.gitlab_ci',
          claims: 'local.gitlab_ci_claims',
          providerAudiences: '[var.mygitlab_aud_value]',
          subjectInput: "mygitlab_match_field (or mygitlab_match_field1) = 'sub' and its values in mygitlab_match_value (or mygitlab_match_value1)",
          audienceInput: 'mygitlab_aud_value',
        }),
      ],
    });

    new TerraformOutput(this, 'ROLE_ARN', {
      description: 'ARN of the role GitLab jobs assume; set it as the ROLE_ARN CI/CD variable of the trusted projects.',
      value: `\${${role.arnExpression}}`,
    });
    new TerraformOutput(this, 'oidc_provider_arn', {
      description: 'ARN of the IAM OIDC identity provider of the GitLab instance.',
      value: `\${${provider.arnExpression}}`,
    });
  }
}
