import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_TFVARS, REPO_ROOT, synthStack } from './helpers/synth';
import { describeWithTerraform, init, tf, workdir } from './helpers/terraform';

const tftest = (name: string) => fs.readFileSync(path.join(__dirname, 'terraform', name), 'utf8');
const FLEET_TFVARS = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'fleet.tfvars'), 'utf8');

describeWithTerraform('terraform test (mocked aws provider, command = apply)', () => {
  test.each([
    ['JSON', false],
    ['HCL', true],
  ])('the %s output applies with terraform.tfvars.example and yields the exact trust policy', (_form, hcl) => {
    const { file } = synthStack({ thumbprintSource: 'none' }, { hcl });
    const dir = workdir(file, { 'terraform.tfvars': EXAMPLE_TFVARS, 'tests/article.tftest.hcl': tftest('article.tftest.hcl') });
    init(dir);
    const r = tf(dir, ['test']);
    expect(r.output).toContain('2 passed, 0 failed');
    expect(r.status).toBe(0);
  });

  test.each([
    ['JSON', false],
    ['HCL', true],
  ])('the %s output applies examples/fleet.tfvars: each role has its exact trust, an existing provider is reused', (_form, hcl) => {
    const { file } = synthStack({ thumbprintSource: 'none' }, { hcl });
    const dir = workdir(file, {
      'terraform.tfvars': EXAMPLE_TFVARS,
      'fleet.tfvars': FLEET_TFVARS,
      'tests/fleet.tftest.hcl': tftest('fleet.tftest.hcl'),
    });
    init(dir);
    const r = tf(dir, ['test', '-var-file=fleet.tfvars']);
    expect(r.output).toContain('3 passed, 0 failed');
    expect(r.status).toBe(0);
  });
});
