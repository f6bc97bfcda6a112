/**
 * npm run docs:config: rewrites the generated part of docs/configuration.md from the tables
 * config.ts reads and the meanings beside them (src/config/config-reference.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigReference } from '../src/config/config-reference';
import { CONFIG_DOC, replaceGenerated } from '../src/config/config-doc';

const file = path.join(__dirname, '..', CONFIG_DOC);
const before = readFileSync(file, 'utf8');
const after = replaceGenerated(before, renderConfigReference());
if (after === before) console.log(`${CONFIG_DOC} is up to date`);
else {
  writeFileSync(file, after);
  console.log(`${CONFIG_DOC} rewritten`);
}
