import { SignJWT, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { nowSeconds } from '../platform/clock';
import type { KeySupply } from './key-ring';
import type { SigningKey } from './keys';
import { TYP, type Freshness, type TokenKind, type TokenSettings } from './token-types';

/** Signs the product's tokens with a key loaded once per cold start. */
export interface TokenIssuer {
  /**
   * Signs an access token for `sub`: `fresh` is true, false or a "fresh until" time;
   * `authTime` is when the password was verified.
   */
  issueAccessToken(sub: string, fresh: Freshness, authTime: number): Promise<string>;
  /** Signs a refresh token of family `fam` with the given `jti` (which the family records). */
  issueRefreshToken(sub: string, refresh: { fam: string; jti: string; authTime: number }): Promise<string>;
  /** Lifetime of a refresh token, so a family can expire with it. */
  readonly refreshTokenTtlSeconds: number;
}

/** Builds the issuer over the signing key (re-read when it rotates; see `KeySupply`). */
export function createTokenIssuer(settings: TokenSettings, signingKey: KeySupply<SigningKey>): TokenIssuer {
  const standard = settings.tokenFormat === 'standard';

  const sign = async (kind: TokenKind, sub: string, ttl: number, extra: JWTPayload, jti: string = randomUUID()): Promise<string> => {
    const { alg, kid, key } = signingKey.current() ?? (await signingKey.ready());
    const now = nowSeconds();
    const jwt = new SignJWT({ type: kind, ...extra })
      .setProtectedHeader({ alg, typ: TYP[settings.tokenFormat][kind], kid })
      .setSubject(sub)
      .setJti(jti)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ttl);
    if (standard) jwt.setIssuer(settings.issuer).setAudience(settings.audience);
    return jwt.sign(key);
  };

  return {
    issueAccessToken: (sub, fresh, authTime) => sign('access', sub, settings.accessTokenTtlSeconds, { fresh, auth_time: authTime }),
    issueRefreshToken: (sub, { fam, jti, authTime }) =>
      sign('refresh', sub, settings.refreshTokenTtlSeconds, { fam, auth_time: authTime }, jti),
    refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
  };
}
