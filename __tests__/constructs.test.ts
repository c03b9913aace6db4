import { Construct } from 'constructs';
import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GitlabCiRole, GitlabOidcProvider } from '../src/lib';
import { GITLAB_COM_EXTRA_CLAIMS } from '../src/lib/guardrails/rules';
import { CLAIMS_OF_CONDITION_KEYS } from '../src/lib/trust/claim-conditions';
import { KnownRoleRegistry } from '../src/lib/guardrails/known-role-checks';
import { tempDir } from './helpers/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read synthesized and planned JSON field by field */

const subjects = (project: string) => [`project_path:${project}:ref_type:branch:ref:main`];

function stack(): TerraformStack {
  const s = new TerraformStack(new App({ outdir: tempDir('constructs') }), 'platform');
  new AwsProvider(s, 'aws', { region: 'eu-west-1' });
  return s;
}

/** The synth error, or '' when synth passes. */
function synthError(s: TerraformStack): string {
  try {
    (s.node.root as App).synth();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('literal props are literals in the output', () => {
  const ARN = 'arn:aws:iam::123456789012:oidc-provider/gitlab.acme.example';
  const s = stack();
  const created = new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.com/', audiences: ['https://gitlab.com', 'sts.amazonaws.com'] });
  const imported = new GitlabOidcProvider(s, 'acme', { issuerUrl: 'https://gitlab.acme.example', existingProviderArn: ARN });
  new GitlabCiRole(s, 'deploy', { provider: imported, subjects: subjects('platform/infra') });
  const tf = JSON.parse(Testing.synth(s));

  test("a created provider's url, audiences and certificate host are the literals given", () => {
    const provider = tf.resource.aws_iam_openid_connect_provider.gitlab;
    expect(provider.url).toBe('https://gitlab.com/');
    expect(provider.client_id_list).toEqual(['https://gitlab.com', 'sts.amazonaws.com']);
    expect(tf.data.tls_certificate.gitlab.url).toBe('tls://gitlab.com:443');
    expect(Object.keys(tf.locals ?? {}).filter((name) => /^gitlab_(issuer_host|audiences|arn_for_sizing)$/.test(name))).toEqual([]);
    expect(created.issuerHost).toBe('gitlab.com');
    expect(created.audiences).toEqual(['https://gitlab.com', 'sts.amazonaws.com']);
  });

  test('a literal existingProviderArn creates nothing, counts nothing, and is the principal of its roles as written', () => {
    expect(Object.keys(tf.resource.aws_iam_openid_connect_provider)).toEqual(['gitlab']);
    expect(Object.keys(tf.data.tls_certificate)).toEqual(['gitlab']);
    expect(JSON.stringify(tf)).not.toContain('"count"');
    expect(imported.arn).toBe(ARN);
    expect(imported.moves).toEqual([]);
    expect(JSON.parse(tf.resource.aws_iam_role.deploy.assume_role_policy).Statement[0].Principal).toEqual({ Federated: ARN });
    expect(Object.keys(tf.locals ?? {}).filter((name) => /^acme_(arn|arn_for_sizing|issuer_host)$/.test(name))).toEqual([]);
  });

  test("an existingProviderArn of another issuer fails synth, naming the issuer's ARN suffix", () => {
    const other = stack();
    new GitlabOidcProvider(other, 'acme', { issuerUrl: 'https://gitlab.acme.example', existingProviderArn: 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' });
    expect(synthError(other)).toContain(
      'GitlabOidcProvider \'platform/acme\': existingProviderArn "arn:aws:iam::123456789012:oidc-provider/gitlab.com" is not the OIDC provider of gitlab.acme.example: ' +
        "its ARN must end in ':oidc-provider/gitlab.acme.example'",
    );
  });
});

describe('GitlabOidcProvider.fromArn: a provider made elsewhere', () => {
  const ARN = 'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com';

  test('a literal ARN names its issuer; nothing is created, and its roles trust the ARN as written', () => {
    const s = stack();
    const provider = GitlabOidcProvider.fromArn(s, 'gitlab', ARN);
    new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api') });
    const tf = JSON.parse(Testing.synth(s));
    expect(tf.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(tf.data).toBeUndefined();
    expect([provider.arn, provider.issuerHost, provider.audiences]).toEqual([ARN, 'gitlab.example.com', ['https://gitlab.example.com']]);
    expect(JSON.parse(tf.resource.aws_iam_role.deploy.assume_role_policy).Statement[0].Principal).toEqual({ Federated: ARN });
    expect(Object.keys(JSON.parse(tf.resource.aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringEquals)).toEqual([
      'gitlab.example.com:aud',
      'gitlab.example.com:sub',
    ]);
  });

  test("a token ARN creates nothing either; its roles check at plan that it is the issuer's provider", () => {
    const s = stack();
    const arn = new TerraformVariable(s, 'provider_arn', { type: 'string' });
    const provider = GitlabOidcProvider.fromArn(s, 'gitlab', arn.stringValue, { issuerUrl: 'https://gitlab.example.com' });
    new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api') });
    const tf = JSON.parse(Testing.synth(s));
    expect(tf.resource.aws_iam_openid_connect_provider).toBeUndefined();
    const conditions = tf.resource.aws_iam_role.deploy.lifecycle.precondition.map((p: any) => p.condition);
    expect(conditions).toContain('${var.provider_arn == null || endswith(coalesce(var.provider_arn, "-"), ":oidc-provider/gitlab.example.com")}');
  });

  test('a token ARN without issuerUrl fails synth with the fix', () => {
    const s = stack();
    const arn = new TerraformVariable(s, 'provider_arn', { type: 'string' });
    GitlabOidcProvider.fromArn(s, 'gitlab', arn.stringValue);
    expect(synthError(s)).toContain("GitlabOidcProvider 'platform/gitlab': fromArn was given an ARN that is not known at synth");
    expect(synthError(s)).toContain('give issuerUrl');
  });

  test('a literal ARN of another issuer than the one given fails synth', () => {
    const s = stack();
    GitlabOidcProvider.fromArn(s, 'gitlab', ARN, { issuerUrl: 'https://gitlab.com' });
    expect(synthError(s)).toContain('is not the OIDC provider of gitlab.com');
  });
});

describe('claimConditions: the claims AWS evaluates for gitlab.com, typed', () => {
  test("each typed key stands for one of AWS's gitlab.com claims, in its order", () => {
    expect(CLAIMS_OF_CONDITION_KEYS).toEqual(GITLAB_COM_EXTRA_CLAIMS);
  });

  test('typed values become the claims and string values of the conditions; lists are kept, single values listed', () => {
    const s = stack();
    const provider = new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api'), claimConditions: { refProtected: true, projectId: [4242, 4300] } });
    const tf = JSON.parse(Testing.synth(s));
    expect(JSON.parse(tf.resource.aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringEquals).toEqual({
      'gitlab.com:aud': ['https://gitlab.com'],
      'gitlab.com:project_id': ['4242', '4300'],
      'gitlab.com:ref_protected': ['true'],
      'gitlab.com:sub': ['project_path:acme/api:ref_type:branch:ref:main'],
    });
  });

  test('a claim named in claims and claimConditions, or an empty list, fails synth', () => {
    const s = stack();
    const provider = new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    new GitlabCiRole(s, 'twice', { provider, subjects: subjects('acme/api'), claims: { ref_protected: ['true'] }, claimConditions: { refProtected: true } });
    new GitlabCiRole(s, 'empty', { provider, subjects: subjects('acme/api'), claimConditions: { projectId: [] } });
    const error = synthError(s);
    expect(error).toContain('claims and claimConditions both name ["ref_protected"]: give each claim once, in claimConditions.');
    expect(error).toContain('GitlabCiRole \'platform/empty\': claims["project_id"] is empty');
  });

  test("on a self-managed issuer known at synth, gitlab.com's claims fail synth, with the components that put them in sub", () => {
    const s = stack();
    const provider = new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.acme.example', thumbprintSource: 'none' });
    new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api'), claimConditions: { refProtected: true, userLogin: 'bot' } });
    new GitlabCiRole(s, 'bot', { provider, subjects: subjects('acme/api'), claims: { user_login: ['bot'] } });
    const error = synthError(s);
    expect(error).toContain('GitlabCiRole \'platform/deploy\': claims ["ref_protected","user_login"] are conditions AWS does not evaluate for the issuer gitlab.acme.example');
    expect(error).toContain('Put ref_protected in sub instead: add ["ref_protected"] to subClaimComponents');
    expect(error).toMatch(/GitlabCiRole 'platform\/bot': claims \["user_login"\] are conditions AWS does not evaluate .* Remove them\./);
  });
});

describe('several providers and roles in one stack', () => {
  const s = stack();
  const com = new GitlabOidcProvider(s, 'gitlab_com', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
  const own = new GitlabOidcProvider(s, 'gitlab_acme', { issuerUrl: 'https://gitlab.acme.example', thumbprintSource: 'none' });
  new GitlabCiRole(s, 'api', { provider: com, subjects: subjects('acme/api') });
  new GitlabCiRole(s, 'web', { provider: com, subjects: subjects('acme/web') });
  new GitlabCiRole(s, 'infra', { provider: own, subjects: subjects('platform/infra') });
  // A reviewer's outputs: they read the role maps, which are written for them.
  new TerraformOutput(s, 'com_summary', { value: com.trustSummary });
  new TerraformOutput(s, 'acme_summary', { value: own.trustSummary });
  const tf = JSON.parse(Testing.synth(s));

  test('each construct writes its resources under its construct id', () => {
    expect(Object.keys(tf.resource.aws_iam_openid_connect_provider).sort()).toEqual(['gitlab_acme', 'gitlab_com']);
    expect(Object.keys(tf.resource.aws_iam_role).sort()).toEqual(['api', 'infra', 'web']);
  });

  test("each provider has its own role map, and each role reads its provider's", () => {
    expect(tf.locals.gitlab_com_roles).toContain('{ api = {');
    expect(tf.locals.gitlab_com_roles).toContain('{ web = {');
    expect(tf.locals.gitlab_com_roles).not.toContain('infra');
    expect(tf.locals.gitlab_acme_roles).toContain('{ infra = {');
    // Known at synth, each role's policy is written as a JSON document, trusting its own provider's resource.
    const policy = JSON.parse(tf.resource.aws_iam_role.infra.assume_role_policy);
    expect(policy.Statement[0].Principal).toEqual({ Federated: '${aws_iam_openid_connect_provider.gitlab_acme.arn}' });
    expect(policy.Statement[0].Condition.StringEquals['gitlab.acme.example:sub']).toEqual(['project_path:platform/infra:ref_type:branch:ref:main']);
    // No role reads the role map's policies, so the map writes none.
    expect(tf.locals.gitlab_acme_trust_policies).toBeUndefined();
  });

  test('a role without a fixed name gets a prefix that names it, and keeps the name an earlier release gave it; no count', () => {
    expect(tf.resource.aws_iam_role.api.name_prefix).toBe('api-');
    expect(tf.resource.aws_iam_role.api.lifecycle).toEqual({ ignore_changes: ['name_prefix'] });
    expect(tf.resource.aws_iam_role.api.count).toBeUndefined();
    expect(tf.resource.aws_iam_openid_connect_provider.gitlab_com.count).toBeUndefined();
  });

  test('constructs add no provider and no variable: the stack owns those', () => {
    expect(Object.keys(tf.provider)).toEqual(['aws']);
    expect(tf.variable).toBeUndefined();
    expect(tf.moved).toBeUndefined();
  });
});

describe('construct ids that Terraform cannot take fail synth', () => {
  test('two roles with one id in different scopes would share an address: both are named', () => {
    const s = stack();
    const provider = new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api') });
    const team = new TerraformStack(s.node.root as App, 'other');
    new AwsProvider(team, 'aws', { region: 'eu-west-1' });
    // Another stack may reuse the id: addresses are per stack.
    new GitlabCiRole(team, 'deploy', {
      provider: new GitlabOidcProvider(team, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' }),
      subjects: subjects('acme/api'),
    });
    expect(synthError(s)).toBe('');

    const t = stack();
    const p = new GitlabOidcProvider(t, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    new GitlabCiRole(t, 'deploy', { provider: p, subjects: subjects('acme/api') });
    const group = new Construct(t, 'team');
    new GitlabCiRole(group, 'deploy', { provider: p, subjects: subjects('acme/web') });
    const message = synthError(t);
    expect(message).toContain("[platform/team/deploy] GitlabCiRole 'platform/team/deploy': aws_iam_role.deploy is already the address of 'platform/deploy'");
  });

  test('an id that is not a Terraform name', () => {
    const s = stack();
    const provider = new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    new GitlabCiRole(s, 'deploy.prod', { provider, subjects: subjects('acme/api') });
    expect(synthError(s)).toContain(`GitlabCiRole 'platform/deploy.prod': construct id "deploy.prod" is not a Terraform name`);
  });

  test('a role with neither subjects nor trustClaims', () => {
    const s = stack();
    const provider = new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    new GitlabCiRole(s, 'deploy', { provider });
    expect(synthError(s)).toContain("GitlabCiRole 'platform/deploy': no subjects");
  });
});

describe('tokens', () => {
  test('a role enabled by an expression is counted, and moves state of its unindexed address', () => {
    const s = stack();
    const provider = new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
    const on = new TerraformVariable(s, 'on', { type: 'bool' });
    const role = new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api'), enabled: on.value });
    const tf = JSON.parse(Testing.synth(s));
    expect(tf.resource.aws_iam_role.deploy.count).toBe('${var.on ? 1 : 0}');
    expect(tf.locals.gitlab_roles).toContain('name => role if var.on');
    expect(role.moves).toEqual([{ from: 'aws_iam_role.deploy', to: 'aws_iam_role.deploy[0]' }]);
  });
});

describe('structured subjects and empty lists in props, refused at synth where they are literals', () => {
  const provider = (s: TerraformStack) => new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.acme.example', thumbprintSource: 'none' });

  test.each([
    ['subjects: []', { subjects: [] }, "GitlabCiRole 'platform/deploy': subjects is empty: a role with no subject would let in every project of the instance"],
    ['audiences: []', { subjects: subjects('acme/api'), audiences: [] }, "GitlabCiRole 'platform/deploy': audiences is empty: an empty list would drop the aud condition"],
    [
      'an empty claim list',
      { subjects: subjects('acme/api'), claims: { ref_protected: [] } },
      'claims["ref_protected"] is empty: an empty list would drop the condition and let in every value of ref_protected',
    ],
    ['a project id that is not a number', { subjects: [{ projectId: 'api' }] }, 'subjects[0].projectId "api" is refused: give the project\'s number, e.g. 4242'],
    ['a ref type GitLab never mints', { subjects: [{ projectId: 42, refType: 'merge_request' }] }, "subjects[0].refType \"merge_request\" is refused: give one of 'branch', 'tag'"],
    [
      'a Git ref path',
      { subjects: ['project_id:42:ref_type:branch:ref:main', { projectId: 42, ref: 'refs/heads/main' }] },
      'subjects[1].ref "refs/heads/main" is refused: GitLab\'s ref is the bare branch or tag name',
    ],
    [
      'a deployment tier GitLab never mints',
      { subjects: [{ projectId: 42, deploymentTier: 'prod' }] },
      "subjects[0].deploymentTier \"prod\" is refused: give one of 'production', 'staging'",
    ],
    [
      'a wildcard top-level group',
      { subjects: [{ projectPath: 'ac*/api' }] },
      'subjects[0].projectPath "ac*/api" is refused: give <group>/<project>, with the top-level group literal',
    ],
    ['a misspelt field', { subjects: [{ projectID: 42 }] }, 'subjects[0].projectID 42 is refused: a structured subject takes projectPath, projectId, refType'],
    [
      'a sub string with a claim GitLab never puts in sub',
      { subjects: ['project_id:42:pipeline_source:push'] },
      'subjects[0] "project_id:42:pipeline_source:push" is refused: GitLab builds sub only from',
    ],
    [
      'an audience the provider does not list',
      { subjects: subjects('acme/api'), audiences: ['https://gitlab.acme.example', 'sts.amazonaws.com'] },
      'GitlabCiRole \'platform/deploy\': audiences ["sts.amazonaws.com"] are not listed by the OIDC provider GitlabOidcProvider \'platform/gitlab\' (["https://gitlab.acme.example"]): STS would refuse',
    ],
    [
      'components that do not lead with the project',
      { subjects: [{ projectId: 42 }], subClaimComponents: ['ref', 'project_id'] },
      'subClaimComponents "ref,project_id" is refused: list ci_id_token_sub_claim_components',
    ],
  ])('%s', (_name, props, message) => {
    const s = stack();
    new GitlabCiRole(s, 'deploy', { provider: provider(s), ...(props as any) });
    expect(synthError(s)).toContain(message);
  });

  test("good structured subjects synthesize, as objects with every field, rendered for the role's components", () => {
    const s = stack();
    const gitlab = provider(s);
    new GitlabCiRole(s, 'deploy', {
      provider: gitlab,
      subjects: ['project_id:7:ref_type:tag:ref:v*', { projectId: 4242, ref: 'main', refProtected: true }],
      subClaimComponents: ['project_id', 'ref_type', 'ref', 'ref_protected'],
    });
    new TerraformOutput(s, 'conditions', { value: gitlab.trustConditions });
    expect(synthError(s)).toBe('');
    const tf = JSON.parse(Testing.synth(s));
    expect(JSON.parse(tf.resource.aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringLike['gitlab.acme.example:sub']).toEqual([
      'project_id:7:ref_type:tag:ref:v*',
      'project_id:4242:ref_type:branch:ref:main:ref_protected:true',
    ]);
    const roles = tf.locals.gitlab_roles;
    expect(roles).toContain(
      'subject_fields = [{ project_path = null, project_id = 4242, ref_type = null, ref = "main", ref_protected = true, environment_protected = null, deployment_tier = null }]',
    );
    expect(roles).toContain('sub = concat(["project_id:7:ref_type:tag:ref:v*"], flatten([');
    expect(roles).toContain('sub_components = ["project_id", "ref_type", "ref", "ref_protected"]');
  });
});

describe('what one account holds once, refused at synth where it is literal', () => {
  const gitlab = (s: TerraformStack, id: string, props: Record<string, unknown> = {}) =>
    new GitlabOidcProvider(s, id, { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none', ...props });

  test('two providers that would both create the provider of one issuer', () => {
    const s = stack();
    gitlab(s, 'gitlab');
    gitlab(s, 'again', { issuerUrl: 'https://gitlab.com/' });
    expect(synthError(s)).toContain(
      "GitlabOidcProvider 'platform/again': issuerUrl \"https://gitlab.com/\" is the issuer of GitlabOidcProvider 'platform/gitlab' too, and an account holds one OIDC provider per issuer.",
    );
  });

  test('one provider per issuer, a second that imports it, and one per issuer in another stack synthesize', () => {
    const s = stack();
    gitlab(s, 'gitlab');
    gitlab(s, 'imported', { existingProviderArn: 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' });
    gitlab(s, 'own', { issuerUrl: 'https://gitlab.acme.example' });
    const other = new TerraformStack(s.node.root as App, 'other-account');
    new AwsProvider(other, 'aws', { region: 'eu-west-1' });
    gitlab(other, 'gitlab');
    expect(synthError(s)).toBe('');
  });

  test("a role's audiences that its provider lists synthesize; where the provider's list is a token, the check waits for plan", () => {
    const s = stack();
    const listed = gitlab(s, 'gitlab', { audiences: ['https://gitlab.com', 'sts.amazonaws.com'] });
    new GitlabCiRole(s, 'deploy', { provider: listed, subjects: subjects('acme/api'), audiences: ['sts.amazonaws.com'] });
    const variable = new TerraformVariable(s, 'audiences', { type: 'list(string)' });
    const unknown = gitlab(s, 'own', { issuerUrl: 'https://gitlab.acme.example', audiences: variable.listValue });
    new GitlabCiRole(s, 'plan', { provider: unknown, subjects: subjects('acme/api'), audiences: ['sts.amazonaws.com'] });
    expect(synthError(s)).toBe('');
  });

  test('two roles with one name, whatever the case, and not two that AWS names from a prefix', () => {
    const s = stack();
    const provider = gitlab(s, 'gitlab');
    new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api'), roleName: 'Deploy' });
    new GitlabCiRole(s, 'deploy_again', { provider, subjects: subjects('acme/web'), roleName: 'deploy' });
    new GitlabCiRole(s, 'a', { provider, subjects: subjects('acme/a') });
    new GitlabCiRole(s, 'b', { provider, subjects: subjects('acme/b') });
    const error = synthError(s);
    expect(error).toContain(
      "GitlabCiRole 'platform/deploy_again': roleName \"deploy\" is the name of GitlabCiRole 'platform/deploy' too; IAM role names are unique in an account (regardless of case).",
    );
    expect(error.split('\n').filter((line) => line.includes('is the name of'))).toHaveLength(1);
  });
});

describe('a role whose trust is known at synth is checked at synth: no precondition, no local', () => {
  const gitlab = (s: TerraformStack, props: Record<string, unknown> = {}) =>
    new GitlabOidcProvider(s, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none', ...props });

  test('a stack of such roles has no locals, and its roles no precondition; a token role keeps its plan-time check', () => {
    const s = stack();
    const provider = gitlab(s);
    new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api'), managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    new GitlabCiRole(s, 'release', { provider, subjects: [{ projectPath: 'acme/api', refType: 'tag', ref: 'v*' }] });
    const literal = JSON.parse(Testing.synth(s));
    expect(literal.locals).toBeUndefined();
    expect(literal.resource.aws_iam_role.deploy.lifecycle?.precondition).toBeUndefined();
    expect(literal.resource.aws_iam_role.release.lifecycle?.precondition).toBeUndefined();

    const t = stack();
    const branch = new TerraformVariable(t, 'branch', { type: 'string' });
    new GitlabCiRole(t, 'deploy', { provider: gitlab(t), subjects: [`project_path:acme/api:ref_type:branch:ref:${branch.stringValue}`] });
    const token = JSON.parse(Testing.synth(t));
    expect(token.resource.aws_iam_role.deploy.lifecycle.precondition).toContainEqual({
      condition: '${length(local.gitlab_role_problems["deploy"]) == 0}',
      error_message: '${join("\\n", local.gitlab_role_problems["deploy"])}',
    });
  });

  test("an output that reads the provider's maps writes them, with the literal roles in them, and only the locals it reads", () => {
    const s = stack();
    const provider = gitlab(s);
    new GitlabCiRole(s, 'deploy', { provider, subjects: subjects('acme/api') });
    new TerraformOutput(s, 'summary', { value: provider.trustSummary });
    const tf = JSON.parse(Testing.synth(s));
    expect(Object.keys(tf.locals).sort()).toEqual(['gitlab_protected_refs_only', 'gitlab_roles', 'gitlab_trust_summary']);
    expect(tf.locals.gitlab_roles).toContain('{ deploy = {');
    expect(tf.resource.aws_iam_role.deploy.lifecycle?.precondition).toBeUndefined();
  });

  const THIRTY_SUBJECTS = Array.from({ length: 30 }, (_, i) => `project_path:acme/service-with-a-long-name-${i}:ref_type:branch:ref:main`);
  const ELEVEN_POLICIES = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::123456789012:policy/ci-${i}`);
  test.each([
    [
      'a trust policy over the length quota',
      [{ subjects: THIRTY_SUBJECTS }],
      {},
      /GitlabCiRole 'platform\/r0': its trust policy has (2[1-9]|[3-9])\d\d characters; IAM accepts 2048 \(trustPolicyMaxLength of GitlabOidcProvider/,
    ],
    [
      'a trust policy over a lowered quota, named where it is set',
      [{ subjects: subjects('acme/api') }],
      { trustPolicyMaxLength: 100 },
      "IAM accepts 100 (trustPolicyMaxLength of GitlabOidcProvider 'platform/gitlab'). Use fewer or broader subjects",
    ],
    [
      'more managed policies than the quota',
      [{ subjects: subjects('acme/api'), managedPolicyArns: ELEVEN_POLICIES }],
      {},
      "GitlabCiRole 'platform/r0': it attaches 11 managed policies; IAM allows 10 per role (maxManagedPoliciesPerRole of GitlabOidcProvider 'platform/gitlab')",
    ],
    [
      'two roles whose ARNs would go in one CI/CD variable',
      [
        { subjects: subjects('acme/api'), arnVariable: 'ROLE_ARN' },
        { subjects: subjects('acme/web'), arnVariable: 'ROLE_ARN' },
      ],
      {},
      "GitlabCiRole 'platform/r1': its ARN goes in the CI/CD variable ROLE_ARN, and so does that of GitlabCiRole 'platform/r0'",
    ],
    [
      'two roles with one hidden job',
      [
        { subjects: subjects('acme/api'), ciJobName: '.aws' },
        { subjects: subjects('acme/web'), ciJobName: '.aws' },
      ],
      {},
      "GitlabCiRole 'platform/r1': its hidden job .aws is the hidden job of GitlabCiRole 'platform/r0' too. Give one ciJobName.",
    ],
    [
      'two roles that render subjects of one project for different components',
      [
        { subjects: [{ projectId: 4242, ref: 'main' }], subClaimComponents: ['project_id', 'ref_type', 'ref'] },
        { subjects: [{ projectId: 4242, refProtected: true }], subClaimComponents: ['project_id', 'ref_protected'] },
      ],
      {},
      'GitlabCiRole \'platform/r1\': it renders structured subjects of project 4242 for the sub components ["project_id","ref_protected"] (subClaimComponents of GitlabCiRole \'platform/r1\'), but GitlabCiRole \'platform/r0\' renders them for ["project_id","ref_type","ref"]',
    ],
    [
      'a structured subject that does not name the project by the first component',
      [{ subjects: [{ projectPath: 'acme/api', ref: 'main' }], subClaimComponents: ['project_id', 'ref_type', 'ref'] }],
      {},
      'it has structured subject(s) that do not name the project by project_id, the first of its sub components ["project_id","ref_type","ref"]',
    ],
    [
      'a structured subject that asks for a component the list leaves out',
      [{ subjects: [{ projectPath: 'acme/api', ref: 'main', refProtected: true }] }],
      {},
      'it asks in structured subjects for ["ref_protected"], which its sub components ["project_path","ref_type","ref"]',
    ],
    [
      'a job audience the role does not accept',
      [{ subjects: subjects('acme/api'), audiences: ['https://gitlab.com'] }],
      { audiences: ['https://gitlab.com', 'sts.amazonaws.com'], ciAudience: 'sts.amazonaws.com' },
      'GitLab jobs would request aud "sts.amazonaws.com" (ciAudience of GitlabOidcProvider \'platform/gitlab\'), but the role accepts ["https://gitlab.com"]',
    ],
  ] as [string, object[], object, string | RegExp][])('%s fails synth', (_name, roles, providerProps, message) => {
    const s = stack();
    const provider = gitlab(s, providerProps as Record<string, unknown>);
    roles.forEach((props, i) => new GitlabCiRole(s, `r${i}`, { provider, ...(props as any) }));
    if (typeof message === 'string') expect(synthError(s)).toContain(message);
    else expect(synthError(s)).toMatch(message);
  });

  test('the same roles, each fixed, synthesize', () => {
    const s = stack();
    const provider = gitlab(s, { audiences: ['https://gitlab.com', 'sts.amazonaws.com'], ciAudience: 'sts.amazonaws.com' });
    new GitlabCiRole(s, 'r0', { provider, subjects: THIRTY_SUBJECTS.slice(0, 15), managedPolicyArns: ELEVEN_POLICIES.slice(0, 10) });
    new GitlabCiRole(s, 'r1', { provider, subjects: [{ projectId: 4242, ref: 'main' }], subClaimComponents: ['project_id', 'ref_type', 'ref'] });
    new GitlabCiRole(s, 'r2', { provider, subjects: [{ projectId: 4242, refType: 'tag', ref: 'v*' }], subClaimComponents: ['project_id', 'ref_type', 'ref'] });
    new GitlabCiRole(s, 'r3', { provider, subjects: [{ projectPath: 'acme/api', ref: 'main', refProtected: true }], subClaimComponents: ['project_path', 'ref', 'ref_protected'] });
    expect(synthError(s)).toBe('');
  });
});

test("the synth-time checks refuse a structured subject's rendering that no GitLab token carries, as the role map does at plan", () => {
  const provider = {
    arnForSizing: 'arn:aws:iam::123456789012:oidc-provider/gitlab.com',
    trustPolicyMaxLength: { value: 2048, setIn: 'x' },
    maxManagedPoliciesPerRole: { value: 10, setIn: 'y' },
  };
  const role = (renderedSubjects: string[]) => ({
    claims: { sub: renderedSubjects, aud: ['https://gitlab.com'] },
    fields: [],
    renderedSubjects,
    components: ['project_path', 'ref_type', 'ref'],
    componentsInput: 'subClaimComponents',
    managedPolicyArns: [],
    arnVariable: `ROLE_ARN_${renderedSubjects.length}`,
    ciJob: `.aws-oidc-${renderedSubjects.length}`,
    trustPolicyLength: 300,
  });
  const registry = new KnownRoleRegistry();
  expect(registry.check('a', role(['project_path:acme/api:ref_type:branch:ref:main']), provider)).toEqual([]);
  expect(registry.check('b', role(['project_path:acme/api:ref_type:branch:ref:main', 'project_path:*:ref_type:branch:ref:main']), provider)).toEqual([
    expect.stringContaining(
      'its structured subjects render to sub value(s) no GitLab token carries: "project_path:*:ref_type:branch:ref:main": name the top-level group literally',
    ),
  ]);
});
