import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { checkOptionNames, optionContext, readSynthOptions } from './src/app/config/synth-options';
import { GitlabOidcStack, STACK_NAME } from './src/app/stacks/gitlab-oidc-stack';
import { finalizeStackOutput } from './src/app/synth/stack-output';

function main(): void {
  const app = new App();
  // cdktf passes the whole cdktf.json context here; a key no option reads is a mistake.
  checkOptionNames(Object.keys(JSON.parse(process.env.CDKTF_CONTEXT_JSON || '{}')));
  const options = readSynthOptions(optionContext((key) => app.node.tryGetContext(key)));
  const stack = new GitlabOidcStack(app, STACK_NAME, options);
  app.synth();
  finalizeStackOutput(app, stack);
  // Earlier releases wrote CI snippets here at synth; they now come from the plan
  // (npm run ci-snippets), and a stale copy would mislead. tools/run-app.js synthesizes
  // into a staging folder and names the output folder in RUN_APP_OUTDIR.
  fs.rmSync(path.join(process.env.RUN_APP_OUTDIR ?? app.outdir, 'gitlab-ci'), { recursive: true, force: true });
}

// An error (a SynthOptionError names the option and the fix) fails synth: tools/run-app.js
// prints its message once and exits 1.
main();
