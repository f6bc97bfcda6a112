// ESLint with typescript-eslint's type-checked rules over everything TypeScript; formatting is
// Prettier's (eslint-config-prettier turns off the rules that would argue with it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      // The doc-examples test writes the docs’ TypeScript blocks here while it runs.
      '.doc-check-*/',
      // The client's build (npm run client:build, npm pack).
      'client/dist/',
      'node_modules/',
      '.esbuild*/',
      '.serverless/',
      '.build/',
      '.stryker-tmp*/',
      'reports/',
      '.data/',
      'coverage/',
      'plugins/',
      '*.config.js',
      '*.config.mjs',
      'tests/helpers/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Unused parameters are named with a leading underscore on purpose (callbacks, contracts).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Tests: jest's asymmetric matchers (expect.any, expect.stringContaining) are typed `any`, and
    // spies pass methods around; these rules would flag every use without catching a bug.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The local serverless plugins are CommonJS run by serverless itself.
    files: ['plugins/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
  },
  prettier,
);
