import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GlobalConfig } from 'jest';
import { generateKeyMaterial } from '../../scripts/local-keys';
import { freePort } from '../../scripts/offline';
import { startTestApi, startTestDatabase, type TestApi, type TestDatabase } from '../helpers/local-stack';
import { waitFor } from '../helpers/wait-for';

/**
 * The local stacks the e2e files run against, each started once for the whole e2e run by the
 * global setup (jest.config.js: globalSetup setup-shared-stacks.ts), in the background while the
 * unit and integration files run, instead of in a file's beforeAll: a start is about 3 s of CPU,
 * and a file that waited for it held a jest worker idle meanwhile. Files that share a stack run at
 * the same time (two workers), so each makes users of its own names and asserts only on what its
 * own requests did; none changes the stack itself. A file that stops the database or controls what
 * the functions reach (chaos.test.ts, ssm-faults.test.ts) starts its own with startTestApi.
 */
export const SHARED_STACKS = Object.freeze({
  // In the order they start: about the order their files run on a fresh clone (jest runs the
  // biggest files first when it has no timings of earlier runs).
  /** Strict rotation (no retry window: every superseded token is reuse), a low lockout threshold: sessions and the account routes. */
  strict: {
    JWT_SECRET: 'e2e-strict-secret-0123456789abcdef-0123456789ab',
    REFRESH_REUSE_GRACE: '0',
    LOGIN_MAX_FAILURES: '3',
    LOGIN_MAX_FAILURES_PER_USER: '5',
  },
  /** The defaults, with a signing secret of the tests' own: the fresh-token flow, the README's curl flow. */
  standard: { JWT_SECRET: 'e2e-secret-set-in-the-start-environment-0123456789' },
  /** Tokens in headers and in cookies (CSRF double submit) for one page's origin: cookies.test.ts. */
  cookies: {
    JWT_SECRET: 'e2e-cookies-secret-0123456789abcdef-0123456789',
    TOKEN_LOCATION: 'headers,cookies',
    CORS_ALLOW_ORIGINS: 'http://app.localhost:8080',
  },
  /** flask-jwt-extended's tokens in its cookies only, shared with a real Flask app: flask-cookies.test.ts. */
  flaskCookies: {
    JWT_SECRET: 'e2e-flask-cookies-secret-0123456789abcdef-0123',
    TOKEN_FORMAT: 'flask-jwt-extended',
    TOKEN_LOCATION: 'cookies',
  },
  /**
   * flask-jwt-extended's tokens with a short retry window (its end is waited for; long enough that a
   * retry sent at once lands inside it on a busy machine): session-rules.test.ts.
   */
  flaskRules: {
    JWT_SECRET: 'e2e-session-rules-secret-0123456789abcdef-0123',
    TOKEN_FORMAT: 'flask-jwt-extended',
    REFRESH_REUSE_GRACE: '5',
  },
  /** EdDSA, with a key pair made for the run (MADE_AT_START below): asymmetric-keys.test.ts. */
  eddsa: { JWT_ALG: 'EdDSA', JWT_SECRET: '' },
  /** A signing secret too short to use, so every function fails to start: config-fault.test.ts. */
  badSecret: { JWT_SECRET: 'too-short' },
} satisfies Record<string, Record<string, string>>);

/** Settings made when the stack starts: key pairs are made for each run, never committed. */
const MADE_AT_START: Partial<Record<SharedStackName, () => Promise<Record<string, string>>>> = {
  eddsa: async () => {
    const keys = await generateKeyMaterial('EdDSA');
    return { JWT_PRIVATE_KEY: keys.privateKey, JWT_PUBLIC_KEYS: keys.publicKeys };
  },
};

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
interface Running {
  readonly logDir: string;
  /** The stacks up so far. */
  readonly started: TestApi[];
  /** Stacks not launched yet: closing one frees its database. */
  readonly queued: { launch: () => Promise<void>; close: () => Promise<void> }[];
  /** Settles once no start is under way. */
  done: Promise<unknown>;
}
const running = globalThis as { sharedStacks?: Running };

const E2E_DIR = __dirname;
const USES = /\bsharedStack\(\s*'(\w+)'\s*\)/g;

