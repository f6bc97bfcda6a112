/**
 * `npm run test:browser`: the demo page walked through in headless Chromium (Debian's `chromium`,
 * or CHROMIUM_PATH) against the `npm start` stack on free ports. Not part of `npm test`, which must
 * pass on a machine without a browser; .ci/run installs chromium and runs it after.
 */
module.exports = {
  displayName: 'browser',
  ...require('./jest.shared.config.js'),
  testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
  testTimeout: 120_000,
};
