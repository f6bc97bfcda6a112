/**
 * scrypt password hashes (node:crypto), stored in a self-describing string:
 * `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`, so parameters can be raised later
 * without invalidating existing hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: N = 2^log2N, block size r, parallelism p. */
export interface ScryptParams {
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's recommended scrypt strength: N=2^17, r=8, p=1 (128 MiB per hash). */
export const SCRYPT_DEFAULTS: ScryptParams = Object.freeze({ log2N: 17, r: 8, p: 1 });

/** The configured cost (PASSWORD_SCRYPT_LOG2N) with OWASP's r and p. */
export function scryptParams(log2N: number): ScryptParams {
  return log2N === SCRYPT_DEFAULTS.log2N ? SCRYPT_DEFAULTS : Object.freeze({ ...SCRYPT_DEFAULTS, log2N });
}

/** A hash at the default cost whose password nobody knows (made once from random bytes). */
const DEFAULT_DECOY = 'scrypt$17$8$1$qIqGtgsLCc4gWbC/lPpfAA==$wObPFMIj7lvmc7AUjxTtLW1Uk7fidVaPYBI2xenTmys=';
const costKey = ({ log2N, r, p }: ScryptParams): string => `${log2N}$${r}$${p}`;
const decoys = new Map<string, Promise<string>>([[costKey(SCRYPT_DEFAULTS), Promise.resolve(DEFAULT_DECOY)]]);

/**
 * A hash at cost `params` that no password matches: verified against when the user does not exist,
 * so an unknown user costs the same scrypt work as a wrong password and the two cannot be told
 * apart by timing. Made once per cost and container.
 */
export function decoyHash(params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  const key = costKey(params);
  let decoy = decoys.get(key);
  if (decoy === undefined) {
    decoy = hashPassword(randomBytes(32).toString('base64'), params);
    decoys.set(key, decoy);
  }
  return decoy;
}

const KEY_BYTES = 32;
const SALT_BYTES = 16;

interface ParsedHash extends ScryptParams {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/**
 * The form of a password that is hashed, and that every rule and limit applies to: NFKC, so the
 * same password typed in composed, decomposed or full-width forms is one password.
 */
export function hashedForm(password: string): string {
  return password.normalize('NFKC');
}

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  // scrypt needs 128·N·r bytes; allow twice that so the default 32 MiB cap does not reject it.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => {
    scrypt(hashedForm(password), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes `password` with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params.log2N, params.r, params.p);
  return ['scrypt', params.log2N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when `password` matches `stored`; compares in constant time. Throws on a malformed stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  const candidate = await derive(password, parsed.salt, parsed.log2N, parsed.r, parsed.p);
  return candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}

function parseHash(stored: string): ParsedHash {
  const [scheme, log2N, r, p, salt, hash] = stored.split('$');
  const numbers = [log2N, r, p].map(Number);
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined || numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('Stored password hash is malformed');
  }
  const [n, rr, pp] = numbers as [number, number, number];
  return { log2N: n, r: rr, p: pp, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}
