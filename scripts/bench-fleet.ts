/**
 * Fleet scale: `terraform test` planning N roles against a mocked aws provider, with wall
 * time, CPU time (user + sys, not lengthened by other processes) and peak memory, so growth
 * with the number of roles is visible. Two ways to give roles:
 * - `tfvars`: the app's stack, roles in `roles` (one `for_each` resource), as users of the
 *   synthesized Terraform give them;
 * - `typescript`: a stack of `GitlabCiRole` constructs, one resource each, as a CDKTF app
 *   using the library writes them.
 * And, to read those against: `floor`, Terraform's own cost for the resources of the tfvars
 * case (a role and an attachment per role, by `for_each`), with no expression of this project.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { GitlabCiRole } from '../src/lib/constructs/gitlab-ci-role';
import { GitlabOidcProvider } from '../src/lib/constructs/gitlab-oidc-provider';
import { STACK_NAME } from '../src/app/stacks/gitlab-oidc-stack';
import { Measured, median, timed } from './measure';
import { TERRAFORM, findPluginMirror, offlineEnv, terraformOnPath, writeMirrorConfig } from '../tools/terraform-offline';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE_TFVARS = fs.readFileSync(path.join(ROOT, 'terraform.tfvars.example'), 'utf8');
const PLAN_TEST = 'mock_provider "aws" {}\n\nrun "plan" {\n  command = plan\n}\n';

/** The managed policy each benched role attaches. */
const POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

/** Role `i` in the shape of examples/fleet.tfvars: two subjects, one policy, one protected-ref claim, a tag. */
const role = (i: number) => ({
  subjects: [`project_path:team-${i}/service:ref_type:branch:ref:main`, `project_path:team-${i}/*:ref_type:tag:ref:v*`],
  managedPolicyArns: [POLICY_ARN],
  claims: { ref_protected: ['true'] },
  tags: { team: `team-${i}` },
});

/** `count` roles for `roles` in tfvars. */
export function generateRoles(count: number): Record<string, unknown> {
  const roles: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const { managedPolicyArns, ...rest } = role(i);
    roles[`team-${i}-deploy`] = { ...rest, managed_policy_arns: managedPolicyArns };
  }
  return { roles };
}

/** A CDKTF stack of `count` GitlabCiRole constructs under one provider, synthesized into `outdir`; returns its folder. */
function synthTypescriptRoles(outdir: string, count: number): string {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'roles');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const provider = new GitlabOidcProvider(stack, 'gitlab', { issuerUrl: 'https://gitlab.com', thumbprintSource: 'none' });
  for (let i = 0; i < count; i++) new GitlabCiRole(stack, `team-${i}-deploy`, { provider, ...role(i) });
  app.synth();
  return path.join(outdir, 'stacks', 'roles');
}

/**
 * The tfvars case's resources and nothing else: roles by `for_each` over a map of names, and
 * an attachment per role that reads the roles once through a local, as GitlabCiRoleFleet does,
 * both from maps of strings.
 * No trust policy, guardrail, validation or output: what Terraform 1.11 costs for the same
 * addresses, below which no expression of ours can go.
 */
function floorConfig(count: number): object {
  const names = Object.fromEntries(Array.from({ length: count }, (_, i) => [`team-${i}-deploy`, `team-${i}-deploy`]));
  return {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } },
    provider: { aws: [{ region: 'eu-west-1' }] },
    variable: { names: { type: 'map(string)', default: names } },
    locals: {
      created: '${{ for name, role in aws_iam_role.fleet : name => role.name }}',
      attachment_roles: `\${tomap({ for name in keys(var.names) : "\${name}/${POLICY_ARN}" => name })}`,
    },
    resource: {
      aws_iam_role: { fleet: { for_each: '${var.names}', name: '${each.key}', assume_role_policy: '{}' } },
      aws_iam_role_policy_attachment: { fleet: { for_each: '${local.attachment_roles}', role: '${local.created[each.value]}', policy_arn: POLICY_ARN } },
    },
  };
}

/**
 * The typescript case's roles written by hand, as plain resources: the provider, and per role
 * a role with its trust policy as a literal JSON document and one attachment. No role map,
 * check or output: Terraform's floor for literal roles.
 */
