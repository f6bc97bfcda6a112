import { loadTokenConfig, type CookieConfig } from '../../../src/config/config';
import { clearingCookies, readCookie, tokenCookies } from '../../../src/http/cookies';
import { tokenDelivery, tokensReply } from '../../../src/http/replies';
import { readRequestToken } from '../../../src/http/request-token';
import { checkCsrf, newCsrfValue, refreshCsrfValue } from '../../../src/tokens/csrf';
import { thrownCode } from '../../helpers/error-code';
import { TEST_ENV } from '../../helpers/test-config';

const transport = (env: Record<string, string> = {}): CookieConfig => loadTokenConfig({ ...TEST_ENV, ...env }).transport;
const TOKENS = { sub: 'alice', accessToken: 'a.b.c', refreshToken: 'd.e.f', accessCsrf: 'csrf-a', refreshCsrf: 'csrf-r' };

describe('token location settings', () => {
  it('defaults to headers only, with flask-jwt-extended’s names, SameSite Lax, and Secure everywhere but the local stage', () => {
    expect(transport()).toEqual({
      headers: true,
      cookies: false,
      accessCookieName: 'access_token_cookie',
      refreshCookieName: 'refresh_token_cookie',
      accessCsrfCookieName: 'csrf_access_token',
      refreshCsrfCookieName: 'csrf_refresh_token',
      accessCsrfHeaderName: 'X-CSRF-TOKEN',
      refreshCsrfHeaderName: 'X-CSRF-TOKEN',
      accessCookiePath: '/',
      refreshCookiePath: '/',
      cookieDomain: undefined,
      sameSite: 'Lax',
      secure: false,
      csrfProtect: true,
    });
    expect(transport({ STAGE: 'prod' }).secure).toBe(true);
    expect(transport({ TOKEN_LOCATION: 'headers, cookies' })).toMatchObject({ headers: true, cookies: true });
  });

  it('names every bad setting', () => {
    expect(() => transport({ TOKEN_LOCATION: 'body', JWT_COOKIE_SAMESITE: 'sometimes', JWT_ACCESS_COOKIE_NAME: 'a b' })).toThrow(
      /TOKEN_LOCATION must be one of headers, cookies, headers,cookies.*JWT_COOKIE_SAMESITE must be one of Lax, Strict, None.*JWT_ACCESS_COOKIE_NAME must be/,
    );
    expect(() => transport({ JWT_COOKIE_SAMESITE: 'None', JWT_COOKIE_SECURE: 'false' })).toThrow(
      'JWT_COOKIE_SAMESITE=None needs JWT_COOKIE_SECURE=true',
    );
    expect(() => transport({ JWT_REFRESH_COOKIE_PATH: 'refresh' })).toThrow('JWT_REFRESH_COOKIE_PATH must be a path starting with /');
  });
});

describe('cookies', () => {
  it('writes tokens HttpOnly and CSRF values readable, with the configured paths, domain and SameSite', () => {
    const settings = transport({
      TOKEN_LOCATION: 'cookies',
      STAGE: 'prod',
      JWT_REFRESH_COOKIE_PATH: '/refresh',
      JWT_COOKIE_DOMAIN: 'example.com',
    });
    expect(tokenCookies(settings, TOKENS, { accessSeconds: 900, refreshSeconds: 3600 })).toEqual([
      'access_token_cookie=a.b.c; Max-Age=900; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=Lax',
      'csrf_access_token=csrf-a; Max-Age=900; Domain=example.com; Path=/; Secure; SameSite=Lax',
      'refresh_token_cookie=d.e.f; Max-Age=3600; Domain=example.com; Path=/refresh; HttpOnly; Secure; SameSite=Lax',
      'csrf_refresh_token=csrf-r; Max-Age=3600; Domain=example.com; Path=/refresh; Secure; SameSite=Lax',
    ]);
    expect(clearingCookies(settings).every((line) => line.includes('Max-Age=0'))).toBe(true);
  });

  it('keeps tokens out of the body with cookies only, and puts them in both places with both', () => {
    const cookiesOnly = tokensReply(
      TOKENS,
      tokenDelivery({ transport: transport({ TOKEN_LOCATION: 'cookies' }), accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 60 }),
      { login: true },
    );
    expect(cookiesOnly.body).toEqual({ login: true });
    expect(cookiesOnly.cookies).toHaveLength(4);
    const both = tokensReply(
      TOKENS,
      tokenDelivery({
        transport: transport({ TOKEN_LOCATION: 'headers,cookies' }),
        accessTokenTtlSeconds: 900,
        refreshTokenTtlSeconds: 60,
      }),
      { login: true },
    );
    expect(both.body).toEqual({ access_token: 'a.b.c', refresh_token: 'd.e.f' });
    const headersOnly = tokensReply(
      TOKENS,
      tokenDelivery({ transport: transport(), accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 60 }),
      { login: true },
    );
    expect(headersOnly.cookies).toBeUndefined();
  });

  it('reads one cookie of the Cookie header', () => {
    expect(readCookie({ Cookie: 'a=1; access_token_cookie=x.y.z; b=2' }, 'access_token_cookie')).toBe('x.y.z');
    expect(readCookie({ cookie: 'access_token_cookie=' }, 'access_token_cookie')).toBeUndefined();
    expect(readCookie({}, 'access_token_cookie')).toBeUndefined();
  });
});

