/**
 * `npm run export -- <dir> [--as-module] [--force]`: the synthesized Terraform as a plain
 * folder for drop-in use or a module registry, with its README. Synth-time options come
 * from cdktf.json and the environment, as for `cdktf synth`. Exit 0; 2 on bad usage or input.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { readSynthOptions, SynthOptionError } from '../src/app/config/synth-options';
import { ExportError, exportFolder } from '../src/app/export/terraform-folder';
import { GitlabOidcStack, STACK_NAME } from '../src/app/stacks/gitlab-oidc-stack';
import { EXIT, UsageError, hasFlag, readCommandLine } from '../src/lib/cli/args';

const ROOT = path.resolve(__dirname, '..', '..');
const USAGE = 'usage: npm run export -- <dir> [--as-module] [--force]';

function main(argv: string[]): number {
  let dir: string;
  let asModule: boolean;
  let force: boolean;
  try {
    const line = readCommandLine(argv, { 'as-module': { type: 'boolean' }, force: { type: 'boolean' } });
    if (line.help) {
      console.log(`${USAGE}\n\nWrites the synthesized Terraform as a plain folder (or, with --as-module, a module) with its README. Exit 0; 2 on bad usage or input.`);
      return EXIT.ok;
    }
    if (line.positionals.length !== 1)
      throw new UsageError(line.positionals.length ? `one folder only; also got ${JSON.stringify(line.positionals[1])}` : 'give the folder to write');
    [dir, asModule, force] = [line.positionals[0], hasFlag(line, 'as-module'), hasFlag(line, 'force')];
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`export: ${error.message} (${USAGE})`);
    return EXIT.input;
  }
  try {
    const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')).context ?? {};
    const stack = new GitlabOidcStack(new App({ outdir: path.join(ROOT, 'cdktf.out') }), STACK_NAME, readSynthOptions(context), { forModule: asModule });
    const written = exportFolder(stack.toTerraform(), fs.readFileSync(path.join(ROOT, 'terraform.tfvars.example'), 'utf8'), path.resolve(dir), { asModule, force });
    console.log(`export: wrote ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
    return 0;
  } catch (error) {
    if (error instanceof ExportError || error instanceof SynthOptionError) {
      console.error(`export: ${error.message}`);
      return EXIT.input;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
