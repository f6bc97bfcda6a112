import { build } from 'esbuild';
import path from 'node:path';
import { FUNCTION_BUILD } from '../helpers/function-build';

// The authorizers run on every request: their bundles must not load the AWS SDK (cold start),
// and the protected handlers must not carry jose or the database code either.

const ROOT = path.resolve(__dirname, '../..');

async function importsOf(entry: string): Promise<{ external: string[]; inputs: string[] }> {
  const result = await build({
    ...FUNCTION_BUILD,
    entryPoints: [path.join(ROOT, entry)],
    write: false,
    metafile: true,
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  // Node's own modules aside, what the bundle leaves to Lambda, and how it loads it.
  const external = output.imports
    .filter((entry) => entry.external && !entry.path.startsWith('node:'))
    .map((entry) => `${entry.kind}:${entry.path}`);
  return { external, inputs: Object.keys(output.inputs) };
}

const carriesSdk = (inputs: string[]) =>
  inputs.some((input) => input.includes('node_modules/@aws-sdk/') || input.includes('node_modules/@smithy/'));

describe('function bundles', () => {
  it.each(['authorizers/any-valid.ts', 'authorizers/fresh-only.ts'])('%s loads no AWS SDK and no signing code', async (entry) => {
    const { external, inputs } = await importsOf(entry);
    // Powertools Parameters (and through it the SSM client) only on first use, from the layer.
    expect(external).toEqual(['dynamic-import:@aws-lambda-powertools/parameters/ssm']);
    expect(carriesSdk(inputs)).toBe(false);
    expect(inputs.some((input) => input.includes('token-issuer') || input.includes('jose/dist/webapi/jwt/sign'))).toBe(false);
    // Nor WebAuthn: a strong route's authorizer reads the token's acr, never a passkey.
    expect(inputs.some((input) => input.includes('node_modules/@simplewebauthn/') || input.includes('src/passkeys/'))).toBe(false);
  });

  it.each(['functions/protected.ts', 'functions/protected-fresh.ts', 'functions/protected-strong.ts'])(
    '%s carries neither jose nor the AWS SDK',
    async (entry) => {
      const { external, inputs } = await importsOf(entry);
      expect(external).toEqual([]);
      expect(carriesSdk(inputs)).toBe(false);
      expect(inputs.some((input) => input.includes('node_modules/jose'))).toBe(false);
    },
  );

  it.each(['functions/refresh.ts', 'functions/logout.ts', 'functions/sessions.ts'])('%s carries no WebAuthn code', async (entry) => {
    const { inputs } = await importsOf(entry);
    expect(inputs.some((input) => input.includes('node_modules/@simplewebauthn/'))).toBe(false);
  });

  it.each(['functions/refresh.ts', 'functions/logout.ts'])(
    '%s bundles the DynamoDB client, tree-shaken, instead of loading the whole package',
    async (entry) => {
      const { external, inputs } = await importsOf(entry);
      expect(inputs.some((input) => input.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
      expect(external).toEqual(['dynamic-import:@aws-lambda-powertools/parameters/ssm']);
    },
  );
});
