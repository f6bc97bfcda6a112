/**
 * The product's two token kinds and their verified claims. No jose here: only `token-issuer.ts`
 * and `token-verifier.ts` import it.
 *
 * Access token:  header typ `at+jwt` (RFC 9068); claims sub, type "access", fresh, auth_time, jti, iat, nbf, exp, iss, aud.
 * Refresh token: header typ `rt+jwt`;            claims sub, type "refresh", fam, auth_time, jti, iat, nbf, exp, iss, aud.
 * `auth_time` (OIDC) is when the password was last verified; `fam` names the refresh-token family.
 * The header `typ` and the `type` claim must agree, so one kind is never accepted as the other.
 */
import { webcrypto } from 'node:crypto';
import type { TokenConfig } from '../config';

export type TokenKind = 'access' | 'refresh';

export const TYP: Readonly<Record<TokenKind, string>> = Object.freeze({ access: 'at+jwt', refresh: 'rt+jwt' });

/** Claims every token of ours carries. */
export interface RegisteredClaims {
  readonly sub: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/**
 * `fresh` as flask-jwt-extended has it: `true`/`false`, or a NumericDate meaning "fresh until".
 */
export type Freshness = boolean | number;

/** Verified claims of an access token. */
export interface AccessClaims extends RegisteredClaims {
  readonly fresh: Freshness;
  /** When the password was last verified; absent only in tokens from elsewhere (compatibility). */
  readonly auth_time?: number;
}

/** Verified claims of a refresh token. */
export interface RefreshClaims extends RegisteredClaims {
  /** The refresh-token family (one per login) this token belongs to. */
  readonly fam: string;
  readonly auth_time: number;
}

export type TokenSettings = TokenConfig;

/** Imports the HMAC key once; callers keep the promise and await it per use (already settled after the first). */
export function importHmacKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}
