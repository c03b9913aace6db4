import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { GitlabCiRole, GitlabOidcProvider } from '../src/lib';
import { decideAccountRole, issuersOf } from '../src/lib/access/audit';
import { run } from '../src/lib/access/command';
import { RoleChange, TrustSide, diffRoles, readTrustSide } from '../src/lib/access/diff';
import { tempDir } from './helpers/synth';
import { OFFLINE_AWS_PROVIDER, describeWithTerraform, init, tfOk, workdir } from './helpers/terraform';

const ARN = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com';
const branch = (project: string, ref: string) => `project_path:${project}:ref_type:branch:ref:${ref}`;

/** The roles of one side, by construct id: their subjects. */
type Side = Record<string, string[]>;
const BEFORE: Side = {
  deploy: [branch('acme/api', 'main')],
  ci: [branch('acme/api', '*')],
  multi: [branch('acme/api', 'main'), branch('acme/web', 'main')],
  legacy: [branch('acme/old', 'main')],
  swap: [branch('acme/api', 'main')],
};
const AFTER: Side = {
  deploy: [branch('acme/api', '*')],
  ci: [branch('acme/api', 'main')],
  multi: [branch('acme/web', 'main'), branch('acme/api', 'main')],
  fresh: [branch('acme/new', 'main')],
  swap: [branch('acme/web', 'main')],
};

/** A stack of one side's roles, trusting an existing gitlab.com provider: every policy is known at plan. */
function synth(side: Side): string {
  const app = new App({ outdir: tempDir('diff-side') });
  const stack = new TerraformStack(app, 'platform');
  const provider = GitlabOidcProvider.fromArn(stack, 'gitlab', ARN, { issuerUrl: 'https://gitlab.com' });
  for (const [id, subjects] of Object.entries(side)) new GitlabCiRole(stack, id, { provider, subjects, roleName: `gitlab-${id}` });
  app.synth();
  return path.join(app.outdir, 'stacks', 'platform', 'cdk.tf.json');
}

describeWithTerraform('diff: two saved plans, compared by who gets in', () => {
  const files: Record<'before' | 'after', string> = { before: '', after: '' };
  let sides: Record<'before' | 'after', TrustSide>;
  let changes: RoleChange[];
  beforeAll(() => {
    const dir = workdir(synth(BEFORE), { 'offline_provider.tf.json': OFFLINE_AWS_PROVIDER });
    init(dir);
    for (const [name, side] of [
      ['before', BEFORE],
      ['after', AFTER],
    ] as const) {
      fs.copyFileSync(synth(side), path.join(dir, 'cdk.tf.json'));
      tfOk(dir, ['plan', '-refresh=false', '-lock=false', '-input=false', `-out=${name}.bin`]);
      files[name] = path.join(dir, `${name}.json`);
      fs.writeFileSync(files[name], tfOk(dir, ['show', '-json', `${name}.bin`]).stdout);
    }
    sides = { before: readTrustSide(files.before), after: readTrustSide(files.after) };
    changes = diffRoles(sides.before, sides.after);
  }, 120_000);

  test('every role of either side is listed with its change', () => {
    expect(Object.fromEntries(changes.map((c) => [c.role, c.change]))).toEqual({
      deploy: 'widened',
      ci: 'narrowed',
      multi: 'same',
      fresh: 'added',
      swap: 'changed',
      legacy: 'removed',
    });
  });

  test('every newly allowed token is refused before and let in after, and the reverse for newly refused', () => {
    const issuers = issuersOf([...sides.before.roles, ...sides.after.roles]);
    const decision = (side: 'before' | 'after', role: string, token: Record<string, string>) => {
      const r = sides[side].roles.find((x) => x.name === role);
      return r ? decideAccountRole(r, token, issuers).decision : 'absent';
    };
    for (const c of changes) {
      for (const t of c.newly_allowed)
        expect([c.role, decision('before', c.role, t), decision('after', c.role, t)]).toEqual([c.role, expect.stringMatching(/deny|absent/), 'allow']);
      for (const t of c.newly_refused)
        expect([c.role, decision('before', c.role, t), decision('after', c.role, t)]).toEqual([c.role, 'allow', expect.stringMatching(/deny|absent/)]);
    }
    const swap = changes.find((c) => c.role === 'swap')!;
    expect([swap.newly_allowed.map((t) => t.sub), swap.newly_refused.map((t) => t.sub)]).toEqual([[branch('acme/web', 'main')], [branch('acme/api', 'main')]]);
    // The widened role lets in other branches of its project, unprotected ones too.
    expect(changes.find((c) => c.role === 'deploy')!.newly_allowed).toContainEqual(
      expect.objectContaining({ sub: expect.stringMatching(/^project_path:acme\/api:ref_type:branch:ref:(?!main$)/), ref_protected: 'false' }),
    );
  });

  test('the command prints a markdown table for the merge request and exits 1 on a widening; with no change, exit 0', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    expect(await run(['diff', files.before, files.after], io)).toBe(1);
    const table = out.join('\n').split('\n');
    expect(table.slice(0, 2)).toEqual(['| Role | Change | Newly allowed | Newly refused |', '|---|---|---|---|']);
    expect(table).toContainEqual(
      expect.stringMatching(/^\| swap \| changed \| 1, e\.g\. `project_path:acme\/web:ref_type:branch:ref:main` \(aud `.*`, ref_protected true\) \| 1, e\.g\. /),
    );
    expect(await run(['diff', files.after, files.after, '--json'], { out: () => undefined, err: () => undefined })).toBe(0);
    expect(await run(['diff', files.before], io)).toBe(2);
  });
});
