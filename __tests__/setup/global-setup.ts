import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startProviderServer } from './provider-server';

/**
 * One temporary folder per test run, in TEST_RUN_TMPDIR: every test's working folders go
 * under it and it is removed when the run ends. Jest stops its workers without an `exit`
 * event, so folders removed per process were left behind. Terraform-level runs also get
 * the run's aws providers and the schema cache in front of them (provider-server.ts);
 * `npm run test:unit` runs no terraform.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TEST_RUN_TMPDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-oidc-test-'));
  if (process.env.TEST_TIER !== 'unit') await startProviderServer(process.env.TEST_RUN_TMPDIR);
}
