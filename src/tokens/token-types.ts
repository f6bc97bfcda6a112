/**
 * The product's two token kinds and their verified claims. No jose here: only `keys.ts`,
 * `token-issuer.ts` and `token-verifier.ts` import it.
 *
 * Access token:  claims sub, type "access", fresh, auth_time, sid, jti, iat, nbf, exp (+ iss, aud, amr, acr).
 * Refresh token: claims sub, type "refresh", fam, auth_time, jti, iat, nbf, exp (+ iss, aud, amr, acr).
 * `amr`/`acr` (src/tokens/authn.ts) say how the session's login or the step-up authenticated; only
 * the standard format carries them.
 * `auth_time` (OIDC) is when the password was last verified; `fam` names the refresh-token family,
 * and an access token's `sid` (OIDC's session id) the family it was issued for, when it was.
 * Every token's header carries `kid`. In the standard format the header `typ` is `at+jwt`
 * (RFC 9068) or `rt+jwt` and must agree with `type`; in the flask-jwt-extended format it is `JWT`
 * and there is no iss or aud, as flask-jwt-extended 4.x writes them.
 */
import type { TokenConfig, TokenFormat } from '../config/config';

export type TokenKind = 'access' | 'refresh';

export const TYP: Readonly<Record<TokenFormat, Readonly<Record<TokenKind, string>>>> = Object.freeze({
  standard: { access: 'at+jwt', refresh: 'rt+jwt' },
  'flask-jwt-extended': { access: 'JWT', refresh: 'JWT' },
});

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
  /** The session (refresh-token family) it was issued for; absent after a fresh login and in Flask's tokens. */
  readonly sid?: string;
  /** The CSRF double-submit value, in tokens issued for cookies (flask-jwt-extended's claim). */
  readonly csrf?: string;
  /** RFC 8176 authentication methods (`pwd`; `hwk`/`swk` and `user` for a passkey). */
  readonly amr?: readonly string[];
  /** The authentication context class (`ACR_VALUES`). */
  readonly acr?: string;
}

/** Verified claims of a refresh token. */
export interface RefreshClaims extends RegisteredClaims {
  /** The refresh-token family (one per login); absent only in flask-jwt-extended's own tokens. */
  readonly fam?: string;
  readonly auth_time?: number;
  /** The CSRF double-submit value, in tokens issued for cookies. */
  readonly csrf?: string;
  /** How the session's login authenticated (carried to every access token of the session). */
  readonly amr?: readonly string[];
  readonly acr?: string;
}

export type TokenSettings = Pick<
  TokenConfig,
  'jwtAlgorithm' | 'tokenFormat' | 'issuer' | 'audience' | 'accessTokenTtlSeconds' | 'refreshTokenTtlSeconds' | 'clockLeewaySeconds'
>;
