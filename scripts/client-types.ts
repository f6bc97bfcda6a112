/**
 * npm run client:types: regenerates the client's request and answer types from the OpenAPI
 * document (see render-client-types.ts). Run it after a change to the routes, and commit the file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLIENT_TYPES_FILE, renderClientTypes } from './render-client-types';

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

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
