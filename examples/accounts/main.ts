// One stack per AWS account, each with its own provider, state and roles:
//   CDKTF_OUTDIR=<dir> npm run -s example:accounts   (or: cd examples/accounts && npx cdktf deploy '*')
import { Construct } from 'constructs';
import { App, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AWS_REGION, GitlabCiRole, GitlabOidcProvider, checkProps } from 'gitlab-aws-oidc-cdktf';
import { ACCOUNTS, Account, STATE_BUCKET } from './accounts';

class AccountStack extends TerraformStack {
  constructor(scope: Construct, account: Account) {
    super(scope, account.name);
    checkProps(this, [{ prop: 'region', value: account.region, rules: [AWS_REGION] }]);
    new AwsProvider(this, 'aws', {
      region: account.region,
      profile: account.profile,
      assumeRole: account.assumeRoleArn ? [{ roleArn: account.assumeRoleArn }] : undefined,
      allowedAccountIds: [account.accountId],
    });
    new S3Backend(this, { ...STATE_BUCKET, key: `gitlab-oidc/${account.name}.tfstate` });

    // An account holds one provider per issuer: every role of the account shares it.
    const provider = new GitlabOidcProvider(this, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    for (const [id, props] of Object.entries(account.roles)) {
      const role = new GitlabCiRole(this, id, { provider, ...props });
      new TerraformOutput(this, `${id}_role_arn`, { value: role.arn });
    }
    new TerraformOutput(this, 'trust_conditions', { value: provider.trustConditions });
  }
}

const app = new App();
for (const account of ACCOUNTS) new AccountStack(app, account);
app.synth();
