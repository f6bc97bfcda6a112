/** What every jest configuration here shares: Node, and swc for TypeScript and the ES-module-only packages. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'], '^.+\\.html$': '<rootDir>/tests/helpers/text-transform.js' },
  // jose v6 and swagger-parser's ref parser ship ES modules only; let swc turn them into CommonJS for jest.
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|@apidevtools|openapi-typescript|parse-json|index-to-position|change-case|supports-color)/)',
  ],
};
