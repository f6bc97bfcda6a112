/**
 * CSRF double-submit, as flask-jwt-extended does it: a token that travels in a cookie carries a
 * `csrf` claim, the same value goes to a cookie the page's script can read, and a state-changing
 * request authenticated by the cookie must echo it in a header. A cross-site page can make the
 * browser send the cookie but can read neither cookie, so it cannot echo the value.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CsrfError } from '../errors/errors';

/** Methods that change state: a cookie-carried token must come with the CSRF header on these. */
export const CSRF_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A fresh random value for an access token's `csrf` claim. */
export function newCsrfValue(): string {
  return randomUUID();
}

/**
 * A refresh token's `csrf` claim, derived from its (random, never shown) `jti`: a retried rotation
 * re-signs the very same token, so its value must come out the same without being stored.
 */
export function refreshCsrfValue(jti: string): string {
  return createHash('sha256').update(`csrf:${jti}`).digest('base64url');
}

/**
 * The double-submit check: `presented` (the request's CSRF header) must equal the token's claim.
 * Error codes: ERR_CSRF_MISSING, ERR_CSRF_MISMATCH.
 */
export function checkCsrf(claims: { readonly csrf?: string }, presented: string | undefined): void {
  if (presented === undefined || presented === '') throw new CsrfError('ERR_CSRF_MISSING', 'Missing CSRF token');
  if (claims.csrf === undefined || presented !== claims.csrf) {
    throw new CsrfError('ERR_CSRF_MISMATCH', 'CSRF double submit tokens do not match');
  }
}
