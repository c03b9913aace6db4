import * as fs from 'fs';
import { stopProviderServer } from './provider-server';

/** Stops the run's aws providers and schema cache, and removes the run's temporary folder (see global-setup.ts). */
export default async function globalTeardown(): Promise<void> {
  stopProviderServer();
  if (process.env.TEST_RUN_TMPDIR) fs.rmSync(process.env.TEST_RUN_TMPDIR, { recursive: true, force: true });
}
