import { App } from 'cdktf';
import { readSynthOptions, SynthOptionError } from './src/config/synth-options';
import { GitlabOidcStack } from './src/stacks/gitlab-oidc-stack';
import { finalizeStackOutput } from './src/synth/stack-output';

/** The stack's name: its output lands in cdktf.out/stacks/gitlab-oidc/. */
export const STACK_NAME = 'gitlab-oidc';

const app = new App();
let stack: GitlabOidcStack;
try {
  stack = new GitlabOidcStack(
    app,
    STACK_NAME,
    readSynthOptions({
      thumbprintSource: app.node.tryGetContext('thumbprintSource'),
      backend: app.node.tryGetContext('backend'),
      backendConfig: app.node.tryGetContext('backendConfig'),
    }),
  );
} catch (error) {
  if (error instanceof SynthOptionError) {
    console.error(`gitlab-oidc: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
app.synth();
finalizeStackOutput(app, stack);
