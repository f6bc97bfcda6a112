/**
 * `npm start`: the whole API on http://localhost:3000 (PORT to change it), on the local stage:
 * dynalite on loopback with the tables from serverless.yml and the demo user test/test, then
 * serverless-offline. Data persists in .data/ across restarts; `npm start -- --clean` starts empty.
 * Ctrl-C stops everything.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ensureTables, readTableDefinitions, readTableNames, ROOT, seedDemoUser, startDynalite } from './local-db';
import { localKeyMaterial } from './local-keys';
import { startOffline } from './offline';

// LOCAL_DATA_DIR: elsewhere (the browser test's throwaway stack).
const DATA_DIR = process.env.LOCAL_DATA_DIR ?? path.join(ROOT, '.data', 'dynamodb');
const KEYS_DIR = path.join(ROOT, '.keys');

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const dbPort = Number(process.env.DYNAMODB_PORT ?? 8000);
  if (process.argv.includes('--clean')) {
    rmSync(DATA_DIR, { recursive: true, force: true });
    console.log('Starting with an empty local database (--clean).');
  }

  const db = await startDynalite({ port: dbPort, dataPath: DATA_DIR });
  console.log(`Local DynamoDB (dynalite) at ${db.endpoint}, data in ${path.relative(ROOT, DATA_DIR)}/`);
  // The tables and the demo user are made while serverless-offline starts: no function runs
  // before a request, and the first request comes after both.
  const database = (async () => {
    await ensureTables(db.endpoint, await readTableDefinitions('local'));
    if (await seedDemoUser(db.endpoint, (await readTableNames('local')).USERS_TABLE)) console.log('Added the demo user test / test.');
  })();

  // With an asymmetric algorithm and no keys given, use (or make once) a local key pair.
  const env: Record<string, string> = { DYNAMODB_ENDPOINT: db.endpoint };
  const alg = process.env.JWT_ALG;
  if ((alg === 'EdDSA' || alg === 'ES256') && !process.env.JWT_PUBLIC_KEYS) {
    const keys = await localKeyMaterial(KEYS_DIR, alg);
    Object.assign(env, { JWT_PRIVATE_KEY: keys.privateKey, JWT_PUBLIC_KEYS: keys.publicKeys });
    console.log(`Signing ${alg} tokens with the local key pair in ${path.relative(ROOT, KEYS_DIR)}/`);
  }

  let offline;
  try {
    [offline] = await Promise.all([startOffline({ port, echo: true, env }), database]);
  } catch (err) {
    await offline?.stop();
    await db.close();
    throw err;
  }
  console.log(`\nFresh-token API ready at http://localhost:${port} (stage "local", no path prefix). Ctrl-C stops it.`);
  if (!process.env.JWT_SECRET && (alg ?? 'HS256') === 'HS256')
    console.log('Signing with the built-in DEV-ONLY secret; set JWT_SECRET to use your own.');

  const shutdown = async (): Promise<void> => {
    await offline.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
