import { loadTransportConfig } from '../../src/config/config';
import { openApiDocument } from '../../src/http/openapi';
import { addUser } from '../../src/users/user-admin';
import { apiClient } from '../helpers/http-client';
import { expectGatewayResponse } from '../helpers/gateway-response';
import { serviceRoutes } from '../helpers/service-routes';
import { adminDeps } from '../helpers/users';
import { countingFetch } from '../helpers/counting-fetch';
import { createClient, type ClientOptions, type SignedOutDetail } from '../../client/src/index';
import { SHARED_STACKS, sharedStack } from './shared-stacks';

// Tokens in cookies with CSRF double-submit (flask-jwt-extended's way), through serverless-offline
// and a real local DynamoDB, with TOKEN_LOCATION=headers,cookies: cookie-authenticated requests
// need the CSRF header on state-changing methods; Bearer requests never do.

const user = { username: 'cookie-user', password: 'cookie-user-passphrase' };
const APP_ORIGIN = SHARED_STACKS.cookies.CORS_ALLOW_ORIGINS;

const api = sharedStack('cookies');
const request = apiClient(api.baseUrl);

beforeAll(async () => {
  await api.ready();
  await addUser(adminDeps(api.db), user.username, user.password);
});

/** A browser's cookie jar, reduced to what these tests need: name → value, deletions honoured. */
class Jar {
  readonly values = new Map<string, string>();
  readonly attributes = new Map<string, string>();

