import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_TFVARS, synthStack } from './helpers/synth';
import { describeWithTerraform, init, tf, workdir } from './helpers/terraform';

const TFTEST = fs.readFileSync(path.join(__dirname, 'terraform', 'article.tftest.hcl'), 'utf8');

describeWithTerraform('terraform test (mocked aws provider, command = apply)', () => {
  test.each([
    ['JSON', false],
    ['HCL', true],
  ])('the %s output applies with terraform.tfvars.example and yields the exact trust policy', (_form, hcl) => {
    const { file } = synthStack({ thumbprintSource: 'none' }, { hcl });
    const dir = workdir(file, { 'terraform.tfvars': EXAMPLE_TFVARS, 'tests/article.tftest.hcl': TFTEST });
    init(dir);
    const r = tf(dir, ['test']);
    expect(r.output).toContain('2 passed, 0 failed');
    expect(r.status).toBe(0);
  });
});
