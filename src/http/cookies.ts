/**
 * Tokens in cookies, as flask-jwt-extended 4.x sets them: the access and refresh tokens HttpOnly,
 * and beside each a CSRF cookie the page's script reads to echo in the CSRF header. Written and
 * read with `cookie` (jshttp), the library Express uses.
 */
import { parseCookie, stringifySetCookie, type SetCookie } from 'cookie';
import type { CookieConfig } from '../config/config';
import type { IssuedTokens } from '../sessions/session-service';
import { getHeader } from './headers';

type Headers = Readonly<Record<string, string | undefined>> | null | undefined;

function cookie(
  transport: CookieConfig,
  name: string,
  value: string,
  options: { httpOnly: boolean; path: string; maxAge: number },
): string {
  const setCookie: SetCookie = {
    name,
    value,
    path: options.path,
    maxAge: options.maxAge,
    httpOnly: options.httpOnly,
    secure: transport.secure,
    sameSite: transport.sameSite.toLowerCase() as 'lax' | 'strict' | 'none',
    ...(transport.cookieDomain === undefined ? {} : { domain: transport.cookieDomain }),
  };
  return stringifySetCookie(setCookie);
}

/**
 * The Set-Cookie values for newly issued tokens: access token and its CSRF cookie; refresh token
 * and its CSRF cookie when there is one. Max-Age is each token's lifetime.
 */
export function tokenCookies(
  transport: CookieConfig,
  tokens: IssuedTokens,
  lifetimes: { accessSeconds: number; refreshSeconds: number },
): string[] {
  const access = { path: transport.accessCookiePath, maxAge: lifetimes.accessSeconds };
  const cookies = [cookie(transport, transport.accessCookieName, tokens.accessToken, { ...access, httpOnly: true })];
  if (tokens.accessCsrf !== undefined)
    cookies.push(cookie(transport, transport.accessCsrfCookieName, tokens.accessCsrf, { ...access, httpOnly: false }));
  if (tokens.refreshToken !== undefined) {
    const refresh = { path: transport.refreshCookiePath, maxAge: lifetimes.refreshSeconds };
    cookies.push(cookie(transport, transport.refreshCookieName, tokens.refreshToken, { ...refresh, httpOnly: true }));
    if (tokens.refreshCsrf !== undefined) {
      cookies.push(cookie(transport, transport.refreshCsrfCookieName, tokens.refreshCsrf, { ...refresh, httpOnly: false }));
    }
  }
  return cookies;
}

/** Set-Cookie values that delete all four cookies (logout), with the paths they were set on. */
export function clearingCookies(transport: CookieConfig): string[] {
  const gone = (name: string, path: string, httpOnly: boolean) => cookie(transport, name, '', { path, maxAge: 0, httpOnly });
  return [
    gone(transport.accessCookieName, transport.accessCookiePath, true),
    gone(transport.accessCsrfCookieName, transport.accessCookiePath, false),
    gone(transport.refreshCookieName, transport.refreshCookiePath, true),
    gone(transport.refreshCsrfCookieName, transport.refreshCookiePath, false),
  ];
}

/** One cookie of the request's `Cookie` header, or undefined. */
export function readCookie(headers: Headers, name: string): string | undefined {
  const header = getHeader(headers, 'cookie');
  if (header === undefined) return undefined;
  const value = parseCookie(header)[name];
  return value === undefined || value === '' ? undefined : value;
}
