/**
 * npm run docs:config: rewrites the generated part of docs/configuration.md from the tables
 * config.ts reads and the meanings beside them (src/config/config-reference.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConfigReference } from '../src/config/config-reference';
import { CONFIG_DOC, replaceGenerated } from '../src/config/config-doc';
import { runCli, type CliSpec } from './cli';

export const cli = {
  name: 'docs:config',
  usage: 'usage: npm run docs:config',
  help: `Rewrites the configuration reference in ${CONFIG_DOC} (the part between its config-reference
markers) from the code: the defaults and ranges src/config/config.ts applies and the meanings in
src/config/config-reference.ts. Run it after changing a setting; npm test fails while the chapter
and the code disagree. Prints whether the chapter changed.

Exit status: 0 done, 1 the chapter lacks its markers.`,
} satisfies CliSpec;

function main(): void {
  const file = path.join(__dirname, '..', CONFIG_DOC);
  const before = readFileSync(file, 'utf8');
  const after = replaceGenerated(before, renderConfigReference());
  if (after === before) console.log(`${CONFIG_DOC} is up to date`);
  else {
    writeFileSync(file, after);
    console.log(`${CONFIG_DOC} rewritten`);
  }
}

if (require.main === module) runCli(cli, main);
