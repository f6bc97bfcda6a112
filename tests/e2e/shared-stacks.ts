import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApi, type TestApi, type TestDatabase } from '../helpers/local-stack';

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
  /**
   * Strict rotation (no retry window: every superseded token is reuse), a low lockout threshold,
   * and a short RECENT_MAX_AGE (its end is waited for): sessions and the account routes.
   */
  strict: {
    JWT_SECRET: 'e2e-strict-secret-0123456789abcdef-0123456789ab',
    REFRESH_REUSE_GRACE: '0',
    LOGIN_MAX_FAILURES: '3',
    LOGIN_MAX_FAILURES_PER_USER: '5',
    // Long enough for the steps after a password proof on a busy machine.
    RECENT_MAX_AGE: '8',
  },
} satisfies Record<string, Record<string, string>>);

export type SharedStackName = keyof typeof SHARED_STACKS;

/** What a test file gets of a shared stack: where it answers, its database, and its log so far. */
export interface SharedStack {
  readonly baseUrl: string;
  readonly db: Pick<TestDatabase, 'endpoint' | 'env'>;
  output(): string;
}

interface Published {
  baseUrl: string;
  db: SharedStack['db'];
  logFile: string;
}

/** Where the global setup tells the test files (other processes) about a stack. */
const variable = (name: SharedStackName) => `E2E_SHARED_STACK_${name.toUpperCase()}`;

/** The running shared stack `name`, for a test file. */
export function sharedStack(name: SharedStackName): SharedStack {
  const published = process.env[variable(name)];
  if (published === undefined)
    throw new Error(`no shared ${name} stack: the e2e project's globalSetup (tests/e2e/setup-shared-stacks.ts) starts it`);
  const { baseUrl, db, logFile } = JSON.parse(published) as Published;
  return { baseUrl, db, output: () => readFileSync(logFile, 'utf8') };
}

/** What the global setup started, for the global teardown (the same process). */
const running = globalThis as { sharedStacks?: { apis: TestApi[]; logDir: string } };

/** Starts every shared stack at once and publishes them in the environment the workers inherit. */
export async function startSharedStacks(): Promise<void> {
  const logDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-e2e-stacks-'));
  const names = Object.keys(SHARED_STACKS) as SharedStackName[];
  const started = await Promise.allSettled(
    names.map((name) =>
      // Warm instances stay for the whole run (Lambda keeps an idle one for minutes), so a file that
      // starts late does not cold-start every function again.
      startTestApi(SHARED_STACKS[name], undefined, { logFile: path.join(logDir, `${name}.log`), idleSeconds: 3600 }),
    ),
  );
  const apis = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  running.sharedStacks = { apis, logDir };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stopSharedStacks();
    throw failed.reason;
  }
  names.forEach((name, i) => {
    const api = apis[i]!;
    const published: Published = {
      baseUrl: api.baseUrl,
      db: { endpoint: api.db.endpoint, env: api.db.env },
      logFile: path.join(logDir, `${name}.log`),
    };
    process.env[variable(name)] = JSON.stringify(published);
  });
}

/** Stops what startSharedStacks started and removes their logs. */
export async function stopSharedStacks(): Promise<void> {
  const stacks = running.sharedStacks;
  running.sharedStacks = undefined;
  if (stacks === undefined) return;
  await Promise.all(stacks.apis.map((api) => api.stop()));
  rmSync(stacks.logDir, { recursive: true, force: true });
}
