import { readmeShellBlocks } from './helpers/readme';

const blocks = readmeShellBlocks();

test('every sh block of the README says whether readme-blocks.terraform.test.ts runs it, and why not', () => {
  const unmarked = blocks.filter((b) => !/^(run(, exits \d+ \(.+\))?|not run \(.+\)|run by __tests__\/[\w.-]+\.test\.ts)$/.test(b.marker));
  expect(unmarked.map((b) => `README.md:${b.line}: ${b.script.split('\n')[0]}`)).toEqual([]);
  expect(blocks.filter((b) => b.marker.startsWith('run')).length).toBeGreaterThan(5);
});
