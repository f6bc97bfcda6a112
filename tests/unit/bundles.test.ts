import { build } from 'esbuild';
import path from 'node:path';
import { FUNCTION_BUILD } from '../helpers/function-build';

// The authorizers run on every request: their bundles must not load the AWS SDK (cold start),
// and the protected handlers must not carry jose or the database code either.

const ROOT = path.resolve(__dirname, '../..');

/**
 * What a function loads at cold start: its bundle and the chunks the bundle imports statically
 * (`inputs`, and the externals they import); and what it loads only through import() (`lazyInputs`).
 */
async function importsOf(entry: string): Promise<{ external: string[]; inputs: string[]; lazyInputs: string[]; copies: string[] }> {
  const result = await build({
    ...FUNCTION_BUILD,
    entryPoints: [path.join(ROOT, entry)],
    outdir: path.join(ROOT, '.esbuild-bundles-test'),
    write: false,
    metafile: true,
  });
  const outputs = result.metafile.outputs;
  const first = Object.keys(outputs).find((name) => outputs[name]!.entryPoint === entry)!;
  const cold = new Set([first]);
  for (const name of cold) {
    for (const imported of outputs[name]!.imports) if (!imported.external && imported.kind === 'import-statement') cold.add(imported.path);
  }
  const inputsOf = (names: string[]) => names.flatMap((name) => Object.keys(outputs[name]!.inputs));
  // Node's own modules aside, what the bundle leaves to Lambda, and how it loads it.
  const external = [...cold].flatMap((name) =>
    outputs[name]!.imports.filter((imported) => imported.external && !imported.path.startsWith('node:')).map(
      (imported) => `${imported.kind}:${imported.path}`,
    ),
  );
  const all = inputsOf(Object.keys(outputs));
  return {
    external,
    inputs: inputsOf([...cold]),
    lazyInputs: inputsOf(Object.keys(outputs).filter((name) => !cold.has(name))),
    // A source module in two output files would be a second copy, run twice.
    copies: all.filter((input, index) => all.indexOf(input) !== index),
  };
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
    const { inputs, lazyInputs } = await importsOf(entry);
    expect([...inputs, ...lazyInputs].some((input) => input.includes('node_modules/@simplewebauthn/'))).toBe(false);
  });

  it.each(['functions/login.ts', 'functions/fresh-login.ts'])(
    '%s loads WebAuthn only with a passkey: not at cold start, from a chunk of its own build, with no code twice',
    async (entry) => {
      const { inputs, lazyInputs, copies } = await importsOf(entry);
      const webAuthn = (input: string) => input.includes('node_modules/@simplewebauthn/') || input.endsWith('src/passkeys/webauthn.ts');
      expect(inputs.filter(webAuthn)).toEqual([]);
      expect(lazyInputs.some((input) => input.includes('node_modules/@simplewebauthn/server/'))).toBe(true);
      // The password path, the passkey settings and stores stay on the cold path.
      expect(inputs).toEqual(expect.arrayContaining(['src/users/password.ts', 'src/wiring/passkey-wiring.ts']));
      expect(copies).toEqual([]);
    },
  );

  it.each(['functions/refresh.ts', 'functions/logout.ts'])(
    '%s bundles the DynamoDB client, tree-shaken, instead of loading the whole package',
    async (entry) => {
      const { external, inputs } = await importsOf(entry);
      expect(inputs.some((input) => input.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
      expect(external).toEqual(['dynamic-import:@aws-lambda-powertools/parameters/ssm']);
    },
  );
});
