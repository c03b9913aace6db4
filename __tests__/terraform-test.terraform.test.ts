import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_TFVARS, REPO_ROOT, synthStack } from './helpers/synth';
import { describeWithTerraform, init, tf, workdir } from './helpers/terraform';

const tftest = (name: string) => fs.readFileSync(path.join(__dirname, 'terraform', name), 'utf8');
const FLEET_TFVARS = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'fleet.tfvars'), 'utf8');

describeWithTerraform('terraform test (mocked aws provider, command = apply)', () => {
  // Both test files run in one terraform process per form: each process pays for loading the aws provider.
  test.each([
    ['JSON', false],
    ['HCL', true],
  ])(
    "the %s output applies terraform.tfvars.example with the exact trust policy, and examples/fleet.tfvars with each role's exact trust and an existing provider reused",
    (_form, hcl) => {
      const { file } = synthStack({ thumbprintSource: 'none' }, { hcl });
      const dir = workdir(file, {
        'terraform.tfvars': EXAMPLE_TFVARS,
        'tests/article.tftest.hcl': tftest('article.tftest.hcl'),
        // The fleet's tfvars as the file's own variables, which take precedence over terraform.tfvars.
        'tests/fleet.tftest.hcl': `variables {\n${FLEET_TFVARS}\n}\n\n${tftest('fleet.tftest.hcl')}`,
      });
      init(dir);
      const r = tf(dir, ['test']);
      expect(r.output).toMatch(/^tests\/article\.tftest\.hcl\.\.\. pass$/m);
      expect(r.output).toMatch(/^tests\/fleet\.tftest\.hcl\.\.\. pass$/m);
      expect(r.output).toContain('5 passed, 0 failed');
      expect(r.status).toBe(0);
    },
  );
});
