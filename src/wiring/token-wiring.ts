/**
 * Cold-start wiring: each piece is built on first use and kept for the life of the container.
 * A function pulls in only the pieces it uses, so an authorizer bundle carries no signing code
 * and a protected handler neither jose nor the signing secret. The database side lives in
 * `store-wiring.ts`, so nothing here brings in the AWS SDK.
 */
import {
  loadConfig,
  loadHttpConfig,
  loadPublishedKeysConfig,
  loadTokenConfig,
  type Config,
  type HttpConfig,
  type TokenConfig,
} from '../config/config';
import { logger } from '../platform/logger';
import { readSecureParameter } from '../platform/parameters';
import { loadPublishedKeys, loadSigningKey, loadVerificationKeys, type VerificationKeys } from '../tokens/keys';
import { createTokenIssuer, type TokenIssuer } from '../tokens/token-issuer';
import { createTokenVerifier, type TokenVerifier } from '../tokens/token-verifier';

let config: Config | undefined;
let tokenConfig: TokenConfig | undefined;
let httpConfig: HttpConfig | undefined;
let verificationKeys: Promise<VerificationKeys> | undefined;
let publishedKeys: ReturnType<typeof loadPublishedKeys> | undefined;
let verifier: TokenVerifier | undefined;
let issuer: TokenIssuer | undefined;

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

/**
 * The verification keys, loaded (from the environment or SSM) and imported once. Loading starts
 * at cold start; a failure is logged there and fails every request as a fault, never as a 401.
 */
function getVerificationKeys(): Promise<VerificationKeys> {
  verificationKeys ??= reportFailure(loadVerificationKeys(getTokenConfig(), readSecureParameter));
  return verificationKeys;
}

/** The public keys the JWKS route publishes (none with HS256), loaded once. Throws `ConfigError`. */
export function getPublishedKeys(): ReturnType<typeof loadPublishedKeys> {
  publishedKeys ??= reportFailure(loadPublishedKeys(loadPublishedKeysConfig(process.env), readSecureParameter));
  return publishedKeys;
}

/** The token verifier over the verification keys. */
export function getTokenVerifier(): TokenVerifier {
  verifier ??= createTokenVerifier(getTokenConfig(), getVerificationKeys());
  return verifier;
}

/** The token issuer, its signing key loaded and imported once. */
export function getTokenIssuer(): TokenIssuer {
  issuer ??= createTokenIssuer(getTokenConfig(), reportFailure(loadSigningKey(getTokenConfig(), readSecureParameter)));
  return issuer;
}

/**
 * Logs unusable key material once, at cold start, naming the variable; every request that needs
 * the keys then fails as a fault (500), never as a client error.
 */
function reportFailure<T>(keys: Promise<T>): Promise<T> {
  keys.catch((error: unknown) => logger.error('key material unusable', { outcome: 'fault', error }));
  return keys;
}
