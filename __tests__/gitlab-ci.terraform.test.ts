import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { readTerraformShow } from '../src/lib/access/terraform-show';
import { decideTokenAmong, gitlabSubject } from '../src/lib/access/gitlab-token';
import { run, snippetFiles } from '../scripts/ci-snippets';
import { PREFLIGHT, WRITE_TOKEN } from '../src/lib/gitlab-ci/ci-snippets';
import { spawnSync } from 'child_process';
import { EXAMPLE_TFVARS, REPO_ROOT, synthStack, tempDir } from './helpers/synth';
import { OFFLINE_AWS_OVERRIDE, describeWithTerraform, init, tfAsync, tfOk, workdir } from './helpers/terraform';
import { gitlabCiLocal, listJobs, previewCi } from './helpers/gitlab-ci-local';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read synthesized and planned JSON field by field */

/**
 * The GitLab side comes from the plan: the role map derives each role's CI snippet in
 * Terraform, beside its trust policy, and `npm run ci-snippets` writes it to files. Every
 * YAML here is parsed with the yaml library and checked by gitlab-ci-local.
 */

const example = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');

/** Plans of the stack with the article's tfvars, plus each named example tfvars, as `terraform show -json`. */
async function plans(extra: Record<string, string>): Promise<Record<string, any>> {
  const { file } = synthStack({ thumbprintSource: 'none' });
  const dir = workdir(file, { 'terraform.tfvars': EXAMPLE_TFVARS, 'offline_override.tf.json': OFFLINE_AWS_OVERRIDE, ...extra });
  init(dir);
  const names = ['article', ...Object.keys(extra)];
  return Object.fromEntries(
    await Promise.all(
      names.map(async (name) => {
        const args = name === 'article' ? [] : [`-var-file=${name}`];
        const planned = await tfAsync(dir, ['plan', '-refresh=false', '-lock=false', `-out=${name}.bin`, ...args]);
        if (planned.status !== 0) throw new Error(planned.output);
        return [name, JSON.parse(tfOk(dir, ['show', '-json', `${name}.bin`]).stdout)] as const;
      }),
    ),
  );
}

let planned: Promise<Record<string, any>> | undefined;
/** The plans both suites below read (article, fleet, pipeline), made once: each plan and show costs seconds. */
const examplePlans = () => (planned ??= plans({ 'fleet.tfvars': example('fleet.tfvars'), 'pipeline.tfvars': example('pipeline.tfvars') }));

/** The job name a snippet file defines, and the CI/CD variable its AWS_ROLE_ARN reads. */
const hidden = (text: string) => {
  const [[job, body]] = Object.entries(parse(text) as Record<string, any>);
  return { job, variable: String(body.variables.AWS_ROLE_ARN).replace(/^\$/, '') };
};

