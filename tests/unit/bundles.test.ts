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
  return { external: output.imports.filter((entry) => entry.external).map((entry) => entry.path), inputs: Object.keys(output.inputs) };
}

describe('function bundles', () => {
  it.each(['authorizers/any-valid.ts', 'authorizers/fresh-only.ts'])('%s loads no AWS SDK and no signing code', async (entry) => {
    const { external, inputs } = await importsOf(entry);
    expect(external.filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
    expect(inputs.some((input) => input.includes('token-issuer') || input.includes('jose/dist/webapi/jwt/sign'))).toBe(false);
  });

  it.each(['functions/protected.ts', 'functions/protected-fresh.ts'])('%s carries neither jose nor the AWS SDK', async (entry) => {
    const { external, inputs } = await importsOf(entry);
    expect(external.filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
    expect(inputs.some((input) => input.includes('node_modules/jose'))).toBe(false);
  });
});
