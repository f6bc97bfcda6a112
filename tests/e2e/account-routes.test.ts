import { decodeJwt, decodeProtectedHeader } from 'jose';
import { addUser } from '../../src/users/user-admin';
import { craftToken } from '../helpers/craft-token';
import { apiClient } from '../helpers/http-client';
import { adminDeps } from '../helpers/users';
import { SHARED_STACKS, sharedStack } from './shared-stacks';

// The account routes through serverless-offline and a real local DynamoDB: what fresh tokens are
// for. An authorizer's Deny is answered, locally as on AWS, by the Gateway Response: 401 "Fresh
// token required" with the RFC 9470 challenge (tests/e2e/fresh-token-flow.test.ts compares it).

// The strict stack (shared with tests/e2e/sessions.test.ts), with the default RECENT_MAX_AGE (300 s).
const api = sharedStack('strict');
const request = apiClient(api.baseUrl);

beforeAll(() => api.ready());

async function newUser(username: string) {
  const user = { username, password: `${username}-first-passphrase` };
  await addUser(adminDeps(api.db), user.username, user.password);
  return user;
}

async function login(user: { username: string; password: string }) {
  const response = await request('POST', '/login', { json: user });
  expect(response.status).toBe(200);
  return response.json as { access_token: string; refresh_token: string };
}

describe('GET /me', () => {
  it('answers with a fresh and with a non-fresh token, saying which', async () => {
    const user = await newUser('amy');
    const { access_token, refresh_token } = await login(user);
    const fresh = await request('GET', '/me', { token: access_token });
    expect(fresh.status).toBe(200);
    expect(fresh.json).toEqual({
      username: 'amy',
      email: null,
      created_at: expect.any(String),
      auth_time: expect.any(Number),
      fresh: true,
      fresh_until: null,
      expires_at: expect.any(Number),
      acr: 'urn:fresh-token:acr:pwd',
      amr: ['pwd'],
    });
    const stale = (await request('POST', '/refresh', { token: refresh_token })).json.access_token as string;
    expect((await request('GET', '/me', { token: stale })).json).toMatchObject({ username: 'amy', fresh: false });
    expect((await request('GET', '/me')).status).toBe(401);
  });
});

describe('PUT /me/email', () => {
  it('is refused for a non-fresh token and accepted for a fresh one', async () => {
    const user = await newUser('ben');
    const { access_token, refresh_token } = await login(user);
    const stale = (await request('POST', '/refresh', { token: refresh_token })).json.access_token as string;
    expect((await request('PUT', '/me/email', { token: stale, json: { email: 'ben@example.com' } })).status).toBe(401);

    const changed = await request('PUT', '/me/email', { token: access_token, json: { email: 'Ben@Example.com' } });
    expect(changed.status).toBe(200);
    expect(changed.json).toEqual({ msg: 'E-mail changed', email: 'ben@example.com' });
    expect((await request('GET', '/me', { token: stale })).json.email).toBe('ben@example.com');
    const bad = await request('PUT', '/me/email', { token: access_token, json: { email: 'ben at example' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ msg: 'Invalid e-mail address' });
  });
});

describe('PUT /me/password', () => {
  it('needs a recent password proof, the right current password and a strong new one; then ends the other sessions only', async () => {
    const user = await newUser('cat');
    const phone = await login(user);
    const laptop = await login(user);
    const change = (token: string, current: string, next: string) =>
      request('PUT', '/me/password', { token, json: { current_password: current, new_password: next } });

    // A fresh token of the laptop's session whose password check is older than RECENT_MAX_AGE:
    // the laptop's own token, its proof an hour old, signed with the stack's key (a real proof
    // would take RECENT_MAX_AGE to age). Refused by fresh-recent; checked first on the read-only
    // route behind the same authorizer, which opens to the laptop's own token.
    const claims = decodeJwt(laptop.access_token);
    expect(claims).toMatchObject({ fresh: true, sid: expect.any(String), auth_time: expect.any(Number) });
    const stale = await craftToken(
      { ...claims, auth_time: (claims.auth_time as number) - 3600 },
      decodeProtectedHeader(laptop.access_token),
      SHARED_STACKS.strict.JWT_SECRET,
    );
    expect((await request('GET', '/protected-recent', { token: laptop.access_token })).status).toBe(200);
    expect((await request('GET', '/protected-recent', { token: stale })).status).toBe(401);
    expect((await change(stale, user.password, 'cat-second-passphrase')).status).toBe(401);

    // Prove the password again inside the laptop's session: the fresh token carries its sid.
    const proof = await request('POST', '/fresh-login', { json: user, token: laptop.refresh_token });
    expect(proof.status).toBe(200);
    const recent = proof.json.access_token as string;

    const wrong = await change(recent, 'not-the-password', 'cat-second-passphrase');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ msg: 'Bad username or password' });
    const weak = await change(recent, user.password, '12345678');
    expect(weak.status).toBe(400);
    expect(weak.json).toEqual({ msg: 'Password is too common; choose a less predictable one' });

    const done = await change(recent, user.password, 'cat-second-passphrase');
    expect(done.status).toBe(200);
    expect(done.json).toEqual({ msg: 'Password changed' });

    expect((await request('POST', '/login', { json: user })).status).toBe(401);
    expect((await request('POST', '/login', { json: { username: 'cat', password: 'cat-second-passphrase' } })).status).toBe(200);
    expect((await request('POST', '/refresh', { token: phone.refresh_token })).status).toBe(401);
    const kept = await request('POST', '/refresh', { token: laptop.refresh_token });
    expect(kept.status).toBe(200);
    expect((await request('POST', '/refresh', { token: kept.json.refresh_token as string })).status).toBe(200);
  });
});
