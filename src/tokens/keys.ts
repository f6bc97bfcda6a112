/**
 * Key material for signing and verifying, loaded once per cold start from the environment or
 * from SSM. HS256 keys are secrets (never published); EdDSA / ES256 keys are JWKs, and only the
 * issuing functions ever hold a private one. Every key has a `kid`; verification picks the key
 * by the token's `kid` from an allow-list, so current and previous keys work side by side.
 */
import type { JWK } from 'jose';
import { createHash, webcrypto } from 'node:crypto';
import { secretProblem, type JwtAlgorithm, type KeySource, type PublishedKeysConfig, type TokenConfig } from '../config/config';

export type Key = webcrypto.CryptoKey;

export interface SigningKey {
  readonly alg: JwtAlgorithm;
  readonly kid: string;
  readonly key: Key;
}

export interface VerificationKeys {
  readonly alg: JwtAlgorithm;
  readonly byKid: ReadonlyMap<string, Key>;
  /** HS256 only: the current secret, for tokens without `kid` (flask-jwt-extended issues none). */
  readonly withoutKid?: Key;
}

/** Reads an SSM parameter (decrypted) by name: undefined when it does not exist or is empty. */
export type ParameterReader = (name: string) => Promise<string | undefined>;

type KeySettings = Pick<TokenConfig, 'devSecretAllowed' | 'jwtAlgorithm' | 'secret' | 'previousSecrets' | 'privateKey' | 'publicKeys'>;

/** Key material that is missing or malformed: a deployment fault, reported by variable name. */
class KeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyConfigError';
  }
}

async function read(source: KeySource, name: string, readParameter: ParameterReader): Promise<{ text: string; name: string } | undefined> {
  if (source === undefined) return undefined;
  if ('value' in source) return { text: source.value, name };
  const text = await readParameter(source.parameter);
  if (text !== undefined) return { text, name: `${name}_PARAM (${source.parameter})` };
  if ('optional' in source && source.optional) return undefined;
  throw new KeyConfigError(`SSM parameter ${source.parameter} is missing or empty`);
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new KeyConfigError(`${name} is not valid JSON`);
  }
}

function importHmacKey(secret: string): Promise<Key> {
  return webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** A stable, non-reversible id for a secret: 72 bits of its SHA-256. */
export function secretKid(secret: string): string {
  return `hs-${createHash('sha256').update(secret).digest('base64url').slice(0, 12)}`;
}

function checkedSecret(text: string, name: string, devSecretAllowed: boolean): string {
  const problem = secretProblem(text, devSecretAllowed, name);
  if (problem) throw new KeyConfigError(problem);
  return text;
}

// Node's WebCrypto imports JWKs itself; going through it instead of jose's importJWK keeps ~4 KB
// of JWK handling out of every authorizer bundle. jose still does all signing and verifying.
const WEBCRYPTO_ALGORITHM = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
} as const;

/** RFC 7638 thumbprint: SHA-256 over the required public members, in lexicographic order. */
export function jwkThumbprint(jwk: JWK): string {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

async function importAsymmetric(
  jwk: unknown,
  alg: 'EdDSA' | 'ES256',
  name: string,
  wantPrivate: boolean,
): Promise<{ kid: string; key: Key; jwk: JWK }> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new KeyConfigError(`${name} must hold JWK objects`);
  const candidate = jwk as JWK;
  if (wantPrivate !== (typeof candidate.d === 'string')) {
    throw new KeyConfigError(`${name} must hold ${wantPrivate ? 'a private' : 'only public'} JWK${wantPrivate ? '' : 's'}`);
  }
  const { kty, crv, x, y, d } = candidate;
  let key: Key;
  try {
    const material = { kty, crv, x, ...(y === undefined ? {} : { y }), ...(d === undefined ? {} : { d }) } as webcrypto.JsonWebKey;
    key = await webcrypto.subtle.importKey('jwk', material, WEBCRYPTO_ALGORITHM[alg], false, [wantPrivate ? 'sign' : 'verify']);
  } catch (err) {
    throw new KeyConfigError(`${name} holds a key that is not an ${alg} key: ${(err as Error).message}`);
  }
  const kid = typeof candidate.kid === 'string' && candidate.kid !== '' ? candidate.kid : jwkThumbprint(candidate);
  return { kid, key, jwk: candidate };
}