describe('reading the request’s token', () => {
  const both = transport({ TOKEN_LOCATION: 'headers,cookies' });

  it('prefers the Authorization header, which is never subject to CSRF', () => {
    expect(
      readRequestToken({ headers: { Authorization: 'Bearer h.h.h', Cookie: 'access_token_cookie=c.c.c' }, method: 'POST' }, both, 'access'),
    ).toEqual({
      token: 'h.h.h',
    });
  });

  it('asks a cookie-carried token for the CSRF header on state-changing methods only', () => {
    const cookie = { Cookie: 'refresh_token_cookie=r.r.r', 'x-csrf-token': 'v' };
    expect(readRequestToken({ headers: cookie, method: 'GET' }, both, 'refresh')).toEqual({ token: 'r.r.r' });
    expect(readRequestToken({ headers: cookie, method: 'post' }, both, 'refresh')).toEqual({ token: 'r.r.r', csrf: { header: 'v' } });
    expect(
      readRequestToken(
        { headers: cookie, method: 'POST' },
        transport({ TOKEN_LOCATION: 'cookies', JWT_COOKIE_CSRF_PROTECT: 'false' }),
        'refresh',
      ),
    ).toEqual({
      token: 'r.r.r',
    });
  });

  it('says what is missing', () => {
    expect(() => readRequestToken({ headers: {}, method: 'GET' }, transport({ TOKEN_LOCATION: 'cookies' }), 'access')).toThrow(
      'Missing cookie "access_token_cookie"',
    );
    expect(() => readRequestToken({ headers: {}, method: 'GET' }, both, 'access')).toThrow('Missing JWT in headers or cookies');
    expect(() => readRequestToken({ headers: {}, method: 'GET' }, transport(), 'access')).toThrow('Missing Authorization Header');
  });
});

describe('the double-submit check', () => {
  it('accepts the token’s own value and names a missing or wrong one', () => {
    expect(() => checkCsrf({ csrf: 'v' }, 'v')).not.toThrow();
    expect(thrownCode(() => checkCsrf({ csrf: 'v' }, undefined))).toBe('ERR_CSRF_MISSING');
    expect(thrownCode(() => checkCsrf({ csrf: 'v' }, 'w'))).toBe('ERR_CSRF_MISMATCH');
    expect(thrownCode(() => checkCsrf({}, 'v'))).toBe('ERR_CSRF_MISMATCH');
  });

  it('takes an empty header as missing, even against an empty claim, and says which it was', () => {
    const thrown = (presented: string | undefined, claims: { csrf?: string } = { csrf: 'v' }) => {
      try {
        checkCsrf(claims, presented);
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(thrown('')).toBe('Missing CSRF token');
    expect(thrown('', { csrf: '' })).toBe('Missing CSRF token');
    expect(thrown(undefined, {})).toBe('Missing CSRF token');
    expect(thrown('w')).toBe('CSRF double submit tokens do not match');
  });

  it('gives every access token a value of its own, unguessable (a random UUID)', () => {
    const values = new Set(Array.from({ length: 50 }, () => newCsrfValue()));
    expect(values.size).toBe(50);
    for (const value of values) expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('derives a refresh token’s value from its jti, so a retried rotation signs the same token', () => {
    expect(refreshCsrfValue('jti-1')).toBe(refreshCsrfValue('jti-1'));
    expect(refreshCsrfValue('jti-1')).not.toBe(refreshCsrfValue('jti-2'));
    expect(refreshCsrfValue('jti-1')).not.toContain('jti-1');
  });
});
