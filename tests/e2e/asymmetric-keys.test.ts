import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { addUser } from '../../src/users/user-admin';
import { apiClient } from '../helpers/http-client';
import { adminDeps } from '../helpers/users';
import { sharedStack } from './shared-stacks';

// The whole flow with EdDSA keys: issuers hold the private key, everyone else only public keys,
// and /.well-known/jwks.json lets any jose client verify the tokens (the eddsa stack: a key pair
// made for the run).

const api = sharedStack('eddsa');
const request = apiClient(api.baseUrl);
const credentials = { username: 'pat', password: 'pat-password-1' };

beforeAll(async () => {
  await api.ready();
  await addUser(adminDeps(api.db), credentials.username, credentials.password);
});

describe('EdDSA keys end to end', () => {
  it('issues EdDSA tokens with a kid that the authorizers accept', async () => {
    const { access_token, refresh_token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    expect(decodeProtectedHeader(access_token!)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    expect((await request('GET', '/protected-fresh', { token: access_token })).json).toEqual({ fresh_logged_in_as: 'pat' });
    expect((await request('POST', '/refresh', { token: refresh_token })).status).toBe(200);
  });

  it('answers 20 concurrent refreshes of one token (the default 10 s window) with one and the same successor', async () => {
    const { refresh_token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    // Warm the workers first, so the burst measures the rotation, not 20 cold starts on 2 cores.
    await Promise.all(Array.from({ length: 20 }, () => request('POST', '/refresh', { token: 'warm-up' })));
    const responses = await Promise.all(Array.from({ length: 20 }, () => request('POST', '/refresh', { token: refresh_token })));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    // EdDSA signatures are deterministic: the very same token, byte for byte.
    const successors = new Set(responses.map((response) => response.json.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as string[];
    expect((await request('POST', '/refresh', { token: successor })).status).toBe(200);
  });

  it('serves the public keys as a cacheable JWKS that a plain jose client verifies tokens with', async () => {
    const jwks = await request('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    const keys = jwks.json.keys as Record<string, unknown>[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');

    const { access_token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    const remote = createRemoteJWKSet(new URL(`${api.baseUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(access_token!, remote, {
      algorithms: ['EdDSA'],
      issuer: 'fresh-token-lambda',
      audience: 'fresh-token-lambda',
    });
    expect(payload).toMatchObject({ sub: 'pat', type: 'access', fresh: true });
  });
});
