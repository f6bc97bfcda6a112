/**
 * Cold-start wiring of the database side, for the stateful functions only (login, fresh-login,
 * refresh, logout): one DynamoDB client and the stores over it. Kept apart from `token-wiring.ts` so
 * the authorizers and protected handlers never load the AWS SDK.
 */
import type { SessionDeps } from '../sessions/session-service';
import type { SessionListDeps } from '../sessions/session-list';
import type { AccountDeps } from '../sessions/account-service';
import { loadStoreConfig, type HttpConfig, type StoreConfig } from '../config/config';
import { getConfig, getTokenIssuer, getTokenVerifier } from './token-wiring';
import { createDynamoFamilyStore } from '../sessions/dynamo-family-store';
import { createDocumentClient } from '../platform/dynamo-client';
import { createDynamoUserStore } from '../users/dynamo-user-store';
import { createDynamoLoginAttempts } from '../users/login-attempts';

let sessionDeps: SessionDeps | undefined;
let storeConfig: (HttpConfig & StoreConfig) | undefined;
let sessionListDeps: SessionListDeps | undefined;
let accountDeps: AccountDeps | undefined;

function loginAttempts(db: ReturnType<typeof createDocumentClient>, settings: StoreConfig) {
  return createDynamoLoginAttempts(db, settings.loginAttemptsTable, {
    maxFailures: settings.loginMaxFailures,
    maxFailuresPerUser: settings.loginMaxFailuresPerUser,
    windowSeconds: settings.loginWindowSeconds,
  });
}

/** The HTTP and table settings only (the session routes: no token settings, no keys). Throws `ConfigError`. */
export function getStoreConfig(): HttpConfig & StoreConfig {
  storeConfig ??= loadStoreConfig(process.env);
  return storeConfig;
}

/** The stores behind the account routes (/me, /me/email, /me/password), over one DynamoDB client. */
export function getAccountDeps(): AccountDeps {
  if (!accountDeps) {
    const settings = getStoreConfig();
    const db = createDocumentClient(settings);
    accountDeps = Object.freeze({
      users: createDynamoUserStore(db, settings.usersTable),
      families: createDynamoFamilyStore(db, settings.familiesTable),
      attempts: loginAttempts(db, settings),
    });
  }
  return accountDeps;
}

/** The stores behind GET and DELETE /sessions, over one DynamoDB client. */
export function getSessionListDeps(): SessionListDeps {
  if (!sessionListDeps) {
    const settings = getStoreConfig();
    const db = createDocumentClient(settings);
    sessionListDeps = Object.freeze({
      users: createDynamoUserStore(db, settings.usersTable),
      families: createDynamoFamilyStore(db, settings.familiesTable),
    });
  }
  return sessionListDeps;
}

/**
 * Everything the stateful flows need: stores over one DynamoDB client, issuer and verifier. A
 * function builds at cold start the token parts it `uses`: login never verifies a token and
 * logout never signs one, so neither imports keys it has no use for (nor, with EdDSA/ES256, asks
 * for a private key it may not read). A part it does not use is built only if ever asked for.
 */
export function getSessionDeps(uses: { readonly issuer: boolean; readonly verifier: boolean }): SessionDeps {
  if (!sessionDeps) {
    const settings = getConfig();
    const db = createDocumentClient(settings);
    if (uses.issuer) getTokenIssuer();
    if (uses.verifier) getTokenVerifier();
    sessionDeps = Object.freeze({
      users: createDynamoUserStore(db, settings.usersTable),
      families: createDynamoFamilyStore(db, settings.familiesTable),
      attempts: loginAttempts(db, settings),
      get issuer() {
        return getTokenIssuer();
      },
      get verifier() {
        return getTokenVerifier();
      },
      refreshReuseGraceSeconds: settings.refreshReuseGraceSeconds,
      sessionMaxLifetimeSeconds: settings.sessionMaxLifetimeSeconds,
      freshWindowSeconds: settings.freshWindowSeconds,
    });
  }
  return sessionDeps;
}
