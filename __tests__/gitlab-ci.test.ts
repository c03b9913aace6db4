import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { CiConfigError, ciRoles, jobAudience, writeCiSnippets } from '../src/gitlab-ci/ci-snippets';
import { parseTfvars } from '../src/gitlab-ci/tfvars-parser';
import { EXAMPLE_TFVARS, REPO_ROOT, tempDir } from './helpers/synth';
import { gitlabCiLocal, listJobs, previewCi } from './helpers/gitlab-ci-local';

/* eslint-disable @typescript-eslint/no-explicit-any */

const FLEET = { ...parseTfvars(EXAMPLE_TFVARS), ...parseTfvars(fs.readFileSync(path.join(REPO_ROOT, 'examples', 'fleet.tfvars'), 'utf8')) };

function snippets(vars: Record<string, unknown>, audience?: string): Record<string, string> {
  const dir = tempDir('ci');
  writeCiSnippets(dir, vars, audience);
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('CI snippets, as written by synth', () => {
  const article = snippets(parseTfvars(EXAMPLE_TFVARS));
  const fleet = snippets(FLEET);

  test('one hidden job per role, and a complete example for the article demo', () => {
    expect(Object.keys(article)).toEqual(['aws-oidc-gitlab-ci.gitlab-ci.yml', 'example.gitlab-ci.yml']);
    expect(Object.keys(fleet)).toHaveLength(10);
    for (const [file, text] of Object.entries(fleet)) {
      if (file === 'example.gitlab-ci.yml') continue;
      expect(Object.keys(parse(text))).toEqual([file.replace(/^aws-oidc-/, '.aws-oidc-').replace(/\.gitlab-ci\.yml$/, '')]);
    }
  });

  test('without the article role\'s inputs (a stack of roles only), no article snippet: the example uses the first role', () => {
    const { aws_region, mygitlab, mygitlab_aud_value, roles } = FLEET;
    const rolesOnly = snippets({ aws_region, mygitlab, mygitlab_aud_value, roles });
    expect(Object.keys(rolesOnly)).toHaveLength(9);
    expect(rolesOnly['aws-oidc-gitlab-ci.gitlab-ci.yml']).toBeUndefined();
    expect(Object.keys(parse(rolesOnly['example.gitlab-ci.yml']))).toContain('.aws-oidc-payments-api-deploy');
    expect(snippets({ aws_region, mygitlab, mygitlab_aud_value })).toEqual({});
  });

  test('the hidden job requests the audience the role trusts and hands the token to the AWS CLI and SDKs', () => {
    const job = parse(fleet['aws-oidc-web-production.gitlab-ci.yml'])['.aws-oidc-web-production'];
    expect(job.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: 'https://gitlab.com' } });
    expect(job.variables).toMatchObject({
      AWS_ROLE_ARN: '$ROLE_ARN_WEB_PRODUCTION',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/tmp/aws-web-identity-token-$CI_JOB_ID',
      AWS_DEFAULT_REGION: 'ap-south-1',
    });
    expect(job.before_script).toEqual(['printf \'%s\' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"']);
    expect(JSON.stringify(job)).not.toContain('CI_JOB_JWT');
  });

  test('a role with its own audiences gets its own aud', () => {
    const vars = { ...FLEET, roles: { deploy: { subjects: ['project_path:g/p:ref_type:branch:ref:main'], audiences: ['https://gitlab.com', 'sts.amazonaws.com'] } } };
    const role = ciRoles(vars).find((r) => r.slug === 'deploy')!;
    expect(jobAudience(role, undefined)).toBe('https://gitlab.com');
    expect(jobAudience(role, 'sts.amazonaws.com')).toBe('sts.amazonaws.com');
  });

  test('an audience the role does not trust fails with the error AWS would give', () => {
    expect(() => snippets(FLEET, 'sts.amazonaws.com')).toThrow(CiConfigError);
    expect(() => snippets(FLEET, 'sts.amazonaws.com')).toThrow(
      'GitLab jobs would request aud "sts.amazonaws.com" (ciIdTokenAudience), but aws_iam_role.gitlab_ci trusts ["https://gitlab.com"]. AWS would refuse every job with "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience"',
    );
    expect(Object.keys(snippets(FLEET, 'https://gitlab.com'))).toHaveLength(10);
  });

  test('names each role the CI/CD variable of its ARN, protected where the role trusts protected refs only', () => {
    const roles = Object.fromEntries(ciRoles(FLEET).map((r) => [r.slug, r]));
    expect(roles['gitlab-ci'].arnVariable).toBe('ROLE_ARN');
    expect(roles['payments-api-deploy'].arnVariable).toBe('ROLE_ARN_PAYMENTS_API_DEPLOY');
    expect(roles['web-production'].protectedRefsOnly).toBe(true);
    expect(roles['web-preview'].protectedRefsOnly).toBe(false);
  });

  test('the example job runs on the branch the article subject names', () => {
    const example = parse(article['example.gitlab-ci.yml']);
    expect(example['aws-demo']).toMatchObject({
      extends: '.aws-oidc-gitlab-ci',
      script: ['aws sts get-caller-identity', 'aws s3 ls'],
      rules: [{ if: '$CI_COMMIT_BRANCH == "main"' }],
    });
  });

  test('a fleet role cannot take the article role\'s job name', () => {
    expect(() => ciRoles({ ...FLEET, roles: { 'gitlab-ci': { subjects: [] } } })).toThrow("the name 'gitlab-ci' is the article role's hidden job");
  });
});

