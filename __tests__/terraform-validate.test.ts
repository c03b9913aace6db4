import { synthStack } from './helpers/synth';
import { describeWithTerraform, init, tf, validation, workdir } from './helpers/terraform';

describeWithTerraform('terraform validate and fmt on the synthesized output', () => {
  test.each([
    ['cdk.tf.json', false],
    ['cdk.tf', true],
  ])('%s (thumbprintSource none) passes terraform validate', (_file, hcl) => {
    const { file } = synthStack({ thumbprintSource: 'none' }, { hcl });
    const dir = workdir(file);
    init(dir);
    const r = tf(dir, ['validate', '-json']);
    expect(validation(r)).toEqual({ valid: true, problems: [] });
    expect(r.status).toBe(0);
  });

  test.each(['none', 'tls'])('cdk.tf (thumbprintSource %s) is already terraform-fmt formatted', (thumbprintSource) => {
    const { dir } = synthStack({ thumbprintSource }, { hcl: true });
    const r = tf(dir, ['fmt', '-check', '-diff']);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
