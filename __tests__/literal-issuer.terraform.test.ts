import * as path from 'path';
import { App, TerraformOutput, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GitlabCiRole, GitlabOidcProvider } from '../src/lib';
import { tempDir } from './helpers/synth';
import { describeWithTerraform, init, tf, workdir } from './helpers/terraform';

/**
 * Where the issuer is known at synth, the checks that depend on it are written for that
 * issuer: on gitlab.com AWS evaluates its extra claims and keeps a project's path from being
 * reclaimed; elsewhere it evaluates sub and aud only. Claims given through a variable are
 * still checked at plan, by what AWS will evaluate.
 */
describeWithTerraform('a literal issuer: the plan checks claims and warns about paths as that issuer needs', () => {
  let output = '';
  beforeAll(() => {
    const app = new App({ outdir: tempDir('literal-issuer') });
    const stack = new TerraformStack(app, 'issuers');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const claims = new TerraformVariable(stack, 'claims', { type: 'map(list(string))', default: {} });
    const com = new GitlabOidcProvider(stack, 'com', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    const acme = new GitlabOidcProvider(stack, 'acme', { issuerUrl: 'https://gitlab.acme.example', thumbprintSource: 'none' });
    const subjects = ['project_path:acme/api:ref_type:branch:ref:main'];
    new GitlabCiRole(stack, 'com_deploy', { provider: com, subjects, claims: Token.asAnyMap(claims.value) });
    new GitlabCiRole(stack, 'acme_deploy', { provider: acme, subjects, claims: Token.asAnyMap(claims.value) });
    for (const [name, provider] of [
      ['com', com],
      ['acme', acme],
    ] as const) {
      new TerraformOutput(stack, `${name}_warnings`, { value: Token.asAny(`\${${provider.trust.summary}["${name}_deploy"].warnings}`) });
    }
    app.synth();
    const file = path.join(app.outdir, 'stacks', 'issuers', 'cdk.tf.json');
    const runs = [
      // A claim gitlab.com evaluates, and no claims at all: both roles plan; only the other instance's is warned about its path.
      'run "no_claims" {\n  command = plan\n  assert {\n    condition = length(output.com_warnings) == 0 && length(output.acme_warnings) == 1\n' +
        '    error_message = "warnings: ${jsonencode([output.com_warnings, output.acme_warnings])}"\n  }\n}',
      'run "gitlab_com_claim" {\n  command = plan\n  variables {\n    claims = { project_id = ["42"] }\n  }\n  expect_failures = [aws_iam_role.acme_deploy]\n}',
      'run "claim_no_issuer_evaluates" {\n  command = plan\n  variables {\n    claims = { environment = ["production"] }\n  }\n  expect_failures = [aws_iam_role.com_deploy, aws_iam_role.acme_deploy]\n}',
    ];
    const dir = workdir(file, { 'tests/issuers.tftest.hcl': ['mock_provider "aws" {}', ...runs].join('\n\n') });
    init(dir);
    output = tf(dir, ['test']).output;
  }, 180_000);

  test.each(['no_claims', 'gitlab_com_claim', 'claim_no_issuer_evaluates'])('%s', (run) => {
    expect(output).toMatch(new RegExp(`run "${run}"\\.\\.\\. pass`));
  });
});