describe('gitlab-ci-local (GitLab CI schema) accepts every generated YAML', () => {
  const article = snippets(parseTfvars(EXAMPLE_TFVARS));
  const fleet = snippets(FLEET);

  test('the client does check: a misspelt keyword (id_token) is rejected', () => {
    const r = gitlabCiLocal({ '.gitlab-ci.yml': stringify({ deploy: { script: ['echo'], id_token: { X: { aud: 'a' } } } }) }, ['--preview']);
    expect(r.status).toBe(1);
  });

  test('the example .gitlab-ci.yml of the article tfvars lists its job and previews with the role\'s id_tokens', () => {
    const files = { '.gitlab-ci.yml': article['example.gitlab-ci.yml'] };
    expect(listJobs(files)).toEqual(['aws-demo']);
    const merged = previewCi(files)['aws-demo'];
    expect(merged.id_tokens.AWS_ID_TOKEN.aud).toBe('https://gitlab.com');
    expect(merged.variables.AWS_ROLE_ARN).toBe('$ROLE_ARN');
  });

  test.each(Object.keys(snippets(FLEET)).filter((f) => f !== 'example.gitlab-ci.yml'))('%s, included and extended by a job', (file) => {
    const job = parse(fleet[file]);
    const hidden = Object.keys(job)[0];
    const files = {
      '.gitlab/aws-oidc.yml': fleet[file],
      '.gitlab-ci.yml': stringify({ include: [{ local: '.gitlab/aws-oidc.yml' }], deploy: { extends: hidden, image: 'amazon/aws-cli', script: ['aws sts get-caller-identity'] } }),
    };
    const merged = previewCi(files).deploy;
    expect(merged.id_tokens).toEqual(job[hidden].id_tokens);
    expect(merged.before_script).toEqual(job[hidden].before_script);
  });

  test('this project\'s pipeline example (synth, test, validate, plan on MRs, apply on the default branch)', () => {
    const files = {
      '.gitlab-ci.yml': fs.readFileSync(path.join(REPO_ROOT, 'examples', 'pipeline.gitlab-ci.yml'), 'utf8'),
      '.gitlab/aws-oidc-gitlab-ci.yml': article['aws-oidc-gitlab-ci.gitlab-ci.yml'],
    };
    expect(listJobs(files)).toEqual(['synth', 'test', 'validate', 'plan', 'apply']);
    const merged = previewCi(files);
    expect(merged.plan.id_tokens.AWS_ID_TOKEN.aud).toBe('https://gitlab.com');
    expect(merged.apply.before_script).toContain('printf \'%s\' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"');
    expect(merged.apply.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
    expect(merged.variables ?? {}).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
  });
});
