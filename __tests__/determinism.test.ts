import * as os from 'os';
import { synthStack, withoutJobPaths } from './helpers/synth';

describe('deterministic output', () => {
  test.each([
    ['cdk.tf.json', false],
    ['cdk.tf', true],
  ])('two synths of %s from the same inputs are byte-identical, in different folders', (_file, hcl) => {
    for (const thumbprintSource of ['tls', 'none']) {
      const first = synthStack({ thumbprintSource }, { hcl });
      const second = synthStack({ thumbprintSource }, { hcl });
      expect(first.dir).not.toBe(second.dir);
      expect(second.text).toBe(first.text);
    }
  });

  test('the output holds no absolute path, temporary folder or timestamp', () => {
    for (const hcl of [false, true]) {
      const { text, dir } = synthStack({}, { hcl });
      for (const machine of [dir, os.tmpdir(), os.homedir(), process.cwd()]) expect(withoutJobPaths(text)).not.toContain(machine);
      expect(text).not.toMatch(/20[0-9]{2}-[01][0-9]-[0-3][0-9]T/);
    }
  });
});
