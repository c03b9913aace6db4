/**
 * npm run -s ci-snippets -- <terraform-show.json> [--out <dir>] [--example <role>]
 *
 * Writes the GitLab CI snippet of every role, as the plan (or state) derived it from the role
 * map, to `<dir>/<hidden job>.gitlab-ci.yml` (`aws-oidc-<role>.gitlab-ci.yml`), and `<dir>/example.gitlab-ci.yml`: a
 * complete pipeline whose `aws-demo` job assumes one role and lists S3. The folder is
 * replaced as a whole, or left as it was. Then, for each GitLab project whose roles assume sub
 * components other than GitLab's default, the API call that sets them. Exit 0; 2 on bad usage
 * or input, with one line.
 */

import * as fs from 'fs';
import * as path from 'path';
import { Document, parse } from 'yaml';
import { TerraformJsonError, readTerraformJson, showValues } from '../src/lib/access/terraform-show';
import { DEFAULT_SUB_COMPONENTS } from '../src/lib/trust/sub-claim';
import { CONSOLE, EXIT, Output, UsageError, lastValue, readCommandLine } from '../src/lib/cli/args';

const USAGE = 'usage: npm run -s ci-snippets -- <terraform-show.json> [--out <dir>] [--example <role>]';

/** Where the snippets go unless --out says otherwise: beside cdktf.out, which `cdktf synth` empties. */
export const DEFAULT_OUT = 'gitlab-ci';

interface Options {
  readonly file: string;
  readonly out: string;
  readonly example?: string;
}

