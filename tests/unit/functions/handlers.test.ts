import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { handler as freshLogin } from '../../../functions/fresh-login';
import { handler as login } from '../../../functions/login';
import { handler as protectedRoute } from '../../../functions/protected';
import { handler as protectedFresh } from '../../../functions/protected-fresh';
import { handler as refresh } from '../../../functions/refresh';
import { createTokenVerifier } from '../../../src/tokens/token-verifier';
import { authorizedGet, httpEvent, jsonPost, lambdaContext } from '../../helpers/events';
import { testConfig } from '../../helpers/test-config';

const verifier = createTokenVerifier(testConfig());
const ctx = lambdaContext();

type Handler = (event: APIGatewayProxyEvent, context: typeof ctx) => Promise<APIGatewayProxyResult>;

async function call(run: Handler, event: APIGatewayProxyEvent) {
  const response = await run(event, ctx);
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

let tokens: { access_token: string; refresh_token: string };

beforeAll(async () => {
  const response = await call(login, jsonPost({ username: 'test', password: 'test' }));
  tokens = response.json as typeof tokens;
});

describe('POST /login', () => {
  it('returns a fresh access token and a refresh token, uncacheable, with CORS', async () => {
    const response = await call(login, jsonPost({ username: 'test', password: 'test' }));
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json).sort()).toEqual(['access_token', 'refresh_token']);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
    await expect(verifier.verifyAccessToken(tokens.access_token)).resolves.toMatchObject({ sub: 'test', fresh: true });
    await expect(verifier.verifyRefreshToken(tokens.refresh_token)).resolves.toMatchObject({ sub: 'test' });
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const wrong = await call(login, jsonPost({ username: 'test', password: 'nope' }));
    const unknown = await call(login, jsonPost({ username: 'mallory', password: 'test' }));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json).toEqual({ msg: 'Bad username or password' });
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.headers).toEqual(wrong.headers);
  });

  it('accepts a base64-encoded body', async () => {
    const body = Buffer.from(JSON.stringify({ username: 'test', password: 'test' })).toString('base64');
    const response = await call(login, httpEvent({ body, isBase64Encoded: true, headers: { 'content-type': 'application/json' } }));
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['a non-JSON body', httpEvent({ body: 'username=test', headers: { 'Content-Type': 'application/json' } }), 400],
    ['a form body', httpEvent({ body: 'username=test&password=test', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415],
    ['no body', httpEvent({ headers: { 'Content-Type': 'application/json' } }), 400],
    ['a null body', httpEvent({ body: 'null', headers: { 'Content-Type': 'application/json' } }), 400],
    ['an array body', jsonPost([{ username: 'test', password: 'test' }]), 400],
    ['a missing password', jsonPost({ username: 'test' }), 400],
    ['a numeric password', jsonPost({ username: 'test', password: 1234 }), 400],
    ['an oversized body', jsonPost({ username: 'test', password: 'x'.repeat(5000) }), 413],
  ])('answers %s with a 4xx JSON msg', async (_label, event, status) => {
    const response = await call(login, event);
    expect(response.statusCode).toBe(status);
    expect(typeof response.json.msg).toBe('string');
    expect(Object.keys(response.json)).toEqual(['msg']);
  });
});

describe('POST /refresh', () => {
  const withAuth = (authorization: string) => httpEvent({ headers: { Authorization: authorization } });

  it('returns a non-fresh access token and no refresh token', async () => {
    const response = await call(refresh, withAuth(`Bearer ${tokens.refresh_token}`));
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json)).toEqual(['access_token']);
    await expect(verifier.verifyAccessToken(response.json.access_token as string)).resolves.toMatchObject({ sub: 'test', fresh: false });
  });

  it('rejects an access token with a clear msg and an RFC 6750 challenge', async () => {
    const response = await call(refresh, withAuth(`Bearer ${tokens.access_token}`));
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ msg: 'Only refresh tokens are allowed' });
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('asks for a token when the header is missing', async () => {
    const response = await call(refresh, httpEvent());
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ msg: 'Missing Authorization Header' });
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer');
  });

  it.each([['Bearer'], ['Bearer a b'], [`Bearer ${'x'.repeat(9000)}`]])('answers the malformed header %# with 400 invalid_request', async (header) => {
    const response = await call(refresh, withAuth(header));
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_request"');
  });

  it('answers a garbage token with 401 invalid_token', async () => {
    const response = await call(refresh, withAuth('Bearer garbage'));
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ msg: 'Invalid token' });
  });
});

describe('POST /fresh-login', () => {
  it('returns a fresh access token only, never a refresh token', async () => {
    const response = await call(freshLogin, jsonPost({ username: 'test', password: 'test' }));
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json)).toEqual(['access_token']);
    await expect(verifier.verifyAccessToken(response.json.access_token as string)).resolves.toMatchObject({ fresh: true });
  });

  it('rejects a wrong password', async () => {
    const response = await call(freshLogin, jsonPost({ username: 'test', password: 'wrong' }));
    expect(response.statusCode).toBe(401);
    expect(response.json).toEqual({ msg: 'Bad username or password' });
  });
});

describe('protected routes', () => {
  it('answer with the identity from the authorizer context', async () => {
    expect((await call(protectedRoute, authorizedGet({ identity: 'test', fresh: 'false' }))).json).toEqual({ logged_in_as: 'test' });
    expect((await call(protectedFresh, authorizedGet({ identity: 'test', fresh: 'true' }))).json).toEqual({ fresh_logged_in_as: 'test' });
  });

  it('fail as a server fault, not a client error, when no authorizer ran', async () => {
    const response = await call(protectedRoute, authorizedGet(undefined));
    expect(response.statusCode).toBe(500);
    expect(response.json).toEqual({ msg: 'Internal server error' });
  });
});
