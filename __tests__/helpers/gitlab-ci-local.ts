import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { REPO_ROOT, tempDir } from './synth';

const GITLAB_CI_LOCAL = path.join(REPO_ROOT, 'node_modules', '.bin', 'gitlab-ci-local');

/**
 * Runs gitlab-ci-local, a GitLab CI client that validates against GitLab's CI schema, in a
 * fresh git repository holding `files` (`include: local` reads tracked files only).
 */
export function gitlabCiLocal(files: Record<string, string>, args: string[]) {
  const dir = tempDir('gcl');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const git = (...a: string[]) =>
    spawnSync('git', a, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'https://gitlab.com/mygroup/myproject.git');
  git('add', '-A');
  git('commit', '-q', '-m', 'ci');
  const r = spawnSync(GITLAB_CI_LOCAL, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 120000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The merged configuration that `gitlab-ci-local --preview` prints, parsed; throws with its output when it fails. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of another tool's output, read field by field
export function previewCi(files: Record<string, string>): Record<string, any> {
  const r = gitlabCiLocal(files, ['--preview']);
  if (r.status !== 0) throw new Error(`gitlab-ci-local --preview failed:\n${r.stdout}\n${r.stderr}`);
  return parse(r.stdout.slice(r.stdout.indexOf('---')));
}

/** The job names that `gitlab-ci-local --list` prints; throws with its output when it fails. */
export function listJobs(files: Record<string, string>): string[] {
  const r = gitlabCiLocal(files, ['--list']);
  if (r.status !== 0) throw new Error(`gitlab-ci-local --list failed:\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.split('\n');
  const header = lines.findIndex((l) => /^name\s+description\s+stage/.test(l));
  return lines
    .slice(header + 1)
    .map((l) => l.split(/\s+/)[0])
    .filter(Boolean);
}
