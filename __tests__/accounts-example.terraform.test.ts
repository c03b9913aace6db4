import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ACCOUNTS } from '../examples/accounts/accounts';
import { REPO_ROOT, tempDir } from './helpers/synth';
import { describeWithTerraform, init, tfAsync, validation, workdir } from './helpers/terraform';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read synthesized and planned JSON field by field */

/** The README's command: `CDKTF_OUTDIR=<dir> npm run -s example:accounts`. */
function synthAccounts(): string {
  const outdir = tempDir('accounts');
  execFileSync('npm', ['run', '-s', 'example:accounts'], { cwd: REPO_ROOT, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
  return outdir;
}

describeWithTerraform('examples/accounts: one stack per AWS account', () => {
  let outdir: string;
  const config = (name: string): any => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  beforeAll(() => {
    outdir = synthAccounts();
  }, 60_000);

  test('N accounts give N stacks, one folder each', () => {
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(ACCOUNTS.map((a) => a.name).sort());
  });

  test.each(ACCOUNTS.map((a) => [a.name, a] as const))('%s: its own provider, state key and roles', (name, account) => {
    const tf = config(name);
    const aws = tf.provider.aws[0];
    expect(aws.region).toBe(account.region);
    expect(aws.allowed_account_ids).toEqual([account.accountId]);
    expect(aws.assume_role?.[0]?.role_arn).toBe(account.assumeRoleArn);
    expect(aws.profile).toBe(account.profile);
    expect(tf.terraform.backend.s3.key).toBe(`gitlab-oidc/${name}.tfstate`);
    expect(Object.keys(tf.resource.aws_iam_openid_connect_provider)).toEqual(['gitlab']);
    expect(Object.keys(tf.resource.aws_iam_role).sort()).toEqual(Object.keys(account.roles).sort());
  });

  test('every stack passes terraform validate', async () => {
    const results = await Promise.all(
      ACCOUNTS.map(async ({ name }) => {
        const dir = workdir(path.join(outdir, 'stacks', name, 'cdk.tf.json'));
        // The S3 backend is not reachable here; validate needs the providers only.
        init(dir, { backend: false });
        return [name, validation(await tfAsync(dir, ['validate', '-json']))] as const;
      }),
    );
    expect(results).toEqual(ACCOUNTS.map(({ name }) => [name, { valid: true, problems: [] }]));
  }, 120_000);
});
