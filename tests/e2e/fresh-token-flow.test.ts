import { addUser } from '../../src/users/user-admin';
import { accessClaims, craftToken } from '../helpers/craft-token';
import { expectGatewayResponse } from '../helpers/gateway-response';
import { waitFor } from '../helpers/wait-for';
import { apiClient } from '../helpers/http-client';
import { adminDeps } from '../helpers/users';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { SHARED_STACKS, sharedStack } from './shared-stacks';

// The standard stack, shared with the README's curl flow (its user is `test`; this file's, fred).
const api = sharedStack('standard');
const request = apiClient(api.baseUrl);
// A secret of the tests' own, to show the start command's JWT_SECRET is honoured.
const SECRET = SHARED_STACKS.standard.JWT_SECRET;

const credentials = { username: 'fred', password: 'fred-password' };

beforeAll(async () => {
  await api.ready();
  await addUser(adminDeps(api.db), credentials.username, credentials.password);
});

describe('the fresh-token flow through serverless-offline', () => {
  it('runs login → protected → refresh → protected-fresh rejected → fresh-login → protected-fresh', async () => {
    const login = await request('POST', '/login', { json: credentials });
    expect(login.status).toBe(200);
    const { access_token: fresh, refresh_token: refresh } = login.json as Record<string, string>;
    expect(login.headers.get('cache-control')).toBe('no-store');

    const protectedOk = await request('GET', '/protected', { token: fresh });
    expect(protectedOk.status).toBe(200);
    expect(protectedOk.json).toEqual({ logged_in_as: 'fred' });

    const refreshed = await request('POST', '/refresh', { token: refresh });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.json).sort()).toEqual(['access_token', 'refresh_token']);
    const stale = refreshed.json.access_token as string;

    expect((await request('GET', '/protected', { token: stale })).json).toEqual({ logged_in_as: 'fred' });

    // The Deny is API Gateway's ACCESS_DENIED, turned by its Gateway Response into 401 "Fresh token required".
    const denied = await request('GET', '/protected-fresh', { token: stale });
    expect(denied.status).toBe(401);
    // Exactly the seed's answer: a route that wants no class names none.
    expect(denied.text).toBe('{"msg":"Fresh token required"}');
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_user_authentication"/);

    const freshLogin = await request('POST', '/fresh-login', { json: credentials });
    expect(freshLogin.status).toBe(200);
    expect(Object.keys(freshLogin.json)).toEqual(['access_token']);

    const freshOk = await request('GET', '/protected-fresh', { token: freshLogin.json.access_token as string });
    expect(freshOk.status).toBe(200);
    expect(freshOk.json).toEqual({ fresh_logged_in_as: 'fred' });
  });

  it('steps up with a passkey: registered fresh, refused with acr_values when only password-fresh, then allowed; one-time challenges', async () => {
    const origin = `http://localhost:${new URL(api.baseUrl).port}`;
    const key = new SoftAuthenticator({ origin });
    const login = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    const fresh = login.access_token!;
    const refresh = login.refresh_token!;

    const creation = await request('POST', '/me/passkeys/options', { token: fresh });
    expect(creation.status).toBe(200);
    expect(creation.json).toMatchObject({ rp: { id: 'localhost' }, attestation: 'none' });
    const added = await request('POST', '/me/passkeys', {
      token: fresh,
      json: { credential: key.create(creation.json as never), name: 'e2e key' },
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ passkey: { id: key.credentialId, name: 'e2e key', backed_up: false, last_used_at: null } });

    const stale = ((await request('POST', '/refresh', { token: refresh })).json as Record<string, string>).access_token!;
    // Not fresh, and then fresh from the password only: both refused, naming the acr a passkey gives.
    for (const token of [
      stale,
      ((await request('POST', '/fresh-login', { json: credentials })).json as Record<string, string>).access_token!,
    ]) {
      const refused = await request('GET', '/protected-strong', { token });
      expect(refused.status).toBe(401);
      expect(refused.json).toEqual({ msg: 'Fresh token required', acr_values: 'urn:fresh-token:acr:phr' });
      expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"');
    }

    const options = await request('POST', '/fresh-login/passkey/options', { token: stale });
    expect(options.status).toBe(200);
    const assertion = key.get(options.json as never);
    const stepUp = await request('POST', '/fresh-login', { json: { passkey: assertion } });
    expect(stepUp.status).toBe(200);
    const strong = stepUp.json.access_token as string;
    expect(await request('GET', '/protected-strong', { token: strong })).toMatchObject({
      status: 200,
      json: { strong_logged_in_as: 'fred' },
    });
    // The same assertion again: its challenge was used.
    const replay = await request('POST', '/fresh-login', { json: { passkey: assertion } });
    expect(replay.status).toBe(400);
    expect(replay.json).toEqual({ msg: 'Challenge unknown, expired or already used; ask for new options' });

    // A discoverable passkey logs in without a username; the pair's session is phishing-resistant.
    const loginOptions = await request('POST', '/login/passkey/options');
    const pair = await request('POST', '/login', { json: { passkey: key.get(loginOptions.json as never) } });
    expect(Object.keys(pair.json).sort()).toEqual(['access_token', 'refresh_token']);
    expect((await request('GET', '/protected-strong', { token: pair.json.access_token as string })).status).toBe(200);

    const listed = await request('GET', '/me/passkeys', { token: stale });
    expect(listed.json).toEqual({
      passkeys: [expect.objectContaining({ id: key.credentialId, name: 'e2e key', last_used_at: expect.any(String) })],
    });
    expect((await request('DELETE', '/me/passkeys/not-a-passkey', { token: strong })).status).toBe(404);
    expect((await request('DELETE', `/me/passkeys/${key.credentialId}`, { token: stale })).status).toBe(401);
    expect(await request('DELETE', `/me/passkeys/${key.credentialId}`, { token: strong })).toMatchObject({
      status: 200,
      json: { msg: 'Passkey removed' },
    });
    expect((await request('GET', '/me/passkeys', { token: stale })).json).toEqual({ passkeys: [] });
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

  it('answers a header over the local limit (a 20,000-character Authorization) with JSON, as API Gateway’s DEFAULT_4XX', async () => {
    const refused = await request('GET', '/protected', { headers: { Authorization: `Bearer ${'a'.repeat(20_000)}` } });
    expect(refused.status).toBe(431);
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(refused.json).toEqual({ msg: 'Request Header Fields Too Large' });
  });

  it('adds no Cache-Control API Gateway would not send: a function’s answer and a gateway answer without one have none', async () => {
    const { access_token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    const own = await request('GET', '/protected', { token: access_token });
    expect(own.status).toBe(200);
    expect(own.headers.get('cache-control')).toBeNull();
    const gateway = await request('GET', '/no-such-route');
    expect(gateway.status).toBe(404);
    expect(gateway.headers.get('cache-control')).toBeNull();
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
      await request('POST', '/login', { json: { username: 'fred' } }),
      await request('POST', '/login', { json: { username: 'fred', password: 'x'.repeat(20_000) } }),
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
    expect((await request('GET', '/protected-recent', { token: access_token })).json).toEqual({ recent_logged_in_as: 'fred' });
    // Fresh, but the password was checked 10 minutes ago: the 5-minute route denies, fresh-only allows.
    const stale = await sign({ fresh: true, auth_time: now - 600 });
    expect((await request('GET', '/protected-recent', { token: stale })).status).toBe(401);
    expect((await request('GET', '/protected-fresh', { token: stale })).status).toBe(200);
    // "Fresh until" a time already past is not fresh anywhere.
    const expired = await sign({ fresh: now - 1, auth_time: now - 60 });
    expect((await request('GET', '/protected-fresh', { token: expired })).status).toBe(401);
    expect((await request('GET', '/protected', { token: expired })).status).toBe(200);
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const wrong = await request('POST', '/login', { json: { username: 'fred', password: 'wrong-password' } });
    const unknown = await request('POST', '/login', { json: { username: 'nobody', password: 'wrong-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
  });
});

// What API Gateway answers by itself, locally as on AWS (scripts/offline-gateway.ts, through
// serverless-offline's customAuthenticationProvider): each answer against the template's Gateway Response.
describe('API Gateway’s own answers through serverless-offline', () => {
  it('answers the authorizers’ outcomes and an unknown route with the template’s Gateway Responses', async () => {
    const { access_token: fresh, refresh_token: refresh } = (await request('POST', '/login', { json: credentials })).json as Record<
      string,
      string
    >;
    const stale = (await request('POST', '/refresh', { token: refresh })).json.access_token as string;
    expectGatewayResponse(await request('GET', '/protected'), 'UNAUTHORIZED');
    expectGatewayResponse(await request('GET', '/protected', { token: 'garbage' }), 'UNAUTHORIZED');
    expectGatewayResponse(await request('GET', '/protected-fresh', { token: stale }), 'ACCESS_DENIED');
    expectGatewayResponse(await request('GET', '/no-such-route', { token: fresh }), 'MISSING_AUTHENTICATION_TOKEN');
    // An unknown method on a known path, and HEAD (no route declares it), are unknown routes too.
    expectGatewayResponse(await request('DELETE', '/protected', { token: fresh }), 'MISSING_AUTHENTICATION_TOKEN');
    expect((await request('HEAD', '/protected', { token: fresh })).status).toBe(404);
    // No preflight where the template has no OPTIONS method (the page: no cors).
    expectGatewayResponse(await request('OPTIONS', '/', { headers: { Origin: 'https://app.example' } }), 'MISSING_AUTHENTICATION_TOKEN');
  });

  it('logs an authorizer’s 401 as one line, as every invocation is logged, with no stack trace', async () => {
    // The stack is shared: other files' invocations may be logged meanwhile, each told apart by its RequestId.
    const invocation = /\(λ: any-valid\) RequestId: ([0-9a-f-]+) {2}Duration: [\d.]+ ms {2}(?:Unauthorized|Billed Duration: \d+ ms)$/;
    const from = api.output().length;
    expectGatewayResponse(await request('GET', '/protected', { token: 'garbage' }), 'UNAUTHORIZED');
    const line = /\(λ: any-valid\) RequestId: [0-9a-f-]+ {2}Duration: [\d.]+ ms {2}Unauthorized\n/;
    await waitFor('the 401 in the log', () => (line.test(api.output().slice(from)) ? true : undefined));
    // A later invocation's line: everything the 401 logged has arrived before it.
    expectGatewayResponse(await request('GET', '/protected-fresh', { token: 'garbage' }), 'UNAUTHORIZED');
    const next = /\(λ: fresh-only\) RequestId: [0-9a-f-]+ {2}Duration: [\d.]+ ms {2}Unauthorized\n/;
    await waitFor('the next 401 in the log', () => (next.test(api.output().slice(from)) ? true : undefined));
    const logged = api.output().slice(from);
    // Every any-valid invocation is one whole line, and no invocation is logged twice.
    const lines = logged.split('\n').filter((text) => text.includes('(λ: any-valid)'));
    expect(lines.filter((text) => !invocation.test(text))).toEqual([]);
    const ids = lines.map((text) => invocation.exec(text)?.[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(logged).not.toMatch(/Unhandled|Error: Unauthorized|^\s+at /m);
  });

  it('renames a function’s WWW-Authenticate as a REST API does', async () => {
    const refused = await request('POST', '/refresh', { token: 'garbage' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBeNull();
    expect(refused.headers.get('x-amzn-remapped-www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('passes a body without Content-Type on without one, so the handler answers 415', async () => {
    // node:http (the `from` option) sends no Content-Type for a string body; fetch would add text/plain.
    const response = await request('POST', '/login', { body: JSON.stringify(credentials), from: '127.0.0.1' });
    expect(response.status).toBe(415);
    expect(response.json).toEqual({ msg: 'Content-Type must be application/json' });
  });

  it('caches an any-valid Allow per token for ANY_VALID_CACHE_TTL on /protected, never an any-valid-live or fresh-only decision', async () => {
    // A token that expires soon: once it has, only a cached decision still lets it in. Whether an
    // attempt can tell depends on the machine's speed, so each attempt checks its own premises by
    // the clock: the first request must be decided before the token expires (else its lifetime
    // doubles), and the later ones must finish within the cache's 30 s of it (else it runs again).
    const ttlMs = 30_000;
    const attempt = async (lifetime: number): Promise<'done' | 'too slow'> => {
      const now = Math.floor(Date.now() / 1000);
      const token = await craftToken(accessClaims({ sub: 'fred', exp: now + lifetime, fresh: true, iat: now, nbf: now }), {}, SECRET);
      const sent = Date.now();
      const first = await request('GET', '/protected', { token });
      if (first.status !== 200 && Date.now() / 1000 >= now + lifetime) return 'too slow';
      expect(first.json).toEqual({ logged_in_as: 'fred' });
      await waitFor('the token to expire', () => (Date.now() / 1000 > now + lifetime + 1 ? true : undefined), {
        intervalMs: 200,
        deadlineMs: 120_000,
      });
      // Expired, yet the cached Allow (30 s, apiId/stage/*) still lets it into /protected.
      const again = await request('GET', '/protected', { token });
      if (Date.now() - sent >= ttlMs) return 'too slow';
      expect(again.status).toBe(200);
      // /me is any-valid-live's, never cached (the same pipeline under another name, so not the
      // cached authorizer's cache), and fresh-only caches nothing: both decide on the expired token
      // itself. Any other token misses the cache.
      expectGatewayResponse(await request('GET', '/me', { token }), 'UNAUTHORIZED');
      expectGatewayResponse(await request('GET', '/protected-fresh', { token }), 'UNAUTHORIZED');
      expectGatewayResponse(await request('GET', '/protected', { token: `${token}x` }), 'UNAUTHORIZED');
      return 'done';
    };
    const lifetimes = [2, 4, 8, 16, 16, 16];
    const outcomes: string[] = [];
    for (const lifetime of lifetimes) {
      outcomes.push(await attempt(lifetime));
      if (outcomes.at(-1) === 'done') break;
    }
    expect(outcomes.at(-1)).toBe('done');
  });
});