  take(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const [name = '', value = ''] = pair.split('=');
      this.attributes.set(name, attributes.join('; '));
      if (/max-age=0/i.test(line)) this.values.delete(name);
      else this.values.set(name, decodeURIComponent(value));
    }
  }

  header(): string {
    return [...this.values].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function loginWithCookies(): Promise<Jar> {
  const jar = new Jar();
  const response = await request('POST', '/login', { json: user });
  expect(response.status).toBe(200);
  jar.take(response.headers);
  return jar;
}

describe('GET /openapi.json', () => {
  it('serves the OpenAPI description of this deployment: its cookie security schemes, at a relative server URL', async () => {
    const response = await request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    // Its routes are serverless.yml's, built into the function when serverless offline built it.
    expect(response.json).toEqual(
      openApiDocument({ transport: loadTransportConfig({ TOKEN_LOCATION: 'headers,cookies' }), routes: serviceRoutes() }),
    );
  });
});

describe('credentialed CORS', () => {
  it('echoes a listed origin with credentials and Vary: Origin', async () => {
    const listed = await request('POST', '/login', { json: user, headers: { Origin: APP_ORIGIN } });
    expect(listed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listed.headers.get('vary')).toContain('Origin');
  });

  it('gives an unlisted, null or look-alike origin no Access-Control-Allow-Origin, as the functions and the template say', async () => {
    for (const origin of ['https://evil.example', 'null', `${APP_ORIGIN}.evil.example`, APP_ORIGIN.replace('://', '://x')]) {
      const answer = await request('POST', '/login', { json: user, headers: { Origin: origin } });
      expect({ origin, allow: answer.headers.get('access-control-allow-origin') }).toEqual({ origin, allow: null });
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('answers a preflight as the template’s OPTIONS method does, and API Gateway’s own answers with the first listed origin', async () => {
    const preflight = await request('OPTIONS', '/sessions/abc', {
      headers: { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'DELETE' },
    });
    expect(preflight.status).toBe(200);
    const cors: Record<string, string> = {};
    preflight.headers.forEach((value, name) => {
      if (name.startsWith('access-control-')) cors[name] = value;
    });
    expect(cors).toEqual({
      'access-control-allow-origin': APP_ORIGIN,
      'access-control-allow-headers': 'Authorization,Content-Type,X-CSRF-TOKEN',
      'access-control-allow-methods': 'OPTIONS,DELETE',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '600',
    });
    const env = { TOKEN_LOCATION: SHARED_STACKS.cookies.TOKEN_LOCATION, CORS_ALLOW_ORIGINS: APP_ORIGIN };
    expectGatewayResponse(await request('GET', '/protected', { headers: { Origin: 'https://evil.example' } }), 'UNAUTHORIZED', env);
    expectGatewayResponse(await request('GET', '/nowhere', { headers: { Origin: APP_ORIGIN } }), 'MISSING_AUTHENTICATION_TOKEN', env);
  });
});

describe('cookies', () => {
  it('sets the four cookies flask-jwt-extended sets: tokens HttpOnly, CSRF values readable, Max-Age the token lifetimes', async () => {
    const response = await request('POST', '/login', { json: user });
    const jar = new Jar();
    jar.take(response.headers);
    expect([...jar.values.keys()].sort()).toEqual([
      'access_token_cookie',
      'csrf_access_token',
      'csrf_refresh_token',
      'refresh_token_cookie',
    ]);
    // With headers,cookies the body carries the tokens too.
    expect(jar.values.get('access_token_cookie')).toBe(response.json.access_token);
    // serverless-offline re-serializes Set-Cookie (adds Expires, reorders): compare attribute sets.
    const attributes = (name: string) => (jar.attributes.get(name) ?? '').split('; ').filter((part) => !part.startsWith('Expires='));
    expect(attributes('access_token_cookie').sort()).toEqual(['HttpOnly', 'Max-Age=900', 'Path=/', 'SameSite=Lax']);
    expect(attributes('csrf_access_token').sort()).toEqual(['Max-Age=900', 'Path=/', 'SameSite=Lax']);
    expect(attributes('refresh_token_cookie').sort()).toEqual(['HttpOnly', 'Max-Age=2592000', 'Path=/', 'SameSite=Lax']);
    expect(attributes('csrf_refresh_token').sort()).toEqual(['Max-Age=2592000', 'Path=/', 'SameSite=Lax']);
    // The CSRF value is the token's csrf claim.
    const claims = JSON.parse(Buffer.from(jar.values.get('access_token_cookie')!.split('.')[1] ?? '', 'base64url').toString()) as {
      csrf: string;
    };
    expect(claims.csrf).toBe(jar.values.get('csrf_access_token'));
  });

  it('opens a GET route with the access cookie alone', async () => {
    const jar = await loginWithCookies();
    const response = await request('GET', '/protected', { headers: { Cookie: jar.header() } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ logged_in_as: user.username });
  });

  it('refuses a state-changing route by cookie without the CSRF header, and accepts it with the header', async () => {
    const jar = await loginWithCookies();
    const cookie = { Cookie: jar.header() };
    // A CSRF failure is the authorizer's Unauthorized: API Gateway's 401 "Missing or invalid access token".
    expect((await request('DELETE', '/sessions/no-such-session', { headers: cookie })).status).toBe(401);
    expect((await request('DELETE', '/sessions/no-such-session', { headers: { ...cookie, 'X-CSRF-TOKEN': 'guessed' } })).status).toBe(401);
    const allowed = await request('DELETE', '/sessions/no-such-session', {
      headers: { ...cookie, 'X-CSRF-TOKEN': jar.values.get('csrf_access_token')! },
    });
    expect(allowed.status).toBe(404);
    expect(allowed.json).toEqual({ msg: 'Session not found' });
  });

  it('never asks a Bearer request for a CSRF header', async () => {
    const { access_token } = (await request('POST', '/login', { json: user })).json as { access_token: string };
    expect((await request('DELETE', '/sessions/no-such-session', { token: access_token })).status).toBe(404);
  });

  it('refreshes by cookie only with the refresh CSRF header, and sets the next cookies', async () => {
    const jar = await loginWithCookies();
    const missing = await request('POST', '/refresh', { headers: { Cookie: jar.header() } });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ msg: 'Missing CSRF token' });
    const wrong = await request('POST', '/refresh', {
      headers: { Cookie: jar.header(), 'X-CSRF-TOKEN': jar.values.get('csrf_access_token')! },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ msg: 'CSRF double submit tokens do not match' });

    const before = jar.values.get('refresh_token_cookie');
    const refreshed = await request('POST', '/refresh', {
      headers: { Cookie: jar.header(), 'X-CSRF-TOKEN': jar.values.get('csrf_refresh_token')! },
    });
    expect(refreshed.status).toBe(200);
    jar.take(refreshed.headers);
    expect(jar.values.get('refresh_token_cookie')).not.toBe(before);
    expect((await request('GET', '/me', { headers: { Cookie: jar.header() } })).json).toMatchObject({ fresh: false });
  });

  it('joins the session of the refresh cookie on a fresh login, and logs out by deleting every cookie', async () => {
    const jar = await loginWithCookies();
    const fresh = await request('POST', '/fresh-login', { json: user, headers: { Cookie: jar.header() } });
    expect(fresh.status).toBe(200);
    jar.take(fresh.headers);
    const sessions = await request('GET', '/sessions', { headers: { Cookie: jar.header() } });
    expect((sessions.json.sessions as { current: boolean }[]).filter((session) => session.current)).toHaveLength(1);

    const out = await request('POST', '/logout', {
      headers: { Cookie: jar.header(), 'X-CSRF-TOKEN': jar.values.get('csrf_refresh_token')! },
    });
    expect(out.status).toBe(200);
    jar.take(out.headers);
    expect(jar.values.size).toBe(0);
  });
});

describe('the client (client/) with tokens in cookies', () => {
  // Node's fetch keeps no cookies: the jar plays the browser (sends them, keeps what Set-Cookie
  // says, drops a cookie at Max-Age=0), and the page's script reads only the CSRF cookies.
  function cookieClient(options: Partial<ClientOptions> = {}) {
    const jar = new Jar();
    const network = countingFetch(async (request) => {
      if (jar.values.size > 0) request.headers.set('Cookie', jar.header());
      const response = await fetch(request);
      jar.take(response.headers);
      return response;
    });
    const readCookie = (name: string) => (name.startsWith('csrf_') ? jar.values.get(name) : undefined);
    const client = createClient({ baseUrl: api.baseUrl, tokens: 'cookies', fetch: network.fetch, readCookie, ...options });
    return { client, jar, network };
  }

  it('logs in to cookies and sends the CSRF header from the cookie on a state-changing call', async () => {
    const { client, jar } = cookieClient();
    await client.login(user);
    expect([...jar.values.keys()].sort()).toEqual([
      'access_token_cookie',
      'csrf_access_token',
      'csrf_refresh_token',
      'refresh_token_cookie',
    ]);
    await expect(client.request('GET', '/protected')).resolves.toEqual({ logged_in_as: user.username });
    // Past the authorizer's CSRF check (without the header: 401): the handler's own answer.
    await expect(client.sessions.end('no-such-session')).rejects.toMatchObject({
      code: 'ERR_HTTP_STATUS',
      status: 404,
      msg: 'Session not found',
    });
  });

  it('refreshes once, with the refresh CSRF header, when the browser dropped the expired access cookies; and once on invalid_token', async () => {
    const { client, jar, network } = cookieClient();
    await client.login(user);
    // At Max-Age the browser deletes the access token's cookie and its CSRF cookie together.
    jar.values.delete('access_token_cookie');
    jar.values.delete('csrf_access_token');
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.request('GET', '/protected')));
    expect(answers).toEqual(Array.from({ length: 5 }, () => ({ logged_in_as: user.username })));
    expect(network.statuses('POST /refresh')).toEqual([200]);
    // No access cookie at all: the authorizer's 401 invalid_token, then one refresh and one retry.
    jar.values.delete('access_token_cookie');
    await expect(client.account.get()).resolves.toMatchObject({ username: user.username, fresh: false });
    expect(network.statuses('POST /refresh')).toEqual([200, 200]);
    expect(network.statuses('GET /me')).toEqual([401, 200]);
  });

  it('steps up with the password in the cookie session, and logs out by deleting every cookie', async () => {
    const { client, jar } = cookieClient({ onStepUp: () => ({ password: user.password }) });
    const signedOut: SignedOutDetail[] = [];
    client.addEventListener('signed-out', (event) => signedOut.push(event.detail));
    await client.login(user);
    jar.values.delete('access_token_cookie');
    jar.values.delete('csrf_access_token');
    await client.request('GET', '/protected'); // refreshed: not fresh any more
    await expect(client.request('GET', '/protected-fresh')).resolves.toEqual({ fresh_logged_in_as: user.username });
    const { sessions } = await client.sessions.list();
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    await client.logout();
    expect(jar.values.size).toBe(0);
    expect(signedOut).toEqual([{ reason: 'logout' }]);
  });
});
