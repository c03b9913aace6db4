import * as fs from 'fs';
import * as path from 'path';

/**
 * `npm run test:unit` does not load `*.terraform.test.ts` (jest.config.js). That is only
 * right while those files hold nothing but terraform tests, and it only keeps the tier fast
 * while every other all-terraform file carries the name. The tiers are told apart by the
 * top-level blocks of each file: `describeWithTerraform(…)` or a plain `describe`/`test`.
 */
const TESTS = __dirname;
const REPO_ROOT = path.resolve(TESTS, '..');

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function topLevelBlocks(file: string) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  return {
    terraform: lines.filter((line) => /^describeWithTerraform\b/.test(line)).length,
    plain: lines.filter((line) => /^(describe|test|it)\b(?!WithTerraform)/.test(line)).length,
  };
}

/** jest.config.js as loaded with TEST_TIER set to `tier` (or unset). */
function jestConfig(tier: string | undefined): { testPathIgnorePatterns: string[] } {
  const saved = process.env.TEST_TIER;
  if (tier === undefined) delete process.env.TEST_TIER;
  else process.env.TEST_TIER = tier;
  try {
    let config: { testPathIgnorePatterns: string[] } | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's config is CommonJS, loaded afresh in isolation
      config = require(path.join(REPO_ROOT, 'jest.config.js'));
    });
    return config!;
  } finally {
    if (saved === undefined) delete process.env.TEST_TIER;
    else process.env.TEST_TIER = saved;
  }
}

const ignoredBy = (config: { testPathIgnorePatterns: string[] }, file: string) => config.testPathIgnorePatterns.some((p) => new RegExp(p).test(file));

describe('test tiers', () => {
  const files = testFiles(TESTS);

  test('a file is named *.terraform.test.ts exactly when every top-level block of it needs terraform', () => {
    expect(files.length).toBeGreaterThan(10);
    const misnamed = files
      .map((file) => ({ file: path.relative(TESTS, file), ...topLevelBlocks(file) }))
      .filter(({ file, terraform, plain }) => file.endsWith('.terraform.test.ts') !== (terraform > 0 && plain === 0));
    expect(misnamed).toEqual([]);
  });

  test('the unit tier leaves out exactly the *.terraform.test.ts files, and npm test none', () => {
    const unit = jestConfig('unit');
    const full = jestConfig(undefined);
    const terraformOnly = files.filter((file) => file.endsWith('.terraform.test.ts'));
    expect(terraformOnly.length).toBeGreaterThan(0);
    expect(files.filter((file) => ignoredBy(unit, file))).toEqual(terraformOnly);
    expect(files.filter((file) => ignoredBy(full, file))).toEqual([]);
  });
});
