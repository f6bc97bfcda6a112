import type { IssuedTokens } from '../sessions/session-service';
import type { JsonReply } from './responses';

/**
 * `{"access_token", "refresh_token"}` (flask-jwt-extended's names; no refresh token after a
 * fresh login). Never cached (RFC 6749 §5.1).
 */
export function tokensReply({ sub, accessToken, refreshToken }: IssuedTokens): JsonReply {
  const body = refreshToken === undefined ? { access_token: accessToken } : { access_token: accessToken, refresh_token: refreshToken };
  return { status: 200, body, identity: sub, noStore: true };
}

/** `{"msg": "Logged out"}`. */
export function loggedOutReply({ sub }: { sub: string }): JsonReply {
  return { status: 200, body: { msg: 'Logged out' }, identity: sub };
}
