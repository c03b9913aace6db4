import * as path from 'path';
import { App } from 'cdktf';
import { optionContext, readSynthOptions, SynthOptionError } from './src/config/synth-options';
import { CiConfigError, writeCiSnippets } from './src/gitlab-ci/ci-snippets';
import { readTfvars, tfvarsFiles } from './src/gitlab-ci/tfvars';
import { GitlabOidcStack, STACK_NAME } from './src/stacks/gitlab-oidc-stack';
import { finalizeStackOutput } from './src/synth/stack-output';

async function main(): Promise<void> {
  const app = new App();
  const options = readSynthOptions(optionContext((key) => app.node.tryGetContext(key)));
  const stack = new GitlabOidcStack(app, STACK_NAME, options);
  // The GitLab side comes first: a job audience the role would reject stops synth.
  const vars = readTfvars(process.cwd(), tfvarsFiles(process.cwd(), options.ciTfvars));
  writeCiSnippets(path.join(app.outdir, 'gitlab-ci'), vars, options.ciIdTokenAudience);
  app.synth();
  finalizeStackOutput(app, stack);
}

main().catch((error: unknown) => {
  if (error instanceof SynthOptionError || error instanceof CiConfigError) {
    console.error(`gitlab-oidc: ${error.message}`);
    process.exit(1);
  }
  throw error;
});
