/** Tests are TypeScript, transpiled without type-checking (`npm test` runs tsc first). */
const unitTier = process.env.TEST_TIER === 'unit';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // `npm run test:unit` does not even load the files whose every test needs terraform
  // (`*.terraform.test.ts`); in the other files, describeWithTerraform skips such tests.
  testPathIgnorePatterns: unitTier ? ['/node_modules/', '\\.terraform\\.test\\.ts$'] : ['/node_modules/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 180000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/__tests__/setup/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/setup/global-teardown.ts',
};
