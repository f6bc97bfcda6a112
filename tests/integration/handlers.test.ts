import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { addUser } from '../../src/users/user-admin';
import { authorizedGet, httpEvent, jsonPost } from '../helpers/events';
import { call, importHandlers } from '../helpers/handlers';
import { startTestDatabase, useEnvironment, type TestDatabase } from '../helpers/local-stack';
import { testVerifier } from '../helpers/test-config';
import { adminDeps } from '../helpers/users';

const verifier = testVerifier();
const credentials = { username: 'alice', password: 'correct horse battery' };

let db: TestDatabase;
let handlers: Awaited<ReturnType<typeof importHandlers>>;
let tokens: { access_token: string; refresh_token: string };

beforeAll(async () => {
  db = await startTestDatabase();
  useEnvironment(db);
  handlers = await importHandlers();
  await addUser(adminDeps(db), credentials.username, credentials.password);
  tokens = (await call(handlers.login, jsonPost(credentials))).json as typeof tokens;
});

afterAll(async () => {
  await db.close();
});

describe('POST /login', () => {
  it('returns a fresh access token and a refresh token of a new family, uncacheable, with CORS', async () => {
    const response = await call(handlers.login, jsonPost(credentials));
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json).sort()).toEqual(['access_token', 'refresh_token']);
    expect(response.headers).toMatchObject({
      'Cache-Control': 'no-store',
      'Access-Control-Allow-Origin': '*',
      'Content-Type': 'application/json',
    });
    const refresh = await verifier.verifyRefreshToken(response.json.refresh_token as string);
    // The answer's own access token: fresh, for alice, and of the answer's new session.
    await expect(verifier.verifyAccessToken(response.json.access_token as string)).resolves.toMatchObject({
      sub: 'alice',
      fresh: true,
      sid: refresh.fam,
    });
    const first = await verifier.verifyRefreshToken(tokens.refresh_token);
    expect(refresh.fam).not.toBe(first.fam);
    const family = await adminDeps(db).families.get(refresh.fam!);
    expect(family).toMatchObject({
      username: 'alice',
      currentJti: refresh.jti,
      status: 'active',
      expiresAt: refresh.exp,
      authTime: refresh.auth_time,
    });
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const wrong = await call(handlers.login, jsonPost({ username: 'alice', password: 'nope' }));
    const unknown = await call(handlers.login, jsonPost({ username: 'mallory', password: 'nope' }));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json).toEqual({ msg: 'Bad username or password' });
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.headers).toEqual(wrong.headers);
  });

  it('answers a malformed username exactly like an unknown user, and counts it against the address only', async () => {
    const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
    const attempts = async () => (await client.send(new ScanCommand({ TableName: db.env.LOGIN_ATTEMPTS_TABLE }))).Items ?? [];
    const before = await attempts();
    const unknown = await call(handlers.login, jsonPost({ username: 'mallory-2', password: 'nope' }));
    const countedUnknown = await attempts();
    for (const username of ['mallory smith', 'bad\nname', '<script>']) {
      for (const handler of [handlers.login, handlers.freshLogin]) {
        const malformed = await call(handler, jsonPost({ username, password: 'nope' }));
        expect([malformed.statusCode, malformed.body]).toEqual([unknown.statusCode, unknown.body]);
      }
    }
    // The unknown user's attempt was counted; the malformed ones only in the address's count
    // (the key with an empty username slot), never under a username.
    expect(countedUnknown.length).toBeGreaterThan(before.length);
    const byKey = (items: Record<string, unknown>[]) => new Map(items.map((item) => [item.attemptKey, item.attempts]));
    const [earlier, later] = [byKey(countedUnknown), byKey(await attempts())];
    expect([...later.keys()].sort()).toEqual([...earlier.keys()].sort());
    const changed = [...later].filter(([key, count]) => earlier.get(key) !== count);
    expect(changed).toEqual([[expect.stringMatching(/^\d+##/), Number(earlier.get(changed[0]?.[0])) + 6]]);
    client.destroy();
  }, 30_000);

  it('accepts a base64-encoded body', async () => {
    const body = Buffer.from(JSON.stringify(credentials)).toString('base64');
    const response = await call(
      handlers.login,
      httpEvent({ body, isBase64Encoded: true, headers: { 'content-type': 'application/json' } }),
    );
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['a non-JSON body', httpEvent({ body: 'username=alice', headers: { 'Content-Type': 'application/json' } }), 400],
    [
      'a form body',
      httpEvent({ body: 'username=alice&password=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      415,
    ],
    ['no body', httpEvent({ headers: { 'Content-Type': 'application/json' } }), 400],
    ['a null body', httpEvent({ body: 'null', headers: { 'Content-Type': 'application/json' } }), 400],
    ['an array body', jsonPost([credentials]), 400],
    ['a missing password', jsonPost({ username: 'alice' }), 400],
    ['a numeric password', jsonPost({ username: 'alice', password: 1234 }), 400],
    ['an oversized body', jsonPost({ username: 'alice', password: 'x'.repeat(20_000) }), 413],
  ])('answers %s with a 4xx JSON msg', async (_label, event, status) => {
    const response = await call(handlers.login, event);
    expect(response.statusCode).toBe(status);
    expect(Object.keys(response.json)).toEqual(['msg']);
    expect(typeof response.json.msg).toBe('string');
  });
});

describe('POST /refresh', () => {
  const withAuth = (authorization: string) => httpEvent({ headers: { Authorization: authorization } });

  it('returns a non-fresh access token and the next refresh token of the same family', async () => {
    const { refresh_token } = (await call(handlers.login, jsonPost(credentials))).json as Record<string, string>;
    const response = await call(handlers.refresh, withAuth(`Bearer ${refresh_token}`));
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json).sort()).toEqual(['access_token', 'refresh_token']);
    const access = await verifier.verifyAccessToken(response.json.access_token as string);
    expect(access).toMatchObject({ sub: 'alice', fresh: false });
    const before = await verifier.verifyRefreshToken(refresh_token!);
    const after = await verifier.verifyRefreshToken(response.json.refresh_token as string);
    expect(after.fam).toBe(before.fam);
    expect(after.jti).not.toBe(before.jti);
    expect(after.auth_time).toBe(before.auth_time);
  });

  it('rejects an access token with a clear msg and an RFC 6750 challenge', async () => {
    const response = await call(handlers.refresh, withAuth(`Bearer ${tokens.access_token}`));
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ msg: 'Only refresh tokens are allowed' });
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('asks for a token when the header is missing', async () => {
    const response = await call(handlers.refresh, httpEvent());
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ msg: 'Missing Authorization Header' });
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer');
  });

  it.each([['Bearer'], ['Bearer a b'], [`Bearer ${'x'.repeat(9000)}`]])(
    'answers the malformed header %# with 400 invalid_request',
    async (header) => {
      const response = await call(handlers.refresh, withAuth(header));
      expect(response.statusCode).toBe(400);
      expect(response.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_request"');
    },
  );

  it('answers a garbage token with 401 invalid_token', async () => {
    const response = await call(handlers.refresh, withAuth('Bearer garbage'));
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ msg: 'Invalid token' });
  });
});

describe('POST /fresh-login', () => {
  it('returns a fresh access token only, never a refresh token', async () => {
    const response = await call(handlers.freshLogin, jsonPost(credentials));
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json)).toEqual(['access_token']);
    await expect(verifier.verifyAccessToken(response.json.access_token as string)).resolves.toMatchObject({ fresh: true });
  });

  it('rejects a wrong password', async () => {
    const response = await call(handlers.freshLogin, jsonPost({ username: 'alice', password: 'wrong' }));
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ msg: 'Bad username or password' });
  });
});

describe('protected routes', () => {
  it('answer with the identity from the authorizer context', async () => {
    expect((await call(handlers.protectedRoute, authorizedGet({ identity: 'alice', fresh: 'false' }))).json).toEqual({
      logged_in_as: 'alice',
    });
    expect((await call(handlers.protectedFresh, authorizedGet({ identity: 'alice', fresh: 'true' }))).json).toEqual({
      fresh_logged_in_as: 'alice',
    });
  });

  it('fail as a server fault, not a client error, when no authorizer ran', async () => {
    const response = await call(handlers.protectedRoute, authorizedGet(undefined));
    expect(response.statusCode).toBe(500);
    expect(response.json).toEqual({ msg: 'Internal server error' });
  });
});
