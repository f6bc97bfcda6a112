import { addUser } from '../../src/users/user-admin';
import { craftToken } from '../helpers/craft-token';
import { apiClient } from '../helpers/http-client';
import { startTestApi, type TestApi } from '../helpers/local-stack';
import { adminDeps } from '../helpers/users';

// A secret of the test's own, to show the start command's JWT_SECRET is honoured.
const SECRET = 'e2e-secret-set-in-the-start-environment-0123456789';

const credentials = { username: 'test', password: 'test-password' };

let api: TestApi;
let request: ReturnType<typeof apiClient>;

beforeAll(async () => {
  api = await startTestApi({ JWT_SECRET: SECRET });
  await addUser(adminDeps(api.db), credentials.username, credentials.password);
  request = apiClient(api.baseUrl);
}, 300_000);

afterAll(async () => {
  await api?.stop();
});

describe('the fresh-token flow through serverless-offline', () => {
  it('runs login → protected → refresh → protected-fresh rejected → fresh-login → protected-fresh', async () => {
    const login = await request('POST', '/login', { json: credentials });
    expect(login.status).toBe(200);
    const { access_token: fresh, refresh_token: refresh } = login.json as Record<string, string>;
    expect(login.headers.get('cache-control')).toBe('no-store');

    const protectedOk = await request('GET', '/protected', { token: fresh });
    expect(protectedOk.status).toBe(200);
    expect(protectedOk.json).toEqual({ logged_in_as: 'test' });

    const refreshed = await request('POST', '/refresh', { token: refresh });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.json).sort()).toEqual(['access_token', 'refresh_token']);
    const stale = refreshed.json.access_token as string;

    expect((await request('GET', '/protected', { token: stale })).json).toEqual({ logged_in_as: 'test' });

    // serverless-offline answers a Deny with 403; on AWS the Gateway Response makes it 401 "Fresh token required".
    const denied = await request('GET', '/protected-fresh', { token: stale });
    expect(denied.status).toBe(403);

    const freshLogin = await request('POST', '/fresh-login', { json: credentials });
    expect(freshLogin.status).toBe(200);
    expect(Object.keys(freshLogin.json)).toEqual(['access_token']);

    const freshOk = await request('GET', '/protected-fresh', { token: freshLogin.json.access_token as string });
    expect(freshOk.status).toBe(200);
    expect(freshOk.json).toEqual({ fresh_logged_in_as: 'test' });
  });

  it('keeps refresh and access tokens apart', async () => {
    const { refresh_token, access_token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    expect((await request('GET', '/protected', { token: refresh_token })).status).toBe(401);
    expect((await request('GET', '/protected-fresh', { token: refresh_token })).status).toBe(401);
    const wrongKind = await request('POST', '/refresh', { token: access_token });
    expect(wrongKind.status).toBe(401);
    expect(wrongKind.json).toEqual({ msg: 'Only refresh tokens are allowed' });
  });

  it('rejects missing, foreign and garbage credentials on the protected routes', async () => {
    expect((await request('GET', '/protected')).status).toBe(401);
    expect((await request('GET', '/protected', { headers: { Authorization: 'Basic dGVzdDp0ZXN0' } })).status).toBe(401);
    expect((await request('GET', '/protected', { token: 'garbage' })).status).toBe(401);
    expect((await request('GET', '/protected-fresh', { headers: { Authorization: `Bearer ${'a'.repeat(6000)}` } })).status).toBe(401);
  });

  it('signs with the JWT_SECRET of the start environment, not the built-in dev secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: 'carol',
      type: 'access',
      fresh: true,
      jti: 'e2e',
      iat: now,
      nbf: now,
      exp: now + 60,
      iss: 'fresh-token-lambda',
      aud: 'fresh-token-lambda',
    };
    const sign = (secret: string) => craftToken(claims, {}, secret);
    expect((await request('GET', '/protected', { token: await sign(SECRET) })).json).toEqual({ logged_in_as: 'carol' });
    const devSecret = 'DEV-ONLY-local-secret-never-use-in-production-0123456789';
    expect((await request('GET', '/protected', { token: await sign(devSecret) })).status).toBe(401);
  });

  it('answers bad input with a 4xx JSON msg, never a 5xx', async () => {
    const cases = [
      await request('POST', '/login', { body: 'not json', headers: { 'Content-Type': 'application/json' } }),
      await request('POST', '/login', {
        body: 'username=test&password=test',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      await request('POST', '/login', { json: null }),
      await request('POST', '/login', { json: [] }),
      await request('POST', '/login', { json: { username: 'test' } }),
      await request('POST', '/login', { json: { username: 'test', password: 'x'.repeat(6000) } }),
      await request('POST', '/fresh-login', { json: { username: 1, password: 2 } }),
      await request('POST', '/refresh'),
      await request('POST', '/refresh', { headers: { Authorization: 'Bearer a b c' } }),
      await request('POST', '/refresh', { token: 'garbage' }),
    ];
    for (const response of cases) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(typeof response.json.msg).toBe('string');
      expect(response.text).not.toMatch(/at .+\.(m?js|ts):\d+/);
    }
    expect(cases.map((response) => response.status)).toEqual([400, 415, 400, 400, 400, 413, 400, 401, 400, 401]);
  });

  it('opens /protected-recent only to a fresh token whose password check is recent enough', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: 'dana',
      type: 'access',
      jti: 'e2e-recent',
      iat: now,
      nbf: now,
      exp: now + 60,
      iss: 'fresh-token-lambda',
      aud: 'fresh-token-lambda',
    };
    const sign = (extra: Record<string, unknown>) => craftToken({ ...claims, ...extra }, {}, SECRET);
    const { access_token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    expect((await request('GET', '/protected-recent', { token: access_token })).json).toEqual({ recent_logged_in_as: 'test' });
    // Fresh, but the password was checked 10 minutes ago: the 5-minute route denies, fresh-only allows.
    const stale = await sign({ fresh: true, auth_time: now - 600 });
    expect((await request('GET', '/protected-recent', { token: stale })).status).toBe(403);
    expect((await request('GET', '/protected-fresh', { token: stale })).status).toBe(200);
    // "Fresh until" a time already past is not fresh anywhere.
    const expired = await sign({ fresh: now - 1, auth_time: now - 60 });
    expect((await request('GET', '/protected-fresh', { token: expired })).status).toBe(403);
    expect((await request('GET', '/protected', { token: expired })).status).toBe(200);
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const wrong = await request('POST', '/login', { json: { username: 'test', password: 'wrong-password' } });
    const unknown = await request('POST', '/login', { json: { username: 'nobody', password: 'wrong-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
  });
});
