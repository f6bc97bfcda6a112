import { createDynamoFamilyStore } from '../../src/sessions/dynamo-family-store';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import type { FamilyStore } from '../../src/sessions/family-store';
import type { AdminDeps } from '../../src/users/user-admin';
import type { TestDatabase } from './local-stack';
import { TEST_SCRYPT } from './test-config';

/** Admin access to the test database's local-stage tables (with the whole family store, for checks). */
export function adminDeps(db: Pick<TestDatabase, 'endpoint' | 'env'>): AdminDeps & { families: FamilyStore } {
  const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
  return {
    users: createDynamoUserStore(client, db.env.USERS_TABLE),
    families: createDynamoFamilyStore(client, db.env.FAMILIES_TABLE),
    scrypt: TEST_SCRYPT,
  };
}
