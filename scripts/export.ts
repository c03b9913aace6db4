/**
 * `npm run export -- <dir> [--as-module] [--force]`: the synthesized Terraform as a plain
 * folder for drop-in use or a module registry, with its README. Synth-time options come
 * from cdktf.json and the environment, as for `cdktf synth`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { readSynthOptions, SynthOptionError } from '../src/app/config/synth-options';
import { ExportError, exportFolder } from '../src/app/export/terraform-folder';
import { GitlabOidcStack, STACK_NAME } from '../src/app/stacks/gitlab-oidc-stack';

const ROOT = path.resolve(__dirname, '..', '..');
const USAGE = 'usage: npm run export -- <dir> [--as-module] [--force]';

function main(argv: string[]): number {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const unknown = [...flags].filter((f) => !['--as-module', '--force'].includes(f));
  const dirs = argv.filter((a) => !a.startsWith('--'));
  if (unknown.length || dirs.length !== 1) {
    console.error(unknown.length ? `export: unknown option ${unknown.join(', ')}\n${USAGE}` : USAGE);
    return 2;
  }
  try {
    const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')).context ?? {};
    const stack = new GitlabOidcStack(new App({ outdir: path.join(ROOT, 'cdktf.out') }), STACK_NAME, readSynthOptions(context));
    const written = exportFolder(stack.toTerraform(), fs.readFileSync(path.join(ROOT, 'terraform.tfvars.example'), 'utf8'), path.resolve(dirs[0]), {
      asModule: flags.has('--as-module'),
      force: flags.has('--force'),
    });
    console.log(`export: wrote ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
    return 0;
  } catch (error) {
    if (error instanceof ExportError || error instanceof SynthOptionError) {
      console.error(`export: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