function parseArgs(argv: readonly string[]): Options | 'help' {
  const line = readCommandLine(argv, { out: { type: 'string' }, example: { type: 'string' } });
  if (line.help) return 'help';
  if (line.positionals.length !== 1)
    throw new UsageError(line.positionals.length ? `one file only; also got ${JSON.stringify(line.positionals[1])}` : 'no file given: give the output of terraform show -json');
  return { file: line.positionals[0], out: lastValue(line, 'out') ?? DEFAULT_OUT, example: lastValue(line, 'example') };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of another tool's output, read field by field

/** One role's snippet: its YAML text and its hidden job, read back with the yaml library. */
export interface Snippet {
  readonly role: string;
  readonly text: string;
  readonly jobName: string;
  readonly job: Json;
}

/** The snippets of a `terraform show -json` document, each parsed; a role whose snippet is not a single hidden job is named. */
export function readSnippets(json: unknown): Snippet[] {
  const outputs: Json = showValues(json).outputs ?? {};
  const snippets = outputs.gitlab_ci_snippets?.value as Record<string, unknown> | undefined;
  if (snippets === undefined) {
    throw new TerraformJsonError('the file holds no gitlab_ci_snippets output: plan a configuration this release synthesized (npx cdktf synth), then terraform show -json');
  }
  const bad = Object.entries(snippets).filter(([, text]) => typeof text !== 'string');
  if (bad.length > 0) throw new TerraformJsonError(`the snippets of ${bad.map(([role]) => role).join(', ')} are not known in this file: show a saved plan or state`);
  return Object.entries(snippets as Record<string, string>).map(([role, text]) => {
    let doc: Json;
    try {
      doc = parse(text) as Json;
    } catch (error) {
      throw new TerraformJsonError(`the snippet of ${role} is not YAML (${(error as Error).message.split('\n')[0]})`);
    }
    const names = Object.keys(doc ?? {});
    if (names.length !== 1 || !names[0].startsWith('.')) throw new TerraformJsonError(`the snippet of ${role} is not one hidden job (found ${JSON.stringify(names)})`);
    return { role, text, jobName: names[0], job: doc[names[0]] };
  });
}

/** The branch an exact branch subject names, for the example job's rule. */
const exactBranch = (subject: string) => /^project_path:[^*?]+:ref_type:branch:ref:([^*?]+)$/.exec(subject)?.[1];

/** A complete .gitlab-ci.yml: the role's hidden job and a job that extends it, run on the branches the role trusts by name. */
export function exampleCiFile(snippet: Snippet, subjects: readonly string[]): string {
  const branches = [...new Set(subjects.map(exactBranch).filter((b): b is string => Boolean(b)))];
  const demo: Json = {
    stage: 'test',
    extends: snippet.jobName,
    image: { name: 'amazon/aws-cli:latest', entrypoint: [''] },
    // The one call every role may make: STS answers GetCallerIdentity whatever the role's policies. The role's own work goes after it.
    script: ['aws sts get-caller-identity'],
  };
  if (branches.length > 0) demo.rules = [{ if: branches.map((b) => `$CI_COMMIT_BRANCH == "${b}"`).join(' || ') }];
  const doc = new Document({ stages: ['test'], [snippet.jobName]: snippet.job, 'aws-demo': demo });
  doc.commentBefore = snippet.text
    .split('\n')
    .filter((line) => line.startsWith('#'))
    .map((line) => line.slice(1))
    .join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The files to write: one per role, and the example for `example` (default: the first role). */
export function snippetFiles(json: unknown, example?: string): Record<string, string> {
  const snippets = readSnippets(json);
  if (snippets.length === 0) return {};
  const chosen = example === undefined ? snippets[0] : snippets.find((s) => s.role === example);
  if (!chosen) throw new UsageError(`no role named ${JSON.stringify(example)}; the plan has ${JSON.stringify(snippets.map((s) => s.role))}`);
  const summary: Json = showValues(json).outputs?.trust_summary?.value ?? {};
  const files: Record<string, string> = { 'example.gitlab-ci.yml': exampleCiFile(chosen, summary[chosen.role]?.subjects ?? []) };
  // Named after the hidden job, which the role map keeps unique.
  for (const snippet of snippets) files[`${snippet.jobName.slice(1)}.gitlab-ci.yml`] = snippet.text;
  return files;
}

/**
 * The GitLab API calls that set the sub components of each project whose roles assume a list
 * other than GitLab's default (output `sub_claim_components`), one comment and one call each.
 */
export function subComponentCalls(json: unknown): string[] {
  const settings = (showValues(json).outputs?.sub_claim_components?.value ?? {}) as Record<string, { components: string[]; set_with: string }>;
  return Object.entries(settings)
    .filter(([, setting]) => JSON.stringify(setting.components) !== JSON.stringify(DEFAULT_SUB_COMPONENTS))
    .flatMap(([project, setting]) => [`# GitLab project ${project} must build its sub from ${setting.components.join(', ')}:`, setting.set_with]);
}

/** Replaces `dir` with the files, through a sibling folder renamed into place: never half written. */
function writeFolder(dir: string, files: Record<string, string>): void {
  const staging = `${dir}.writing-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(staging, name), text);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(staging, dir);
}

export function run(argv: readonly string[], { out, err }: Output): number {
  try {
    const options = parseArgs(argv);
    if (options === 'help') {
      out(`${USAGE}\n\nWrites each role's GitLab CI snippet, and an example pipeline, from a plan's or state's JSON. Exit 0; 2 on bad usage or input.`);
      return EXIT.ok;
    }
    const json = readTerraformJson(options.file);
    let files: Record<string, string>;
    try {
      files = snippetFiles(json, options.example);
    } catch (error) {
      if (error instanceof TerraformJsonError) throw new TerraformJsonError(`${options.file}: ${error.message}`);
      throw error;
    }
    writeFolder(options.out, files);
    for (const name of Object.keys(files)) out(path.join(options.out, name));
    for (const line of subComponentCalls(json)) out(line);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof TerraformJsonError) {
      err(`ci-snippets: ${error.message}${error instanceof UsageError ? ` (${USAGE})` : ''}`);
      return EXIT.input;
    }
    throw error;
  }
}

if (require.main === module) process.exitCode = run(process.argv.slice(2), CONSOLE);