describeWithTerraform('CI snippets, derived in Terraform from the role map', () => {
  let shown: Record<string, any>;
  beforeAll(async () => {
    shown = await examplePlans();
  }, 300_000);

  test('one hidden job per role of the plan, and an example pipeline', () => {
    expect(Object.keys(snippetFiles(shown.article))).toEqual(['example.gitlab-ci.yml', 'aws-oidc-gitlab-ci.gitlab-ci.yml']);
    const fleet = snippetFiles(shown['fleet.tfvars']);
    expect(Object.keys(fleet)).toHaveLength(10);
    for (const [file, text] of Object.entries(fleet)) {
      if (file !== 'example.gitlab-ci.yml') expect(`${hidden(text).job.slice(1)}.gitlab-ci.yml`).toBe(file);
    }
  });

  test('each hidden job requests an audience its role trusts, and reads the variable its role is known by', () => {
    for (const plan of Object.values(shown)) {
      const conditions = plan.planned_values.outputs.trust_conditions.value;
      const snippets = plan.planned_values.outputs.gitlab_ci_snippets.value;
      for (const [role, text] of Object.entries(snippets as Record<string, string>)) {
        const [[, job]] = Object.entries(parse(text) as Record<string, any>);
        const trusted = Object.values(conditions[role]).flatMap((keys: any) => keys['gitlab.com:aud'] ?? []);
        expect([role, trusted]).toEqual([role, expect.arrayContaining([job.id_tokens.AWS_ID_TOKEN.aud])]);
        expect(job.variables.AWS_ROLE_ARN).toBe(role === 'gitlab_ci' ? '$ROLE_ARN' : `$ROLE_ARN_${role.toUpperCase().replace(/-/g, '_')}`);
        expect(job.variables.AWS_DEFAULT_REGION).toBe('ap-south-1');
        const claims = Object.keys(JSON.parse(job.variables.AWS_OIDC_TRUST_CLAIMS));
        expect(job.before_script).toEqual([WRITE_TOKEN, PREFLIGHT.replace('@CLAIMS@', claims.join(' '))]);
        expect(text).not.toContain('CI_JOB_JWT');
      }
    }
  });

  test('the before_script writes the token for the job alone, and where STS refuses it, prints the claims the role tests beside what it lets in, never the token', () => {
    const [[, job]] = Object.entries(parse(snippetFiles(shown['fleet.tfvars'])['aws-oidc-web-production.gitlab-ci.yml']) as Record<string, any>);
    const dir = tempDir('preflight');
    const bin = (name: string, status: number) => {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'aws'), `#!/bin/sh\nexit ${status}\n`, { mode: 0o755 });
      return path.join(dir, name);
    };
    const refusing = bin('refusing', 254);
    const accepting = bin('accepting', 0);
    const payload = {
      iss: 'https://gitlab.com',
      sub: 'project_path:web/storefront:ref_type:branch:ref:feature',
      aud: job.id_tokens.AWS_ID_TOKEN.aud,
      ref_protected: 'false',
      project_id: '40100001',
      user_login: 'alice',
    };
    const token = ['{"alg":"RS256"}', JSON.stringify(payload)].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.c2lnbmF0dXJl';
    const tokenFile = path.join(dir, 'token');
    const runJob = (aws: string) =>
      spawnSync('sh', ['-ec', job.before_script.join('\n')], {
        encoding: 'utf8',
        env: {
          PATH: `${aws}:${process.env.PATH}`,
          AWS_ID_TOKEN: token,
          AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
          AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/web-production',
          AWS_OIDC_TRUST_CLAIMS: job.variables.AWS_OIDC_TRUST_CLAIMS,
        },
      });
    const refused = runJob(refusing);
    expect(refused.status).toBe(1);
    expect(refused.stdout.split('\n').slice(0, 6)).toEqual([
      "AssumeRoleWithWebIdentity failed for arn:aws:iam::123456789012:role/web-production. The claims the role tests, as this job's token carries them:",
      ...Object.keys(JSON.parse(job.variables.AWS_OIDC_TRUST_CLAIMS)).map((claim) => `  ${claim}: ${(payload as Record<string, string>)[claim]}`),
      `The role lets in (a value listed for each claim): ${job.variables.AWS_OIDC_TRUST_CLAIMS}`,
    ]);
    expect(refused.stdout + refused.stderr).not.toContain(token.split('.')[1]);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(tokenFile, 'utf8')).toBe(token);
    const accepted = runJob(accepting);
    expect([accepted.status, accepted.stdout, accepted.stderr]).toEqual([0, '', '']);
  });

  test('the header says what the role needs: its variable, in which projects, protected or not', () => {
    const fleet = snippetFiles(shown['fleet.tfvars']);
    expect(fleet['aws-oidc-web-production.gitlab-ci.yml']).toMatch(
      /^# Generated by gitlab-aws-oidc-cdktf for Role 'web-production' of roles;.*\n.*\n# Needs the CI\/CD variable ROLE_ARN_WEB_PRODUCTION = the role's ARN in web\/storefront, web\/admin \(protected: the role trusts protected refs only\)\./,
    );
  });

  test("the example job runs on the branch the gitlab_ci role's subject names, and calls only what needs no permission of the role", () => {
    expect(parse(snippetFiles(shown.article)['example.gitlab-ci.yml'])['aws-demo']).toMatchObject({
      extends: '.aws-oidc-gitlab-ci',
      script: ['aws sts get-caller-identity'],
      rules: [{ if: '$CI_COMMIT_BRANCH == "main"' }],
    });
  });

  test('gitlab-ci-local checks: a misspelt keyword (id_token) is rejected', () => {
    const r = gitlabCiLocal({ '.gitlab-ci.yml': stringify({ deploy: { script: ['echo'], id_token: { X: { aud: 'a' } } } }) }, ['--preview']);
    expect(r.status).toBe(1);
  });

  test('gitlab-ci-local accepts the article example, and every fleet snippet included and extended by a job', () => {
    const files = { '.gitlab-ci.yml': snippetFiles(shown.article)['example.gitlab-ci.yml'] };
    expect(listJobs(files)).toEqual(['aws-demo']);
    expect(previewCi(files)['aws-demo'].variables.AWS_ROLE_ARN).toBe('$ROLE_ARN');

    const fleet = Object.entries(snippetFiles(shown['fleet.tfvars'])).filter(([file]) => file !== 'example.gitlab-ci.yml');
    const includes = Object.fromEntries(fleet.map(([file, text]) => [`.gitlab/${file}`, text]));
    const jobs = Object.fromEntries(
      fleet.map(([, text]) => [`use${hidden(text).job}`, { extends: hidden(text).job, image: 'amazon/aws-cli', script: ['aws sts get-caller-identity'] }]),
    );
    const merged = previewCi({ ...includes, '.gitlab-ci.yml': stringify({ include: Object.keys(includes).map((local) => ({ local })), ...jobs }) });
    for (const [, text] of fleet) {
      const { job } = hidden(text);
      expect(merged[`use${job}`].id_tokens).toEqual((parse(text) as any)[job].id_tokens);
    }
  });

  test('npm run ci-snippets writes the folder whole, and names a bad file in one line with exit 1', () => {
    const dir = tempDir('ci-out');
    const planJson = path.join(dir, 'plan.json');
    fs.writeFileSync(planJson, JSON.stringify(shown.article));
    const out = path.join(dir, 'gitlab-ci');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'aws-oidc-stale.gitlab-ci.yml'), 'stale');
    const lines: string[] = [];
    const errors: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => errors.push(l) };
    expect(run([planJson, '--out', out], io)).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['aws-oidc-gitlab-ci.gitlab-ci.yml', 'example.gitlab-ci.yml']);

    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{\n  "format_version": "1.2",\n  "planned_values": {\n}');
    expect(run([broken, '--out', out], io)).toBe(2);
    expect(errors).toEqual([`ci-snippets: ${broken} is not JSON (line 4): give the output of terraform show -json <plan file> (or of state)`]);
    expect(fs.readdirSync(out).sort()).toEqual(['aws-oidc-gitlab-ci.gitlab-ci.yml', 'example.gitlab-ci.yml']);
    expect(run([planJson, '--out', out, '--example', 'nobody'], io)).toBe(2);
    expect(errors[1]).toContain('ci-snippets: no role named "nobody"; the plan has ["gitlab_ci"]');
  });
});

