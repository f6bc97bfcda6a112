/**
 * `npm run test:browser`: the demo page walked through in headless Chromium (Debian's `chromium`,
 * or CHROMIUM_PATH) against the `npm start` stack on free ports. Not part of `npm test`, which must
 * pass on a machine without a browser; .ci/run installs chromium and runs it after.
 */
module.exports = {
  displayName: 'browser',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@apidevtools)/)'],
  testTimeout: 120_000,
};
