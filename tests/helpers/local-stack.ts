import { ensureTables, readTableDefinitions, startDynalite, type LocalDatabase } from '../../scripts/local-db';
import { TEST_ENV } from './test-config';

export interface TestDatabase extends LocalDatabase {
  /** The environment that points the product at this database. */
  readonly env: Record<string, string>;
}

/** A fresh in-memory dynalite on a free port with the tables serverless.yml declares. */
export async function startTestDatabase(): Promise<TestDatabase> {
  const db = await startDynalite();
  await ensureTables(db.endpoint, await readTableDefinitions('local'));
  return { ...db, env: { DYNAMODB_ENDPOINT: db.endpoint, AWS_REGION: 'us-east-1' } };
}

/**
 * Points `process.env` at `db` (plus `extra`) for modules imported afterwards: the handlers read
 * their configuration once, when first imported.
 */
export function useEnvironment(db: { env: Record<string, string> }, extra: Record<string, string> = {}): void {
  Object.assign(process.env, TEST_ENV, db.env, extra);
}
