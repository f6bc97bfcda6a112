import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The template tier's one full build: `serverless package --stage prod`, done once before the tier's
 * files run (jest.template.config.js globalSetup), so every file reads the same template and zips and
 * none packages the functions again.
 */

export const ROOT = path.resolve(__dirname, '../..');
export const SERVERLESS = path.join(ROOT, 'node_modules/.bin/serverless');
/** Settings of the deploying shell that would change the template; each package run sets its own. */
export const NEUTRAL_ENV = { ANY_VALID_CACHE_TTL: undefined, JWT_SECRET: undefined, STEP_UP_CHALLENGE: undefined };
/** Where the global setup tells the tier's files the package is. */
const PACKAGE_DIR_VARIABLE = 'TEMPLATE_TIER_PROD_PACKAGE';
const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';
/** The service as serverless resolved it: each function's events as declared, before merging. */
const STATE_FILE = 'serverless-state.json';

/** Packages the prod stage into `dir`: the template at its top, the function zips in `dir/zips/`. */
export async function packageProd(dir: string): Promise<void> {
  const outDir = path.join(dir, 'out');
  await promisify(execFile)(SERVERLESS, ['package', '--stage', 'prod', '--region', 'eu-west-1', '--package', outDir], {
    cwd: ROOT,
    env: { ...process.env, ...NEUTRAL_ENV, BUILD_DIR: path.relative(ROOT, path.join(dir, 'build')), REUSE_BUILD: 'false' },
  });
  mkdirSync(path.join(dir, 'zips'));
  for (const name of readdirSync(outDir).filter((file) => file.endsWith('.zip')))
    renameSync(path.join(outDir, name), path.join(dir, 'zips', name));
  renameSync(path.join(outDir, TEMPLATE_FILE), path.join(dir, TEMPLATE_FILE));
  renameSync(path.join(outDir, STATE_FILE), path.join(dir, STATE_FILE));
  rmSync(outDir, { recursive: true, force: true });
  rmSync(path.join(dir, 'build'), { recursive: true, force: true });
}

export function rememberPackage(dir: string): void {
  process.env[PACKAGE_DIR_VARIABLE] = dir;
}

/** The folder the global setup packaged into, or undefined outside the template tier. */
export function rememberedPackage(): string | undefined {
  return process.env[PACKAGE_DIR_VARIABLE];
}

/** The prod package of this run: the template's text, the resolved service, and the folder of its function zips. */
export function packagedProd(): { template: string; state: string; zips: string } {
  const dir = rememberedPackage();
  if (dir === undefined)
    throw new Error(`no packaged template: run the template tier (npm run test:template), whose global setup sets ${PACKAGE_DIR_VARIABLE}`);
  return {
    template: readFileSync(path.join(dir, TEMPLATE_FILE), 'utf8'),
    state: readFileSync(path.join(dir, STATE_FILE), 'utf8'),
    zips: path.join(dir, 'zips'),
  };
}
