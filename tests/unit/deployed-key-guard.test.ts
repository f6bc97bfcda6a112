import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DEV_JWT_SECRET } from '../../src/config/config';
import { authorizerEvent } from '../helpers/events';
import { FUNCTION_BUILD } from '../helpers/function-build';
import { testConfig, testIssuer } from '../helpers/test-config';

// The last line of defence against a forgeable deploy, independent of the stage name: the built
// any-valid bundle, run as Lambda runs it, must not Allow a token signed with the public
// development secret, nor run at all with key material given as a value.

const ROOT = path.resolve(__dirname, '../..');
let outDir: string;
let bundle: string;
let devToken: string;

/** Imports the bundle in a fresh Node with `env` and asks it to authorize `token`. */
async function runBundle(env: Record<string, string>, token: string): Promise<{ outcome: string; error?: string }> {
  const script = `
    let result;
    try {
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      try {
        const policy = await handler(JSON.parse(process.env.EVENT), { awsRequestId: 'guard-test' });
        result = { outcome: policy.policyDocument.Statement[0].Effect };
      } catch (err) {
        result = { outcome: 'threw', error: err.message };
      }
    } catch (err) {
      result = { outcome: 'init failed', error: err.message };
    }
    process.stderr.write('RESULT ' + JSON.stringify(result) + '\\n');`;
  const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      EVENT: JSON.stringify(authorizerEvent(`Bearer ${token}`)),
      ...env,
    },
  });
  const line = stderr.split('\n').find((text) => text.startsWith('RESULT '));
  if (!line) throw new Error(`no result from the bundle:\n${stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as { outcome: string; error?: string };
}

const LAMBDA = { AWS_LAMBDA_FUNCTION_NAME: 'fresh-token-lambda-dev-any-valid', AWS_REGION: 'eu-west-1' };

beforeAll(async () => {
  // Inside the project, so the bundle's externals (Powertools) resolve from node_modules as on Lambda.
  outDir = mkdtempSync(path.join(ROOT, '.esbuild-key-guard-'));
  bundle = path.join(outDir, 'any-valid.mjs');
  await build({
    ...FUNCTION_BUILD,
    entryPoints: [path.join(ROOT, 'authorizers/any-valid.ts')],
    outdir: outDir,
  });
  devToken = await testIssuer(testConfig({ JWT_SECRET: DEV_JWT_SECRET })).issueAccessToken('mallory', true, Math.floor(Date.now() / 1000));
}, 60_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('the built any-valid authorizer inside a real Lambda', () => {
  it('refuses to start with the development secret, even on a stage called local, naming the variable', async () => {
    const result = await runBundle({ ...LAMBDA, STAGE: 'local', JWT_SECRET: DEV_JWT_SECRET }, devToken);
    expect(result.outcome).toBe('init failed');
    expect(result.error).toContain('JWT_SECRET is the public local development secret');
    expect(result.error).not.toContain(DEV_JWT_SECRET);
  });

  it('refuses to start with a strong secret given as a value instead of an SSM parameter', async () => {
    const result = await runBundle({ ...LAMBDA, STAGE: 'prod', JWT_SECRET: 'a-strong-secret-given-as-a-value-0123456789' }, devToken);
    expect(result).toEqual({ outcome: 'init failed', error: expect.stringContaining('JWT_SECRET holds key material as a value') });
  });

  it('still allows the development secret under serverless-offline (IS_OFFLINE), as npm start uses it', async () => {
    const result = await runBundle({ ...LAMBDA, IS_OFFLINE: 'true', STAGE: 'local', JWT_SECRET: DEV_JWT_SECRET }, devToken);
    expect(result).toEqual({ outcome: 'Allow' });
  });
});
