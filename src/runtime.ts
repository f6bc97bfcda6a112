/**
 * Cold-start wiring: each piece is built on first use and kept for the life of the container.
 * A function pulls in only the pieces it uses, so an authorizer bundle carries neither signing
 * code nor the AWS SDK, and a protected handler neither jose nor the signing secret.
 */
import type { AuthDeps } from './auth-service';
import { loadConfig, loadHttpConfig, loadTokenConfig, type Config, type HttpConfig, type TokenConfig } from './config';
import { createDynamoFamilyStore } from './sessions/dynamo-family-store';
import { createDocumentClient } from './store/dynamo-client';
import { createTokenIssuer, type TokenIssuer } from './tokens/token-issuer';
import { createTokenVerifier, type TokenVerifier } from './tokens/token-verifier';
import { createDynamoUserStore } from './users/dynamo-user-store';
import { createDynamoLoginAttempts } from './users/login-attempts';

let config: Config | undefined;
let tokenConfig: TokenConfig | undefined;
let httpConfig: HttpConfig | undefined;
let verifier: TokenVerifier | undefined;
let issuer: TokenIssuer | undefined;
let authDeps: AuthDeps | undefined;

/** Every setting; throws `ConfigError` (naming every bad variable) if the environment is unusable. */
export function getConfig(): Config {
  config ??= loadConfig(process.env);
  return config;
}

/** The token settings only (what the authorizers need). Throws `ConfigError`. */
export function getTokenConfig(): TokenConfig {
  tokenConfig ??= config ?? loadTokenConfig(process.env);
  return tokenConfig;
}

/** The HTTP settings only (what a protected handler needs). Throws `ConfigError`. */
export function getHttpConfig(): HttpConfig {
  httpConfig ??= config ?? loadHttpConfig(process.env);
  return httpConfig;
}

/** The token verifier, its key imported once. */
export function getTokenVerifier(): TokenVerifier {
  verifier ??= createTokenVerifier(getTokenConfig());
  return verifier;
}

/** The token issuer, its key imported once. */
export function getTokenIssuer(): TokenIssuer {
  issuer ??= createTokenIssuer(getTokenConfig());
  return issuer;
}

/** Everything the stateful flows need: stores over one DynamoDB client, issuer and verifier. */
export function getAuthDeps(): AuthDeps {
  if (!authDeps) {
    const settings = getConfig();
    const db = createDocumentClient(settings);
    authDeps = Object.freeze({
      users: createDynamoUserStore(db, settings.usersTable),
      families: createDynamoFamilyStore(db, settings.familiesTable),
      attempts: createDynamoLoginAttempts(db, settings.loginAttemptsTable, {
        maxFailures: settings.loginMaxFailures,
        windowSeconds: settings.loginWindowSeconds,
      }),
      issuer: getTokenIssuer(),
      verifier: getTokenVerifier(),
      refreshReuseGraceSeconds: settings.refreshReuseGraceSeconds,
    });
  }
  return authDeps;
}
