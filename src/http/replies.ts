import type { CookieConfig, TokenConfig } from '../config/config';
import type { IssuedTokens } from '../sessions/session-service';
import { clearingCookies, tokenCookies } from './cookies';
import type { SessionView } from '../sessions/session-list';
import type { Profile } from '../sessions/account-service';
import type { JsonReply } from './responses';

/** How new tokens reach the client: TOKEN_LOCATION and the tokens' lifetimes (the cookies' Max-Age). */
export interface TokenDelivery {
  readonly transport: CookieConfig;
  readonly accessSeconds: number;
  readonly refreshSeconds: number;
}

export function tokenDelivery(config: Pick<TokenConfig, 'transport' | 'accessTokenTtlSeconds' | 'refreshTokenTtlSeconds'>): TokenDelivery {
  return { transport: config.transport, accessSeconds: config.accessTokenTtlSeconds, refreshSeconds: config.refreshTokenTtlSeconds };
}

/**
 * `{"access_token", "refresh_token"}` (flask-jwt-extended's names; no refresh token after a fresh
 * login) where tokens travel in headers; in cookies, the four cookies, and with cookies only a body
 * without tokens (`cookieBody`: `{"login": true}` or `{"refresh": true}`, as in Flask's docs), so
 * the page's script never sees one. Never cached (RFC 6749 §5.1).
 */
export function tokensReply(tokens: IssuedTokens, delivery: TokenDelivery, cookieBody: Record<string, unknown>): JsonReply {
  const { sub, accessToken, refreshToken } = tokens;
  const body = !delivery.transport.headers
    ? cookieBody
    : refreshToken === undefined
      ? { access_token: accessToken }
      : { access_token: accessToken, refresh_token: refreshToken };
  const cookies = delivery.transport.cookies
    ? tokenCookies(delivery.transport, tokens, { accessSeconds: delivery.accessSeconds, refreshSeconds: delivery.refreshSeconds })
    : undefined;
  return { status: 200, body, identity: sub, noStore: true, ...(cookies ? { cookies } : {}) };
}

/** `{"msg": "Logged out"}`; with cookies, all four deleted. */
export function loggedOutReply({ sub }: { sub: string }, transport: CookieConfig): JsonReply {
  const reply = { status: 200, body: { msg: 'Logged out' }, identity: sub };
  return transport.cookies ? { ...reply, cookies: clearingCookies(transport) } : reply;
}

/** Epoch seconds as an RFC 3339 UTC time. */
const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** `{"sessions": [...], "next"?}`: the caller's sessions; `next` is the cursor of the following page. */
export function sessionsReply(username: string, { sessions, next }: { sessions: readonly SessionView[]; next?: string }): JsonReply {
  const body = {
    sessions: sessions.map((session) => ({
      id: session.id,
      created_at: isoTime(session.createdAt),
      last_used_at: isoTime(session.lastUsedAt),
      expires_at: isoTime(session.expiresAt),
      ip: session.ip ?? null,
      user_agent: session.userAgent ?? null,
      current: session.current,
    })),
    ...(next === undefined ? {} : { next }),
  };
  // Who is logged in where is personal: never kept by a cache.
  return { status: 200, body, identity: username, noStore: true };
}

/** `{"msg": "Session ended"}` or, after ending them all, `{"msg": "All sessions ended", "ended": n}`. */
export function sessionsEndedReply(username: string, ended?: number): JsonReply {
  const body = ended === undefined ? { msg: 'Session ended' } : { msg: 'All sessions ended', ended };
  return { status: 200, body, identity: username };
}

/**
 * `{"username", "email", "created_at", "auth_time", "fresh", "fresh_until", "expires_at"}` of GET /me
 * (`email` null when unset; `fresh_until` null unless the token is "fresh until"; the last two in
 * epoch seconds, like `auth_time`: a page cannot read an HttpOnly token's claims itself).
 */
export function profileReply(profile: Profile): JsonReply {
  const body = {
    username: profile.username,
    email: profile.email ?? null,
    created_at: isoTime(profile.createdAt),
    auth_time: profile.authTime ?? null,
    fresh: profile.fresh,
    fresh_until: profile.freshUntil ?? null,
    expires_at: profile.expiresAt ?? null,
    acr: profile.authn.acr,
    amr: profile.authn.amr,
  };
  return { status: 200, body, identity: profile.username, noStore: true };
}

/** `{"msg": "E-mail changed", "email": <as stored>}`. */
export function emailChangedReply(username: string, email: string): JsonReply {
  return { status: 200, body: { msg: 'E-mail changed', email }, identity: username, noStore: true };
}

/** `{"msg": "Password changed"}`. */
export function passwordChangedReply(username: string): JsonReply {
  return { status: 200, body: { msg: 'Password changed' }, identity: username };
}
