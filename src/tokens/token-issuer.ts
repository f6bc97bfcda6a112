import { SignJWT, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { importHmacKey, TYP, type TokenKind, type TokenSettings } from './token-types';

/** Signs the product's tokens with a key imported once per cold start. */
export interface TokenIssuer {
  /** Signs an access token for `sub`, fresh or not. */
  issueAccessToken(sub: string, fresh: boolean): Promise<string>;
  /** Signs a refresh token for `sub`. */
  issueRefreshToken(sub: string): Promise<string>;
}

/** Builds the issuer; the key import starts now and is reused by every call. */
export function createTokenIssuer(settings: TokenSettings): TokenIssuer {
  const key = importHmacKey(settings.jwtSecret);

  const sign = async (kind: TokenKind, sub: string, ttl: number, extra: JWTPayload): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ type: kind, ...extra })
      .setProtectedHeader({ alg: settings.jwtAlgorithm, typ: TYP[kind] })
      .setSubject(sub)
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ttl)
      .sign(await key);
  };

  return {
    issueAccessToken: (sub, fresh) => sign('access', sub, settings.accessTokenTtlSeconds, { fresh }),
    issueRefreshToken: (sub) => sign('refresh', sub, settings.refreshTokenTtlSeconds, {}),
  };
}
