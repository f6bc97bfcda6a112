/**
 * The tests StrykerJS runs against each mutant (`npm run test:mutation`): unit and integration in one
 * flat project (Stryker's jest runner does not take jest `projects`). e2e is left out: it runs the
 * handlers from an esbuild bundle in serverless-offline, which would not see Stryker's mutants. So
 * is the bundle test: it checks what esbuild leaves out, and Stryker's mutant switches keep every
 * branch alive, so the instrumented sources never tree-shake as the real ones do.
 */
const base = require('./jest.config.js');

// The rotation property against dynalite runs once per mutant it covers: fewer cases keep a run
// within the hour (its example-based neighbours do most of the killing). FC_RUNS overrides.
process.env.FC_RUNS ??= '10';
const [{ displayName: _unit, ...unit }, integration] = base.projects;

module.exports = {
  ...unit,
  testTimeout: base.testTimeout,
  testMatch: [...unit.testMatch, ...integration.testMatch],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/unit/bundles.test.ts'],
};