describeWithTerraform('the example pipeline: merge requests plan, the protected default branch applies', () => {
  let reviewed: ReturnType<typeof readTerraformShow>;
  let merged: Record<string, any>;
  let roleOfVariable: Record<string, string>;
  beforeAll(async () => {
    const shown = await examplePlans();
    reviewed = readTerraformShow(shown['pipeline.tfvars']);
    const files = snippetFiles(shown['pipeline.tfvars']);
    roleOfVariable = Object.fromEntries(
      Object.entries(shown['pipeline.tfvars'].planned_values.outputs.gitlab_ci_snippets.value as Record<string, string>).map(([role, text]) => [hidden(text).variable, role]),
    );
    const ci = {
      '.gitlab-ci.yml': example('pipeline.gitlab-ci.yml'),
      '.gitlab/aws-oidc-oidc-plan.gitlab-ci.yml': files['aws-oidc-oidc-plan.gitlab-ci.yml'],
      '.gitlab/aws-oidc-oidc-deploy.gitlab-ci.yml': files['aws-oidc-oidc-deploy.gitlab-ci.yml'],
    };
    expect(listJobs(ci)).toEqual(['synth', 'test', 'validate', 'plan', 'apply']);
    merged = previewCi(ci);
  }, 300_000);

  /** The role a job assumes: the one whose CI/CD variable its AWS_ROLE_ARN reads. */
  const roleOf = (job: string) => roleOfVariable[String(merged[job].variables.AWS_ROLE_ARN).replace(/^\$/, '')];
  /** IAM's decision for a job of the pipeline, given the token its pipeline carries. */
  const decision = (job: string, token: { ref: string; protectedRef: boolean; project?: string }) => {
    const claims = {
      sub: gitlabSubject(token.project ?? 'platform/gitlab-oidc', token.ref),
      aud: merged[job].id_tokens.AWS_ID_TOKEN.aud,
      ref_protected: String(token.protectedRef),
    };
    return decideTokenAmong(reviewed.providers, claims, reviewed.roles.find((r) => r.name === roleOf(job))!.statements).decision;
  };
  const mergeRequest = { ref: 'feature/rotate-keys', protectedRef: false };
  const defaultBranch = { ref: 'main', protectedRef: true };

  test('plan runs for merge requests and the default branch with the read-only role; apply only on the default branch with the deploy role', () => {
    expect([roleOf('plan'), roleOf('apply')]).toEqual(['oidc-plan', 'oidc-deploy']);
    expect(merged.plan.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
    expect(merged.apply.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
    expect(merged.variables ?? {}).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
  });

  test('a merge request pipeline (its token carries the source branch) can plan, and cannot apply', () => {
    expect(decision('plan', mergeRequest)).toBe('allow');
    expect(decision('apply', mergeRequest)).toBe('deny');
  });

  test('the protected default branch can plan and apply', () => {
    expect(decision('plan', defaultBranch)).toBe('allow');
    expect(decision('apply', defaultBranch)).toBe('allow');
  });

  test('a merge request from a fork (its token names the fork) cannot even plan; an unprotected main cannot apply', () => {
    expect(decision('plan', { ...mergeRequest, project: 'someone/gitlab-oidc' })).toBe('deny');
    expect(decision('apply', { ref: 'main', protectedRef: false })).toBe('deny');
  });
});
