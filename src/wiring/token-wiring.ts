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
  loadTransportConfig,
  type Config,
  type CookieConfig,
  type HttpConfig,
  type TokenConfig,
} from '../config/config';
import { KeysUnavailableError } from '../errors/errors';
import { logger } from '../platform/logger';
import { readSecureParameters } from '../platform/parameters';
import { createKeyRing, keyPart, type KeySupply } from '../tokens/key-ring';
import { loadKeyMaterial, type KeyMaterial, type KeyWants } from '../tokens/key-material';
import { loadPublishedKeys } from '../tokens/keys';
import { createTokenIssuer, type TokenIssuer } from '../tokens/token-issuer';
import { createTokenVerifier, type TokenVerifier } from '../tokens/token-verifier';

let config: Config | undefined;
let tokenConfig: TokenConfig | undefined;
let httpConfig: HttpConfig | undefined;
let transportConfig: CookieConfig | undefined;
let keyRing: KeySupply<KeyMaterial> | undefined;
let publishedKeys: KeySupply<Awaited<ReturnType<typeof loadPublishedKeys>>> | undefined;
let verifier: TokenVerifier | undefined;
let issuer: TokenIssuer | undefined;
/** What this function signs or verifies, as its handler asks for the issuer and the verifier. */
const wants: KeyWants = { sign: false, verify: false };

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

/** Where tokens travel, alone (the API description). Throws `ConfigError`. */
export function getTransportConfig(): CookieConfig {
  transportConfig ??= config?.transport ?? tokenConfig?.transport ?? loadTransportConfig(process.env);
  return transportConfig;
}

/** The HTTP settings only (what a protected handler needs). Throws `ConfigError`. */
export function getHttpConfig(): HttpConfig {
  httpConfig ??= config ?? loadHttpConfig(process.env);
  return httpConfig;
}

/** Logs the first failure of a burst, naming the variable or parameter, and the recovery. */
function keyRingLogging(what: string) {
  return {
    onFailure: (error: unknown, keysInUse: boolean) =>
      logger.error(keysInUse ? `${what} could not be re-read; keeping the current ones` : `${what} unavailable`, {
        outcome: 'fault',
        error,
      }),
    onRecovery: () => logger.info(`${what} loaded`, { outcome: 'recovered' }),
  };
}

/**
 * This function's key material: every key parameter it needs read in one SSM call, imported
 * once, re-read after KEYS_MAX_AGE and on unknown kids. The first read starts once the handler
 * module has said (synchronously, at load) whether it signs, verifies or both.
 */
function getKeyRing(): KeySupply<KeyMaterial> {
  if (!keyRing) {
    const settings = getTokenConfig();
    const ring = createKeyRing({
      load: () => loadKeyMaterial(settings, wants, readSecureParameters),
      maxAgeSeconds: settings.keysMaxAgeSeconds,
      ...keyRingLogging('key material'),
    });
    queueMicrotask(() => void ring.ready().catch(() => undefined));
    keyRing = ring;
  }
  return keyRing;
}

/** The public keys the JWKS route publishes (none with HS256), refreshed like every key. Throws `ConfigError`. */
export function getPublishedKeys(): KeySupply<Awaited<ReturnType<typeof loadPublishedKeys>>> {
  if (!publishedKeys) {
    const settings = loadPublishedKeysConfig(process.env);
    const readOne = async (name: string) => (await readSecureParameters([name])).get(name);
    const ring = createKeyRing({
      load: () => loadPublishedKeys(settings, readOne),
      maxAgeSeconds: settings.keysMaxAgeSeconds,
      ...keyRingLogging('public keys'),
    });
    void ring.ready().catch(() => undefined);
    publishedKeys = ring;
  }
  return publishedKeys;
}

const missing = (part: string) => () => new KeysUnavailableError(new Error(`this function was given no ${part} key`));

/** The token verifier over this function's verification keys. */
export function getTokenVerifier(): TokenVerifier {
  wants.verify = true;
  verifier ??= createTokenVerifier(
    getTokenConfig(),
    keyPart(getKeyRing(), (keys) => keys.verification, missing('verification')),
  );
  return verifier;
}

/** The token issuer over this function's signing key. */
export function getTokenIssuer(): TokenIssuer {
  wants.sign = true;
  issuer ??= createTokenIssuer(
    getTokenConfig(),
    keyPart(getKeyRing(), (keys) => keys.signing, missing('signing')),
  );
  return issuer;
}
