import * as fs from 'fs';
import * as path from 'path';
import { BACKEND_SETTINGS } from '../src/app/config/backend-settings';
import { tempDir } from './helpers/synth';
import { describeWithTerraform, tf } from './helpers/terraform';

/** `terraform init` of a configuration holding only a backend block with these settings, each null. */
function initBackend(type: string, keys: readonly string[]) {
  const dir = tempDir('backend');
  const block = Object.fromEntries(keys.map((key) => [key, null]));
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ terraform: { backend: { [type]: block } } }));
  return tf(dir, ['init', '-input=false']);
}

// Terraform decodes the backend block against its schema before anything else, so an
// unknown setting is reported even though the null values then fail (no bucket, no address).
describeWithTerraform('the backend settings backendConfig may hold, against terraform init', () => {
  test.each(Object.entries(BACKEND_SETTINGS))('terraform takes every setting listed for the %s backend', (type, keys) => {
    const r = initBackend(type, keys);
    expect(r.output).not.toContain('No argument or block type is named');
    expect(r.output).toContain('Initializing the backend...');
  });

  test('the same check reports a setting the backend does not take', () => {
    expect(initBackend('local', [...BACKEND_SETTINGS.local, 'bucket']).output).toContain('No argument or block type is named "bucket"');
  });
});
