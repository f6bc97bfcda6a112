/**
 * `npm run test:template`: the CloudFormation template `serverless package` writes for AWS, in each
 * variant the options make (13 packages, about 70 s of CPU), and docs/own-routes.md applied to a
 * scratch copy of the project (its own lint, typecheck, package and npm start). Not part of `npm test`, which runs
 * everything against real local servers in two minutes; .ci/run runs it after, as it runs cfn-lint
 * over the same variants.
 */
module.exports = {
  displayName: 'template',
  ...require('./jest.shared.config.js'),
  testMatch: ['<rootDir>/tests/template/**/*.test.ts'],
  // One file at a time: two packages of this service at once take each other's files in .serverless/.
  maxWorkers: 1,
  // One `serverless package --stage prod` for the whole tier: every file reads its template and zips.
  globalSetup: '<rootDir>/tests/template/setup-package.ts',
  globalTeardown: '<rootDir>/tests/template/setup-remove-package.ts',
  // Packaging takes seconds; on a busy machine, many.
  testTimeout: 300_000,
};
