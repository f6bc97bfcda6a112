import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/offline';
import { startTestApi, startTestDatabase, type TestApi, type TestDatabase } from '../helpers/local-stack';
import { waitFor } from '../helpers/wait-for';

/**
 * The local stacks more than one e2e file runs against, each started once for the whole e2e run
 * (jest.config.js: globalSetup setup-shared-stacks.ts) instead of once per file: a start is about
 * 4 s of CPU, and each function's first call in it another 0.3 s. The files that share a stack run
 * at the same time (two workers), so each makes users of its own names and asserts only on what
 * its own requests did; none changes the stack itself (a file that stops the database or needs a
 * setting of its own starts its own stack with startTestApi).
 */
export const SHARED_STACKS = Object.freeze({
  /** The defaults, with a signing secret of the tests' own: the fresh-token flow, the README's curl flow. */
  standard: { JWT_SECRET: 'e2e-secret-set-in-the-start-environment-0123456789' },
  /** Strict rotation (no retry window: every superseded token is reuse), a low lockout threshold: sessions and the account routes. */
  strict: {
    JWT_SECRET: 'e2e-strict-secret-0123456789abcdef-0123456789ab',
    REFRESH_REUSE_GRACE: '0',
    LOGIN_MAX_FAILURES: '3',
    LOGIN_MAX_FAILURES_PER_USER: '5',
  },
} satisfies Record<string, Record<string, string>>);

export type SharedStackName = keyof typeof SHARED_STACKS;

/** What a test file gets of a shared stack: where it answers, its database, and its log so far. */
export interface SharedStack {
  readonly baseUrl: string;
  readonly db: Pick<TestDatabase, 'endpoint' | 'env'>;
  output(): string;
  /** Resolves once the stack serves requests (the global setup does not wait for it); call it in beforeAll. */
  ready(): Promise<void>;
}

interface Published {
  baseUrl: string;
  db: SharedStack['db'];
  logFile: string;
}

/** Where the global setup tells the test files (other processes) about a stack. */
const variable = (name: SharedStackName) => `E2E_SHARED_STACK_${name.toUpperCase()}`;
/** Written beside the log if the stack could not start, with why. */
const failedFile = (logFile: string) => `${logFile}.failed`;
/** What serverless-offline prints once it serves requests (scripts/offline.ts waits for the same). */
const READY = 'Server ready:';

/** The shared stack `name`, for a test file; wait for `ready()` before the first request. */
export function sharedStack(name: SharedStackName): SharedStack {
  const published = process.env[variable(name)];
  if (published === undefined)
    throw new Error(`no shared ${name} stack: the e2e project's globalSetup (tests/e2e/setup-shared-stacks.ts) starts it`);
  const { baseUrl, db, logFile } = JSON.parse(published) as Published;
  const output = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const ready = async () => {
    await waitFor(
      `the shared ${name} stack to start`,
      () => {
        if (existsSync(failedFile(logFile)))
          throw new Error(`the shared ${name} stack did not start: ${readFileSync(failedFile(logFile), 'utf8')}`);
        return output().includes(READY) ? true : undefined;
      },
      { deadlineMs: 240_000 },
    );
  };
  return { baseUrl, db, output, ready };
}

/** What the global setup started, for the global teardown (the same process). */
const running = globalThis as { sharedStacks?: { starts: Promise<TestApi | undefined>[]; logDir: string } };

/**
 * Starts every shared stack and publishes each in the environment the workers inherit, without
 * waiting for serverless-offline: the unit and integration files run meanwhile, and each e2e file
 * waits for its stack in beforeAll (`ready()`). The database and the port are taken first, so
 * what is published is final.
 */
export async function startSharedStacks(): Promise<void> {
  const logDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-e2e-stacks-'));
  const starts: Promise<TestApi | undefined>[] = [];
  running.sharedStacks = { starts, logDir };
  for (const name of Object.keys(SHARED_STACKS) as SharedStackName[]) {
    const logFile = path.join(logDir, `${name}.log`);
    const [database, port] = await Promise.all([startTestDatabase(), freePort()]);
    const published: Published = { baseUrl: `http://127.0.0.1:${port}`, db: { endpoint: database.endpoint, env: database.env }, logFile };
    process.env[variable(name)] = JSON.stringify(published);
    starts.push(
      // Warm instances stay for the whole run (Lambda keeps an idle one for minutes), so a file that
      // starts late does not cold-start every function again.
      startTestApi(SHARED_STACKS[name], undefined, { database, port, logFile, idleSeconds: 3600 }).catch((err: unknown) => {
        writeFileSync(failedFile(logFile), err instanceof Error ? (err.stack ?? err.message) : String(err));
        return undefined;
      }),
    );
  }
}

/** Stops what startSharedStacks started (once each start has ended) and removes their logs. */
export async function stopSharedStacks(): Promise<void> {
  const stacks = running.sharedStacks;
  running.sharedStacks = undefined;
  if (stacks === undefined) return;
  await Promise.all(stacks.starts.map(async (start) => (await start)?.stop()));
  rmSync(stacks.logDir, { recursive: true, force: true });
}
