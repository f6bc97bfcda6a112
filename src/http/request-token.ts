import type { CookieConfig } from '../config/config';
import { AuthHeaderError } from '../errors/errors';
import { CSRF_METHODS } from '../tokens/csrf';
import { readBearerToken } from './bearer-token';
import { readCookie } from './cookies';
import { getHeader } from './headers';

type Headers = Readonly<Record<string, string | undefined>> | null | undefined;

/** A token as a request presented it. */
export interface PresentedToken {
  readonly token: string;
  /**
   * Set when the token came in a cookie with CSRF protection on and the method changes state:
   * the request's CSRF header (possibly absent), which must match the token's `csrf` claim.
   */
  readonly csrf?: { readonly header: string | undefined };
}

/**
 * The access or refresh token of a request, where TOKEN_LOCATION allows: the Authorization header
 * first, then the token's cookie (flask-jwt-extended's order). A request with a Bearer header is
 * never subject to CSRF. Error codes: those of `readBearerToken`.
 */
export function readRequestToken(
  request: { headers: Headers; method: string },
  transport: CookieConfig,
  kind: 'access' | 'refresh',
): PresentedToken {
  const authorization = getHeader(request.headers, 'authorization');
  if (transport.headers && authorization !== undefined) return { token: readBearerToken(authorization) };
  if (transport.cookies) {
    const name = kind === 'access' ? transport.accessCookieName : transport.refreshCookieName;
    const token = readCookie(request.headers, name);
    if (token !== undefined) {
      if (!transport.csrfProtect || !CSRF_METHODS.has(request.method.toUpperCase())) return { token };
      const headerName = kind === 'access' ? transport.accessCsrfHeaderName : transport.refreshCsrfHeaderName;
      return { token, csrf: { header: getHeader(request.headers, headerName) } };
    }
    if (!transport.headers) throw new AuthHeaderError('ERR_AUTH_HEADER_MISSING', `Missing cookie "${name}"`);
    throw new AuthHeaderError('ERR_AUTH_HEADER_MISSING', 'Missing JWT in headers or cookies');
  }
  return { token: readBearerToken(authorization) };
}