/**
 * The shared stacks the e2e files of this run use, in SHARED_STACKS order: every e2e file's, or,
 * when the command names test paths (`npx jest tests/e2e/cookies.test.ts`), those files' only.
 */
export function stacksInUse(testPathPatterns?: GlobalConfig['testPathPatterns']): SharedStackName[] {
  const executor = testPathPatterns?.isSet() ? testPathPatterns.toExecutor({ rootDir: path.resolve(E2E_DIR, '../..') }) : undefined;
  const files = (readdirSync(E2E_DIR, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join(E2E_DIR, file))
    .filter((file) => executor === undefined || executor.isMatch(file));
  const used = new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(USES)].map((match) => match[1])));
  return (Object.keys(SHARED_STACKS) as SharedStackName[]).filter((name) => used.has(name));
}

/**
 * A port for a stack that starts later, free now and below the system's range of ephemeral ports:
 * a port from that range (freePort) can be taken meanwhile as the source port of any outgoing
 * connection, and a stack queued behind others starts many seconds after its port is published.
 */
async function laterPort(): Promise<number> {
  const range = '/proc/sys/net/ipv4/ip_local_port_range';
  const [ephemeralStart] = existsSync(range) ? readFileSync(range, 'utf8').trim().split(/\s+/).map(Number) : [];
  if (ephemeralStart === undefined || !Number.isInteger(ephemeralStart) || ephemeralStart < 12_000) return freePort();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = ephemeralStart - 10_000 + Math.floor(Math.random() * 9_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return freePort();
}

/** How many stacks start at once after the first: a start is CPU-bound, so the first few are up sooner. */
const STARTS_AT_ONCE = 2;

/**
 * Starts the shared stacks `names` and publishes each in the environment the workers inherit,
 * without waiting for serverless-offline: the unit and integration files run meanwhile, and each
 * e2e file waits for its stack in beforeAll (`ready()`). The database and the port are taken
 * first, so what is published is final. The first stack starts alone, since it builds the
 * functions (on a fresh clone); the others then reuse that build, STARTS_AT_ONCE at a time.
 */
export async function startSharedStacks(names: readonly SharedStackName[]): Promise<void> {
  const logDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-e2e-stacks-'));
  const state: Running = { logDir, started: [], queued: [], done: Promise.resolve() };
  running.sharedStacks = state;
  for (const name of names) {
    const logFile = path.join(logDir, `${name}.log`);
    const [database, port] = await Promise.all([startTestDatabase(), laterPort()]);
    const published: Published = { baseUrl: `http://127.0.0.1:${port}`, db: { endpoint: database.endpoint, env: database.env }, logFile };
    process.env[variable(name)] = JSON.stringify(published);
    const launch = async () => {
      try {
        const made = (await MADE_AT_START[name]?.()) ?? {};
        // Warm instances stay for the whole run (Lambda keeps an idle one for minutes), so a file that
        // starts late does not cold-start every function again.
        state.started.push(
          await startTestApi({ ...SHARED_STACKS[name], ...made }, undefined, { database, port, logFile, idleSeconds: 3600 }),
        );
      } catch (err) {
        writeFileSync(failedFile(logFile), err instanceof Error ? (err.stack ?? err.message) : String(err));
        await database.close();
      }
    };
    state.queued.push({ launch, close: () => database.close() });
  }
  const lane = async (): Promise<void> => {
    for (let next = state.queued.shift(); next !== undefined; next = state.queued.shift()) await next.launch();
  };
  const first = state.queued.shift();
  state.done = (async () => {
    await first?.launch();
    await Promise.all(Array.from({ length: STARTS_AT_ONCE }, lane));
  })();
}

/** Stops what startSharedStacks started (once the starts under way have ended) and removes their logs. */
export async function stopSharedStacks(): Promise<void> {
  const stacks = running.sharedStacks;
  running.sharedStacks = undefined;
  if (stacks === undefined) return;
  // Nothing more is launched; the databases of stacks never launched are closed.
  const never = stacks.queued.splice(0);
  await Promise.all(never.map((stack) => stack.close()));
  await stacks.done;
  await Promise.all(stacks.started.map((api) => api.stop()));
  rmSync(stacks.logDir, { recursive: true, force: true });
}
