import { SignJWT, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { nowSeconds } from '../platform/clock';
import type { KeySupply } from './key-ring';
import type { SigningKey } from './keys';
import type { Authn } from './authn';
import { TYP, type Freshness, type TokenKind, type TokenSettings } from './token-types';

/** Signs the product's tokens with a key loaded once per cold start. */
export interface TokenIssuer {
  /**
   * Signs an access token for `sub`: `fresh` is true, false or a "fresh until" time;
   * `authTime` is when the password was verified; `sid` names the session (the refresh-token
   * family) the token belongs to, absent for a fresh login's token; `csrf` is the double-submit
   * value of a token that travels in a cookie; `authn` how the user authenticated (`amr`/`acr`,
   * written in the standard format only: flask-jwt-extended has no such claims).
   */
  issueAccessToken(
    sub: string,
    fresh: Freshness,
    authTime: number,
    extra?: { sid?: string; csrf?: string; authn?: Authn },
  ): Promise<string>;
  /**
   * Signs a refresh token of family `fam` with the `jti`, `iat` and `exp` the family records: the
   * same inputs give the same token (byte for byte with HS256 and EdDSA), so a retried rotation
   * can hand out the very token the lost response carried.
   */
  issueRefreshToken(
    sub: string,
    refresh: { fam: string; jti: string; authTime: number; iat: number; exp: number; csrf?: string; authn?: Authn },
  ): Promise<string>;
  /** Lifetime of a refresh token, so a family can expire with it. */
  readonly refreshTokenTtlSeconds: number;
}

/** Builds the issuer over the signing key (re-read when it rotates; see `KeySupply`). */
export function createTokenIssuer(settings: TokenSettings, signingKey: KeySupply<SigningKey>): TokenIssuer {
  const standard = settings.tokenFormat === 'standard';

  const sign = async (
    kind: TokenKind,
    sub: string,
    extra: JWTPayload,
    times: { jti: string; iat: number; exp: number },
  ): Promise<string> => {
    const { alg, kid, key } = signingKey.current() ?? (await signingKey.ready());
    const jwt = new SignJWT({ type: kind, ...extra })
      .setProtectedHeader({ alg, typ: TYP[settings.tokenFormat][kind], kid })
      .setSubject(sub)
      .setJti(times.jti)
      .setIssuedAt(times.iat)
      .setNotBefore(times.iat)
      .setExpirationTime(times.exp);
    if (standard) jwt.setIssuer(settings.issuer).setAudience(settings.audience);
    return jwt.sign(key);
  };

  return {
    issueAccessToken: (sub, fresh, authTime, extra = {}) => {
      const now = nowSeconds();
      const claims: JWTPayload = { fresh, auth_time: authTime };
      if (extra.sid !== undefined) claims.sid = extra.sid;
      if (extra.csrf !== undefined) claims.csrf = extra.csrf;
      if (standard && extra.authn !== undefined) Object.assign(claims, authnClaims(extra.authn));
      return sign('access', sub, claims, {
        jti: randomUUID(),
        iat: now,
        exp: now + settings.accessTokenTtlSeconds,
      });
    },
    issueRefreshToken: (sub, { fam, jti, authTime, iat, exp, csrf, authn }) => {
      const claims: JWTPayload = { fam, auth_time: authTime };
      if (csrf !== undefined) claims.csrf = csrf;
      if (standard && authn !== undefined) Object.assign(claims, authnClaims(authn));
      return sign('refresh', sub, claims, { jti, iat, exp });
    },
    refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
  };
}

/** `amr` and `acr` as claims. */
function authnClaims({ amr, acr }: Authn): JWTPayload {
  return { amr: [...amr], acr };
}
