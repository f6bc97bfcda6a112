import { ensureTables, readTableDefinitions, readTableNames, startDynalite, type LocalDatabase } from '../../scripts/local-db';
import { freePort, startOffline } from '../../scripts/offline';
import { TEST_ENV } from './test-config';

export interface TestDatabase extends LocalDatabase {
  /** The environment that points the product at this database and its tables (local stage). */
  readonly env: Record<string, string> & Awaited<ReturnType<typeof readTableNames>>;
}

/** A fresh in-memory dynalite on a free port with the tables serverless.yml declares. */
export async function startTestDatabase(): Promise<TestDatabase> {
  const db = await startDynalite();
  await ensureTables(db.endpoint, await readTableDefinitions('local'));
  return { ...db, env: { DYNAMODB_ENDPOINT: db.endpoint, AWS_REGION: 'us-east-1', ...(await readTableNames('local')) } };
}

/**
 * Points `process.env` at `db` (plus `extra`) for modules imported afterwards: the handlers read
 * their configuration once, when first imported.
 */
export function useEnvironment(db: { env: Record<string, string> }, extra: Record<string, string> = {}): void {
  Object.assign(process.env, TEST_ENV, db.env, extra);
}

export interface TestApi {
  readonly baseUrl: string;
  readonly db: TestDatabase;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The whole local stack on free ports: a fresh dynalite and serverless-offline pointed at it.
 * `env` adds to the start environment (e.g. JWT_SECRET); `via` overrides where the
 * functions look for the database (to simulate an outage), or puts something in front of it.
 * Options: `database`, one already started (the stack then owns it); `port`, where the API
 * answers; `logFile` gets what serverless-offline prints, as `output()` does; `idleSeconds` keeps
 * idle function instances warm that long (serverless-offline's default: 60).
 */
export async function startTestApi(
  env: Record<string, string> = {},
  via?: string | ((databaseEndpoint: string) => Promise<string>),
  { database, port, logFile, idleSeconds }: { database?: TestDatabase; port?: number; logFile?: string; idleSeconds?: number } = {},
): Promise<TestApi> {
  const db = database ?? (await startTestDatabase());
  try {
    const dbEndpoint = typeof via === 'function' ? await via(db.endpoint) : via;
    const offline = await startOffline({
      port: port ?? (await freePort()),
      logFile,
      idleSeconds,
      env: {
        POWERTOOLS_LOG_LEVEL: 'WARN',
        LOG_LEVEL: 'WARN',
        PASSWORD_SCRYPT_LOG2N: TEST_ENV.PASSWORD_SCRYPT_LOG2N,
        DYNAMODB_ENDPOINT: dbEndpoint ?? db.endpoint,
        ...env,
      },
    });
    return {
      baseUrl: offline.baseUrl,
      db,
      output: offline.output,
      stop: async () => {
        await offline.stop();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
