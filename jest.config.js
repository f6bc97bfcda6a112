/**
 * Three jest projects: unit (no network), integration (handlers and stores against a real dynalite
 * through the real AWS SDK), e2e (real serverless-offline and dynalite). The packaged template and
 * the browser walk have configs of their own (jest.template.config.js, jest.browser.config.js).
 */
const shared = require('./jest.shared.config.js');

module.exports = {
  // Two workers on two cores: the e2e files mostly wait on their own serverless-offline process.
  maxWorkers: 2,
  // Deadlines far above any real need (a busy 2-core machine included): a test waits on
  // conditions, never on the clock, so a slow machine makes it slower, not red. (A global
  // setting in jest; the e2e project raises it further in its setup file.)
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'], setupFiles: ['<rootDir>/tests/unit/setup-env.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/tests/e2e/setup-timeout.ts'],
      // The stacks several files run against, started once (tests/e2e/shared-stacks.ts).
      globalSetup: '<rootDir>/tests/e2e/setup-shared-stacks.ts',
      globalTeardown: '<rootDir>/tests/e2e/setup-stop-shared-stacks.ts',
    },
  ],
};
