import { addUser, disableUser, enableUser } from '../../src/users/user-admin';
import { flaskToken } from '../helpers/flask-tokens';
import { apiClient } from '../helpers/http-client';
import { adminDeps } from '../helpers/users';
import { waitFor } from '../helpers/wait-for';
import { SHARED_STACKS, sharedStack } from './shared-stacks';

// The session rules that hold whatever the token format, through serverless-offline and a real
// local DynamoDB, on a stack in flask-jwt-extended compatibility mode (so tokens a Flask app
// issued are in play) with a short retry window (the flaskRules stack).

const api = sharedStack('flaskRules');
const request = apiClient(api.baseUrl);
const SECRET = SHARED_STACKS.flaskRules.JWT_SECRET;
const GRACE_SECONDS = Number(SHARED_STACKS.flaskRules.REFRESH_REUSE_GRACE);

beforeAll(() => api.ready());

async function newUser(username: string) {
  const user = { username, password: `${username}-password-1` };
  await addUser(adminDeps(api.db), user.username, user.password);
  return user;
}

describe('the retry window', () => {
  it('answers a replay inside the window with the same successor, and one after it as reuse', async () => {
    const login = await request('POST', '/login', { json: await newUser('tia') });
    const first = login.json.refresh_token as string;
    const rotatedAt = Date.now();
    const successor = (await request('POST', '/refresh', { token: first })).json.refresh_token as string;
    const retried = await request('POST', '/refresh', { token: first });
    expect(retried.status).toBe(200);
    expect(retried.json.refresh_token).toBe(successor);

    // Replays keep getting that same successor until the window closes, and then reuse: never a
    // third token, and the window is not extended by the replays.
    const late = await waitFor(
      'the retry window to close',
      async () => {
        const replay = await request('POST', '/refresh', { token: first });
        if (replay.status !== 200) return replay;
        expect(replay.json.refresh_token).toBe(successor);
        return undefined;
      },
      { intervalMs: 500 },
    );
    expect(Date.now() - rotatedAt).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000 - 1000);
    expect(late.status).toBe(401);
    expect(late.json).toEqual({ msg: 'Refresh token reuse detected; the session has been revoked' });
    expect((await request('POST', '/refresh', { token: successor })).status).toBe(401);
  });
});

describe('the revocation clock', () => {
  it('keeps a flask-jwt-extended refresh token that was never exchanged dead after disable and enable', async () => {
    await newUser('uma');
    const flaskRefresh = await flaskToken(SECRET, 'refresh', { sub: 'uma', ttl: 3600 });
    await new Promise((resolve) => setTimeout(resolve, 5)); // the disable lands after the token's login
    expect(await disableUser(adminDeps(api.db), 'uma')).toBe(0);
    await enableUser(adminDeps(api.db), 'uma');
    const refused = await request('POST', '/refresh', { token: flaskRefresh });
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ msg: 'Refresh token has been revoked' });
    // A token issued after the disable (its iat, in whole seconds, past the clock) works.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await flaskToken(SECRET, 'refresh', { sub: 'uma' });
    expect((await request('POST', '/refresh', { token: later })).status).toBe(200);
  });

  it('shows sessions and ends them in compatibility mode too', async () => {
    const user = await newUser('vic');
    const { access_token } = (await request('POST', '/login', { json: user })).json as { access_token: string };
    const listed = await request('GET', '/sessions', { token: access_token });
    expect(listed.status).toBe(200);
    expect((listed.json.sessions as { current: boolean }[]).map((session) => session.current)).toEqual([true]);
    expect((await request('DELETE', '/sessions', { token: access_token })).json).toEqual({ msg: 'All sessions ended', ended: 1 });
  });
});

describe('tokens from the future', () => {
  it('refuses an access or refresh token whose iat lies an hour ahead, on every route', async () => {
    await newUser('wes');
    const later = Math.floor(Date.now() / 1000) + 3600;
    const access = await flaskToken(SECRET, 'access', { sub: 'wes', fresh: true, now: later });
    const refresh = await flaskToken(SECRET, 'refresh', { sub: 'wes', now: later });
    for (const path of ['/protected', '/protected-fresh', '/sessions']) {
      expect((await request('GET', path, { token: access })).status).toBe(401);
    }
    expect((await request('POST', '/refresh', { token: refresh })).status).toBe(401);
    expect((await request('POST', '/logout', { token: refresh })).status).toBe(401);
  });
});
