import * as path from 'path';
import { App } from 'cdktf';
import { readSynthOptions, SynthOptionError } from './src/config/synth-options';
import { CiAudienceError, writeCiSnippets } from './src/gitlab-ci/ci-snippets';
import { readTfvars, tfvarsFiles } from './src/gitlab-ci/tfvars';
import { GitlabOidcStack } from './src/stacks/gitlab-oidc-stack';
import { finalizeStackOutput } from './src/synth/stack-output';

/** The stack's name: its output lands in cdktf.out/stacks/gitlab-oidc/. */
export const STACK_NAME = 'gitlab-oidc';

async function main(): Promise<void> {
  const app = new App();
  const options = readSynthOptions({
    thumbprintSource: app.node.tryGetContext('thumbprintSource'),
    backend: app.node.tryGetContext('backend'),
    backendConfig: app.node.tryGetContext('backendConfig'),
    ciTfvars: app.node.tryGetContext('ciTfvars'),
    ciIdTokenAudience: app.node.tryGetContext('ciIdTokenAudience'),
    manageGitlabVariables: app.node.tryGetContext('manageGitlabVariables'),
  });
  const stack = new GitlabOidcStack(app, STACK_NAME, options);
  // The GitLab side comes first: a job audience the role would reject stops synth.
  const vars = readTfvars(process.cwd(), tfvarsFiles(process.cwd(), options.ciTfvars));
  writeCiSnippets(path.join(app.outdir, 'gitlab-ci'), vars, options.ciIdTokenAudience);
  app.synth();
  finalizeStackOutput(app, stack);
}

main().catch((error: unknown) => {
  if (error instanceof SynthOptionError || error instanceof CiAudienceError) {
    console.error(`gitlab-oidc: ${error.message}`);
    process.exit(1);
  }
  throw error;
});