/** The key the issuing functions sign with. Throws `KeyConfigError` naming the variable. */
export async function loadSigningKey(settings: KeySettings, readParameter: ParameterReader): Promise<SigningKey> {
  const alg = settings.jwtAlgorithm;
  if (alg === 'HS256') {
    const secret = await read(settings.secret, 'JWT_SECRET', readParameter);
    if (!secret) throw new KeyConfigError('JWT_SECRET (or JWT_SECRET_PARAM) is required to sign HS256 tokens');
    const value = checkedSecret(secret.text, secret.name, settings.devSecretAllowed);
    return { alg, kid: secretKid(value), key: await importHmacKey(value) };
  }
  const source = await read(settings.privateKey, 'JWT_PRIVATE_KEY', readParameter);
  if (!source) throw new KeyConfigError(`JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_PARAM) is required to sign ${alg} tokens`);
  const { kid, key } = await importAsymmetric(parseJson(source.text, source.name), alg, source.name, true);
  return { alg, kid, key };
}

/** Every key a token may be verified with, by `kid`. Throws `KeyConfigError` naming the variable. */
export async function loadVerificationKeys(settings: KeySettings, readParameter: ParameterReader): Promise<VerificationKeys> {
  const alg = settings.jwtAlgorithm;
  const byKid = new Map<string, Key>();
  if (alg === 'HS256') {
    const secret = await read(settings.secret, 'JWT_SECRET', readParameter);
    if (!secret) throw new KeyConfigError('JWT_SECRET (or JWT_SECRET_PARAM) is required to verify HS256 tokens');
    const current = checkedSecret(secret.text, secret.name, settings.devSecretAllowed);
    const withoutKid = await importHmacKey(current);
    byKid.set(secretKid(current), withoutKid);
    const previous = await read(settings.previousSecrets, 'JWT_PREVIOUS_SECRETS', readParameter);
    if (previous) {
      const list = parseJson(previous.text, previous.name);
      if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
        throw new KeyConfigError(`${previous.name} must be a JSON array of secrets`);
      }
      for (const old of list) byKid.set(secretKid(old), await importHmacKey(checkedSecret(old, previous.name, settings.devSecretAllowed)));
    }
    return { alg, byKid, withoutKid };
  }
  return { alg, byKid: (await readPublicKeys(settings, alg, readParameter)).byKid };
}

/** EdDSA / ES256: the public JWKS, imported and keyed by `kid`. Throws `KeyConfigError`. */
async function readPublicKeys(settings: Pick<KeySettings, 'publicKeys'>, alg: 'EdDSA' | 'ES256', readParameter: ParameterReader) {
  const source = await read(settings.publicKeys, 'JWT_PUBLIC_KEYS', readParameter);
  if (!source) throw new KeyConfigError(`JWT_PUBLIC_KEYS (or JWT_PUBLIC_KEYS_PARAM) is required to verify ${alg} tokens`);
  const jwks = parseJson(source.text, source.name) as { keys?: unknown };
  if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0) throw new KeyConfigError(`${source.name} must be a JWKS: {"keys": [...]}`);
  const byKid = new Map<string, Key>();
  const publicJwks: JWK[] = [];
  for (const entry of jwks.keys) {
    const { kid, key, jwk } = await importAsymmetric(entry, alg, source.name, false);
    byKid.set(kid, key);
    const { kty, crv, x, y } = jwk;
    publicJwks.push({ kty, crv, x, ...(y === undefined ? {} : { y }), kid, alg, use: 'sig' });
  }
  return { byKid, publicJwks };
}

/**
 * The public keys to publish at /.well-known/jwks.json: none for HS256 (a secret is never
 * published, and the JWKS function is given none), else the public JWKS. Throws `KeyConfigError`.
 */
export async function loadPublishedKeys(settings: PublishedKeysConfig, readParameter: ParameterReader): Promise<readonly JWK[]> {
  if (settings.jwtAlgorithm === 'HS256') return [];
  return (await readPublicKeys(settings, settings.jwtAlgorithm, readParameter)).publicJwks;
}
