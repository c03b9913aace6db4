import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { checkOptionNames, optionContext, readSynthOptions, SynthOptionError } from './src/config/synth-options';
import { GitlabOidcStack, STACK_NAME } from './src/stacks/gitlab-oidc-stack';
import { finalizeStackOutput } from './src/synth/stack-output';

function main(): void {
  const app = new App();
  // cdktf passes the whole cdktf.json context here; a key no option reads is a mistake.
  checkOptionNames(Object.keys(JSON.parse(process.env.CDKTF_CONTEXT_JSON || '{}')));
  const options = readSynthOptions(optionContext((key) => app.node.tryGetContext(key)));
  const stack = new GitlabOidcStack(app, STACK_NAME, options);
  app.synth();
  finalizeStackOutput(app, stack);
  // Earlier releases wrote CI snippets here at synth; they now come from the plan
  // (npm run ci-snippets), and a stale copy would mislead.
  fs.rmSync(path.join(app.outdir, 'gitlab-ci'), { recursive: true, force: true });
}

try {
  main();
} catch (error) {
  if (!(error instanceof SynthOptionError)) throw error;
  console.error(`gitlab-oidc: ${error.message}`);
  process.exit(1);
}
