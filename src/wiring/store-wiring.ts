/**
 * Cold-start wiring of the database side, for the functions that use the tables only (login,
 * fresh-login, refresh, logout, the session and account routes): one DynamoDB client and the
 * stores over it. Kept apart from `token-wiring.ts` so
 * the authorizers and protected handlers never load the AWS SDK.
 */
import type { SessionDeps } from '../sessions/session-service';
import type { FamilyStore } from '../sessions/family-store';
import type { LoginAttempts } from '../users/login-attempts';
import type { UserStore } from '../users/user-store';
import { loadStoreConfig, type HttpConfig, type StoreConfig } from '../config/config';
import { getConfig, getTokenIssuer, getTokenVerifier } from './token-wiring';
import { createDynamoFamilyStore } from '../sessions/dynamo-family-store';
import { createDocumentClient } from '../platform/dynamo-client';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoUserStore } from '../users/dynamo-user-store';
import { createDynamoLoginAttempts } from '../users/login-attempts';
import { scryptParams, type ScryptParams } from '../users/password';

let storeConfig: (HttpConfig & StoreConfig) | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let stores: Stores | undefined;
let sessionDeps: SessionDeps | undefined;

/** The stores over one DynamoDB client: what the session and account routes use as they are. */
export interface Stores {
  readonly users: UserStore;
  readonly families: FamilyStore;
  readonly attempts: LoginAttempts;
  /** scrypt cost of new password hashes and of the unknown-user decoy. */
  readonly scrypt: ScryptParams;
}

/** The HTTP and table settings only (no token settings, no keys). Throws `ConfigError`. */
export function getStoreConfig(): HttpConfig & StoreConfig {
  storeConfig ??= loadStoreConfig(process.env);
  return storeConfig;
}

/** The one DynamoDB client of this function (the passkey stores share it). */
export function getDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= createDocumentClient(getStoreConfig());
  return documentClient;
}

/**
 * The users, families and login-attempts stores over one DynamoDB client. The session routes
 * (GET and DELETE /sessions) and the account routes (/me, /me/email, /me/password) need no more:
 * their authorizer has checked the token.
 */
export function getStores(): Stores {
  if (!stores) {
    const settings = getStoreConfig();
    const db = getDocumentClient();
    stores = Object.freeze({
      users: createDynamoUserStore(db, settings.usersTable),
      families: createDynamoFamilyStore(db, settings.familiesTable),
      attempts: createDynamoLoginAttempts(db, settings.loginAttemptsTable, {
        maxFailures: settings.loginMaxFailures,
        maxFailuresPerUser: settings.loginMaxFailuresPerUser,
        maxFailuresPerAddress: settings.loginMaxFailuresPerIp,
        windowSeconds: settings.loginWindowSeconds,
      }),
      scrypt: scryptParams(settings.passwordScryptLog2N),
    });
  }
  return stores;
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
    if (uses.issuer) getTokenIssuer();
    if (uses.verifier) getTokenVerifier();
    sessionDeps = Object.freeze({
      ...getStores(),
      get issuer() {
        return getTokenIssuer();
      },
      get verifier() {
        return getTokenVerifier();
      },
      refreshReuseGraceSeconds: settings.refreshReuseGraceSeconds,
      sessionMaxLifetimeSeconds: settings.sessionMaxLifetimeSeconds,
      freshWindowSeconds: settings.freshWindowSeconds,
      csrfClaims: settings.transport.cookies && settings.transport.csrfProtect,
    });
  }
  return sessionDeps;
}
