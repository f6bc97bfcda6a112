/**
 * `npm start`: the whole API on http://localhost:3000 (PORT to change it), on the local stage:
 * dynalite on loopback with the tables from serverless.yml and the demo user test/test, then
 * serverless-offline. Data persists in .data/ across restarts; `npm start -- --clean` starts empty.
 * `PORT=N npm start` starts another stack beside this one (its own database, free ports). Ctrl-C
 * stops everything.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { CliError, runCli, type CliSpec } from './cli';
import type { LocalDatabase } from './local-db';
import { clashIn, clashMessage, originText, planPorts, PortClashError } from './local-ports';
import { dataDirFor, describeStack, liveStacks, recordStack, shownPath, stacksDir } from './local-stacks';
import { startOffline, type Offline } from './offline';

const KEYS_DIR = path.resolve(__dirname, '..', '.keys');

export const cli = {
  name: 'start',
  usage: 'usage: npm start [-- --clean]',
  help: `Starts the whole API on this machine, on the local stage: a local DynamoDB (dynalite) with the
tables of serverless.yml and the demo user test / test, and serverless-offline with the
authorizers. Ctrl-C stops it.

  --clean    start with an empty database (deletes this stack's data folder first)

  PORT            the HTTP port (default 3000); PORT=N npm start starts another stack beside
                  this one, with its own database (.data/dynamodb-N/) on a free port
  DYNAMODB_PORT   the database's port (default 8000 for the default stack, else a free one)
  LAMBDA_PORT, WEBSOCKET_PORT   serverless-offline's ports (default: free ones)
  LOCAL_DATA_DIR  the database's data folder (default .data/dynamodb/, or .data/dynamodb-<PORT>/)

Every port and folder is printed. While it runs, npm run users works on its database. A port in
use is named with the variable that moves it. Exit status: 0 stopped, 1 could not start, 2 a
usage error.`,
  options: { clean: { type: 'boolean' } },
} satisfies CliSpec;

/** Starts the stack and returns while it runs; Ctrl-C stops it. */
export async function main({ values }: { values: { clean?: boolean } }): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const running = await liveStacks();
  const ports = await planPorts(process.env, { host, stacks: running });
  const dataDir = dataDirFor(ports.http);
  const sharing = running.find((stack) => path.resolve(stack.dataDir) === path.resolve(dataDir));
  if (sharing)
    throw new CliError(
      `the data folder ${shownPath(dataDir)} is in use by ${describeStack(sharing)}: set LOCAL_DATA_DIR to another folder`,
    );
  // The database and key code (the AWS SDK, dynalite, jose) only now: a clash or --help answers at once.
  const { ensureTables, readTableDefinitions, readTableNames, ROOT, seedDemoUser, startDynalite } = await import('./local-db');
  const { localKeyMaterial } = await import('./local-keys');
  if (values.clean === true) {
    rmSync(dataDir, { recursive: true, force: true });
    console.log('Starting with an empty local database (--clean).');
  }

  // Ctrl-C at any point stops what has started (serverless-offline runs in its own process group,
  // so the terminal's signal never reaches it) and removes this stack's record.
  let db: LocalDatabase | undefined;
  let offline: Offline | undefined;
  let removeRecord = (): void => undefined;
  const starting = new AbortController();
  const shutdown = async (): Promise<void> => {
    removeRecord();
    starting.abort();
    await offline?.stop();
    await db?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.once('exit', () => removeRecord());

  try {
    db = await startDynalite({ port: ports.dynamodb, dataPath: dataDir });
  } catch (err) {
    // Taken between the check and now.
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortClashError(clashMessage('dynamodb', ports.dynamodb));
    throw err;
  }
  const { endpoint } = db;
  console.log(`Local DynamoDB (dynalite) at ${endpoint} (${originText(ports, 'dynamodb')}), data in ${shownPath(dataDir)}`);
  // The tables and the demo user are made while serverless-offline starts: no function runs
  // before a request, and the first request comes after both. Once the tables are there, the
  // local commands (npm run users) may find this stack.
  const database = (async () => {
    await ensureTables(endpoint, await readTableDefinitions('local'));
    if (await seedDemoUser(endpoint, (await readTableNames('local')).USERS_TABLE)) console.log('Added the demo user test / test.');
    removeRecord = recordStack({
      pid: process.pid,
      port: ports.http,
      url: `http://localhost:${ports.http}`,
      dynamodbEndpoint: endpoint,
      lambdaPort: ports.lambda,
      dataDir,
      startedAt: new Date().toISOString(),
    });
  })();

  // With an asymmetric algorithm and no keys given, use (or make once) a local key pair.
  const env: Record<string, string> = {
    DYNAMODB_ENDPOINT: endpoint,
    LAMBDA_PORT: String(ports.lambda),
    WEBSOCKET_PORT: String(ports.websocket),
  };
  const alg = process.env.JWT_ALG;
  if ((alg === 'EdDSA' || alg === 'ES256') && !process.env.JWT_PUBLIC_KEYS) {
    const keys = await localKeyMaterial(KEYS_DIR, alg);
    Object.assign(env, { JWT_PRIVATE_KEY: keys.privateKey, JWT_PUBLIC_KEYS: keys.publicKeys });
    console.log(`Signing ${alg} tokens with the local key pair in ${path.relative(ROOT, KEYS_DIR)}/`);
  }

  try {
    [offline] = await Promise.all([startOffline({ port: ports.http, echo: true, env, signal: starting.signal }), database]);
  } catch (err) {
    removeRecord();
    await offline?.stop();
    await db.close();
    const clash = clashIn(err instanceof Error ? err.message : String(err), ports);
    if (clash) throw new PortClashError(clashMessage(clash.role, clash.port));
    throw err;
  }
  const others = (await liveStacks()).filter((stack) => stack.port !== ports.http);
  console.log(`\nFresh-token API ready at http://localhost:${ports.http} (stage "local", no path prefix). Ctrl-C stops it.`);
  console.log(
    `Lambda Invoke API on ${host}:${ports.lambda} (${originText(ports, 'lambda')}). npm run users works on this stack's database` +
      (others.length > 0 ? ` with --port ${ports.http} (this checkout runs ${others.length + 1} stacks)` : '') +
      `; recorded in ${shownPath(stacksDir())}`,
  );
  if (!process.env.JWT_SECRET && (alg ?? 'HS256') === 'HS256')
    console.log('Signing with the built-in DEV-ONLY secret; set JWT_SECRET to use your own.');
}

if (require.main === module) runCli(cli, main);