function plainConfig(count: number): object {
  const providerArn = '${aws_iam_openid_connect_provider.gitlab.arn}';
  const roles: Record<string, object> = {};
  const attachments: Record<string, object> = {};
  for (let i = 0; i < count; i++) {
    const { subjects, tags } = role(i);
    const name = `team-${i}-deploy`;
    const condition = {
      StringEquals: { 'gitlab.com:aud': ['https://gitlab.com'], 'gitlab.com:ref_protected': ['true'] },
      StringLike: { 'gitlab.com:sub': subjects },
    };
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: providerArn }, Condition: condition }],
    };
    roles[name] = { name_prefix: 'GitLabCI', assume_role_policy: JSON.stringify(policy), tags };
    attachments[name] = { role: `\${aws_iam_role.${name}.name}`, policy_arn: POLICY_ARN };
  }
  return {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } },
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: {
      aws_iam_openid_connect_provider: { gitlab: { url: 'https://gitlab.com', client_id_list: ['https://gitlab.com'] } },
      // Terraform refuses a resource type with no blocks: with no roles, there are none.
      ...(count > 0 ? { aws_iam_role: roles, aws_iam_role_policy_attachment: attachments } : {}),
    },
  };
}

export type RoleSource = 'tfvars' | 'typescript' | 'floor' | 'plain';

export interface FleetRow {
  readonly source: RoleSource;
  readonly roles: number;
  readonly planSeconds: number;
  readonly planCpuSeconds?: number;
  readonly planMaxRssMb?: number;
}

/** The configuration's folder, ready to plan `size` roles given the way `source` says. */
function prepare(work: string, source: RoleSource, size: number): string {
  const outdir = path.join(work, `${source}-${size}`);
  if (source === 'typescript') return synthTypescriptRoles(outdir, size);
  if (source === 'floor' || source === 'plain') {
    fs.mkdirSync(outdir, { recursive: true });
    fs.writeFileSync(path.join(outdir, 'main.tf.json'), JSON.stringify(source === 'floor' ? floorConfig(size) : plainConfig(size), null, 2));
    return outdir;
  }
  timed(process.execPath, [path.join(ROOT, 'tools', 'run-app.js')], ROOT, {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTEXT_JSON: JSON.stringify({ thumbprintSource: 'none' }),
  });
  const dir = path.join(outdir, 'stacks', STACK_NAME);
  fs.writeFileSync(path.join(dir, 'terraform.tfvars'), EXAMPLE_TFVARS);
  fs.writeFileSync(path.join(dir, 'roles.auto.tfvars.json'), JSON.stringify(generateRoles(size)));
  return dir;
}

/**
 * Plans each size `runs` times, in rounds that go through every size once, so that the
 * machine's speed, which moves by half within minutes here, weighs on every size alike
 * (run back to back, one size's three runs could fall in a fast minute and the next size's in
 * a slow one). Wall and CPU are the medians, memory the peak.
 */
export function benchFleet(plan: ReadonlyArray<{ source: RoleSource; sizes: readonly number[] }>, runs: number): FleetRow[] | string {
  const mirror = findPluginMirror();
  if (!terraformOnPath() || !mirror) return `skipped: ${TERRAFORM} or a provider mirror is missing`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fleet-'));
  try {
    const env = offlineEnv(writeMirrorConfig(work, mirror));
    const cases = plan.flatMap(({ source, sizes }) => sizes.map((size) => ({ source, size, dir: prepare(work, source, size), plans: [] as Measured[] })));
    for (const { dir } of cases) {
      fs.mkdirSync(path.join(dir, 'tests'));
      fs.writeFileSync(path.join(dir, 'tests', 'plan.tftest.hcl'), PLAN_TEST);
      timed(TERRAFORM, ['init', '-input=false', '-backend=false'], dir, env);
    }
    for (let round = 0; round < runs; round++) {
      for (const c of cases) {
        const plan = timed(TERRAFORM, ['test', '-no-color'], c.dir, env);
        if (!plan.stdout.includes('1 passed, 0 failed')) throw new Error(`terraform test did not pass for ${c.size} roles (${c.source}):\n${plan.stdout}`);
        c.plans.push(plan);
      }
    }
    return cases.map(({ source, size, plans }) => {
      const cpu = plans.map((plan) => plan.cpuSeconds).filter((x): x is number => x !== undefined);
      const rss = plans.map((plan) => plan.maxRssMb).filter((m): m is number => m !== undefined);
      return {
        source,
        roles: size,
        planSeconds: median(plans.map((plan) => plan.seconds)),
        planCpuSeconds: cpu.length ? median(cpu) : undefined,
        planMaxRssMb: rss.length ? Math.max(...rss) : undefined,
      };
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
