import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractZip } from '../helpers/unzip';
import { packagedProd } from './packaged-prod';

// Code behind import() is split into chunks (custom.esbuild.splitting), named after the handler
// file by plugins/esbuild-chunks.js, because serverless-esbuild puts into each zip every built file
// but the other functions' bundles and what is named after them.

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'fresh-token-zips-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The files of a function's zip. */
function filesOf(name: string): string[] {
  return extractZip(path.join(packagedProd().zips, `${name}.zip`), path.join(work, name)).sort();
}

describe('the function zips', () => {
  it('carry login’s WebAuthn chunk, loaded by the first passkey, beside its bundle', () => {
    const files = filesOf('login');
    expect(files).toContain('functions/login.mjs');
    expect(files.some((file) => /^functions\/login\.chunks\/passkey-sessions-\w+\.mjs$/.test(file))).toBe(true);
  });

  it('each carry one bundle and only the chunks named after it, none of another function', () => {
    const strays: string[] = [];
    for (const name of readdirSync(packagedProd().zips).map((zip) => zip.replace(/\.zip$/, ''))) {
      const files = filesOf(name);
      const bundles = files.filter((file) => /^(functions|authorizers)\/[^/]+\.mjs$/.test(file));
      expect({ name, bundles: bundles.length }).toEqual({ name, bundles: 1 });
      const chunks = `${bundles[0]!.replace(/\.mjs$/, '')}.chunks/`;
      strays.push(...files.filter((file) => file !== bundles[0] && !file.startsWith(chunks)).map((file) => `${name}: ${file}`));
    }
    expect(strays).toEqual([]);
  });
});
