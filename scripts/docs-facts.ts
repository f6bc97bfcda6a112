/**
 * npm run docs:facts: rewrites the generated sections of the docs (scripts/doc-sections.ts) from
 * serverless.yml as serverless resolves it for a deployed stage, and from the code.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CliError, runCli, type CliSpec } from './cli';
import { replaceSection } from './doc-sections';
import { codeSections, serviceSections, type ResolvedService } from './service-facts';

const ROOT = path.resolve(__dirname, '..');

export const cli = {
  name: 'docs:facts',
  usage: 'usage: npm run docs:facts',
  help: `Rewrites the generated sections of the docs (between their "generated:" markers) from what
they list: the authorizers (docs/tokens-and-freshness.md), the key parameters each function reads,
the stack's exports, its alarms and tables (docs/deploying.md), from serverless.yml as
serverless print resolves it for a deployed stage with none of its settings in the shell; and the
metrics (docs/deploying.md), from the error table and the functions that count. Run it after
changing one of them: npm test (metrics) and npm run test:template (the rest) fail while a
section and its source disagree. Prints each section that changed.

Exit status: 0 done, 1 serverless print failed or a doc lacks a section's markers.`,
} satisfies CliSpec;

/** The service as a deploy of prod from a shell with none of serverless.yml's settings resolves it. */
async function printService(): Promise<ResolvedService> {
  const yml = readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8');
  const env = { ...process.env };
  for (const [, name] of yml.matchAll(/\$\{env:(\w+)/g)) delete env[name!];
  try {
    const { stdout } = await promisify(execFile)(
      path.join(ROOT, 'node_modules/.bin/serverless'),
      ['print', '--stage', 'prod', '--region', 'eu-west-1', '--format', 'json'],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as ResolvedService;
  } catch (err) {
    const { stderr = '' } = err as { stderr?: string };
    const reason = stderr.split('\n').find((line) => line.trim() !== '' && !/^\W*Error:?\s*$/.test(line));
    throw new CliError(`serverless print failed${reason ? `: ${reason.trim()}` : ''}; run npx serverless print --stage prod to see why`);
  }
}

async function main(): Promise<void> {
  const sections = [...serviceSections(await printService()), ...codeSections()];
  for (const doc of [...new Set(sections.map((section) => section.doc))]) {
    const file = path.join(ROOT, doc);
    const before = readFileSync(file, 'utf8');
    let after = before;
    for (const { section, text } of sections.filter((s) => s.doc === doc)) {
      try {
        const next = replaceSection(after, section, text);
        if (next !== after) console.log(`${doc}: ${section} rewritten`);
        after = next;
      } catch (err) {
        throw new CliError(`${doc}: ${(err as Error).message}`);
      }
    }
    if (after !== before) writeFileSync(file, after);
  }
  console.log('The generated sections are up to date.');
}

if (require.main === module) runCli(cli, main);
