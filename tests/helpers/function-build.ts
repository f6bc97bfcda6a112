import type { BuildOptions } from 'esbuild';

/**
 * How serverless.yml (custom.esbuild) builds each function: SSM's client and Powertools Parameters
 * left to Lambda, code behind import() split into chunks (so a build needs `outdir`).
 */
export const FUNCTION_BUILD: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  external: ['@aws-lambda-powertools/parameters', '@aws-sdk/client-ssm'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'silent',
};
