import type { BuildOptions } from 'esbuild';

/** How serverless.yml (custom.esbuild) builds each function: AWS SDK and Powertools left to Lambda. */
export const FUNCTION_BUILD: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  external: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
  logLevel: 'silent',
};
