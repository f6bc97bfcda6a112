/**
 * npm run client:types: regenerates the client's request and answer types from the OpenAPI
 * document (see render-client-types.ts). Run it after a change to the routes, and commit the file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliSpec } from './cli';
import { CLIENT_TYPES_FILE, renderClientTypes } from './render-client-types';

export const cli = {
  name: 'client:types',
  usage: 'usage: npm run client:types',
  help: `Regenerates ${CLIENT_TYPES_FILE}, the client's request and answer types, from the OpenAPI
document of the routes serverless.yml declares (openapi-typescript). Run it after a change to a
route or its schema (src/http/route-schemas.ts) and commit the file: a unit test fails while the
committed types differ from what this writes.

Exit status: 0 up to date or rewritten, 2 a usage error.`,
  positionals: { min: 0, max: 0 },
} satisfies CliSpec;

async function main(): Promise<void> {
  const file = path.join(__dirname, '..', CLIENT_TYPES_FILE);
  const after = await renderClientTypes();
  let before = '';
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    // not generated yet
  }
  if (after === before) console.log(`${CLIENT_TYPES_FILE} is up to date`);
  else {
    writeFileSync(file, after);
    console.log(`${CLIENT_TYPES_FILE} rewritten`);
  }
}

if (require.main === module) runCli(cli, main);
