import path from 'node:path';
import { build } from 'esbuild';

// What a browser downloads for the client: one module for everything but passkeys, and
// @simplewebauthn/browser in a chunk of its own, fetched the first time a passkey is used.

const ROOT = path.resolve(__dirname, '../../..');

describe('the client bundled for a browser', () => {
  it('keeps @simplewebauthn/browser out of the first module, in a chunk loaded by import(), and imports nothing of Node', async () => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: { index: 'client/src/index.ts' },
      bundle: true,
      format: 'esm',
      splitting: true,
      platform: 'browser',
      target: 'es2022',
      outdir: path.join(ROOT, '.esbuild-client-bundle-test'),
      write: false,
      metafile: true,
    });
    const outputs = Object.entries(result.metafile.outputs);
    const [, entry] = outputs.find(([, output]) => output.entryPoint === 'client/src/index.ts')!;
    const webauthn = (inputs: Record<string, unknown>) =>
      Object.keys(inputs).some((input) => input.includes('node_modules/@simplewebauthn/browser/'));
    expect(webauthn(entry.inputs)).toBe(false);
    expect(entry.imports.map(({ kind }) => kind)).toEqual(['dynamic-import']);
    const [lazyName] = entry.imports.map(({ path: imported }) => imported);
    expect(webauthn(result.metafile.outputs[lazyName!]!.inputs)).toBe(true);
    expect(outputs.flatMap(([, output]) => output.imports.filter(({ external }) => external))).toEqual([]);
  });
});
