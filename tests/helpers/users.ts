import { sweepChallenges } from '../../src/passkeys/challenge-store';
import { sweepPasskeys } from '../../src/passkeys/passkey-store';
import { createDynamoFamilyStore, sweepFamilies } from '../../src/sessions/dynamo-family-store';
import { sweepAttempts } from '../../src/users/login-attempts';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import type { FamilyStore } from '../../src/sessions/family-store';
import type { AdminDeps, DeleteDeps } from '../../src/users/user-admin';
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

/** What `npm run users -- delete` works with, over the test database's tables. */
export function deleteDeps(db: Pick<TestDatabase, 'endpoint' | 'env'>): DeleteDeps {
  const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
  return {
    users: createDynamoUserStore(client, db.env.USERS_TABLE),
    sweeps: {
      passkeys: sweepPasskeys(client, db.env.PASSKEYS_TABLE),
      sessions: sweepFamilies(client, db.env.FAMILIES_TABLE),
      challenges: sweepChallenges(client, db.env.PASSKEY_CHALLENGES_TABLE),
      attempts: sweepAttempts(client, db.env.LOGIN_ATTEMPTS_TABLE),
    },
  };
}
