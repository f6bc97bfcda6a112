import { disableUser, addUser, changePassword } from '../../src/users/user-admin';
import { apiClient } from '../helpers/http-client';
import { runScript } from '../helpers/run-script';
import { adminDeps } from '../helpers/users';
import { countingFetch } from '../helpers/counting-fetch';
import { createClient, SignedOutError, type ClientOptions, type SignedOutDetail, type StepUpChallenge } from '../../client/src/index';
import { SHARED_STACKS, sharedStack } from './shared-stacks';

// Refresh-token rotation, reuse detection, logout, account changes and lockout, through
// serverless-offline (each function in its own worker thread) and a real local DynamoDB.

// The strict stack (shared with tests/e2e/account-routes.test.ts): no retry window, so every
// superseded token is reuse; a low lockout threshold.
const api = sharedStack('strict');
const request = apiClient(api.baseUrl);
const MAX_FAILURES = Number(SHARED_STACKS.strict.LOGIN_MAX_FAILURES);
const MAX_FAILURES_PER_USER = Number(SHARED_STACKS.strict.LOGIN_MAX_FAILURES_PER_USER);

beforeAll(() => api.ready());

/**
 * Concurrent refreshes of one token: each is a worker thread in serverless-offline, so more mostly
 * measures thread start-up on 2 cores; the store's race is also tested in-process (integration).
 */
const BURST = 20;

async function newUser(name: string, password = `${name}-password-1`) {
  await addUser(adminDeps(api.db), name, password);
  return { username: name, password };
}

async function login(credentials: { username: string; password: string }) {
  const response = await request('POST', '/login', { json: credentials });
  expect(response.status).toBe(200);
  return response.json as { access_token: string; refresh_token: string };
}

describe('refresh-token rotation', () => {
  it(`with REFRESH_REUSE_GRACE=0, lets exactly one of ${BURST} concurrent refreshes through, and revokes the family`, async () => {
    const { refresh_token } = await login(await newUser('dora'));
    // serverless-offline runs each concurrent call in its own worker thread; start them first so
    // the burst measures the database's conditional write, not cold starts on 2 cores.
    await Promise.all(Array.from({ length: BURST }, () => request('POST', '/refresh', { token: 'warm-up' })));
    const responses = await Promise.all(Array.from({ length: BURST }, () => request('POST', '/refresh', { token: refresh_token })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(BURST - 1);
    // The losers presented a superseded token: reuse, so even the winner's new token is dead.
    const winner = responses.find((response) => response.status === 200)!;
    const next = await request('POST', '/refresh', { token: winner.json.refresh_token as string });
    expect(next.status).toBe(401);
  });

  it('treats a rotated token presented again as reuse and revokes the whole family', async () => {
    const { refresh_token: first } = await login(await newUser('emil'));
    const second = await request('POST', '/refresh', { token: first });
    expect(second.status).toBe(200);
    const third = await request('POST', '/refresh', { token: second.json.refresh_token as string });
    expect(third.status).toBe(200);

    const replay = await request('POST', '/refresh', { token: first });
    expect(replay.status).toBe(401);
    expect(replay.json).toEqual({ msg: 'Refresh token reuse detected; the session has been revoked' });
    const newest = await request('POST', '/refresh', { token: third.json.refresh_token as string });
    expect(newest.status).toBe(401);
    expect(newest.json).toEqual({ msg: 'Refresh token has been revoked' });
  });

  it('keeps other sessions of the same user alive when one family is revoked', async () => {
    const user = await newUser('fay');
    const laptop = await login(user);
    const phone = await login(user);
    const rotated = await request('POST', '/refresh', { token: laptop.refresh_token });
    expect(rotated.status).toBe(200);
    // The laptop's spent token again: reuse, so its family is revoked, the successor with it.
    const reused = await request('POST', '/refresh', { token: laptop.refresh_token });
    expect(reused.status).toBe(401);
    expect(reused.json).toEqual({ msg: 'Refresh token reuse detected; the session has been revoked' });
    const successor = await request('POST', '/refresh', { token: rotated.json.refresh_token as string });
    expect(successor.status).toBe(401);
    expect(successor.json).toEqual({ msg: 'Refresh token has been revoked' });
    expect((await request('POST', '/refresh', { token: phone.refresh_token })).status).toBe(200);
  });
});

describe('logout', () => {
  it('revokes the family, answers 200 every time, and refresh then fails', async () => {
    const { refresh_token, access_token } = await login(await newUser('gus'));
    const first = await request('POST', '/logout', { token: refresh_token });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ msg: 'Logged out' });
    expect((await request('POST', '/logout', { token: refresh_token })).status).toBe(200);
    expect((await request('POST', '/refresh', { token: refresh_token })).status).toBe(401);
    // Access tokens are stateless: they keep working until they expire.
    expect((await request('GET', '/protected', { token: access_token })).status).toBe(200);
  });

  it('refuses an access token', async () => {
    const { access_token } = await login(await newUser('hal'));
    const response = await request('POST', '/logout', { token: access_token });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ msg: 'Only refresh tokens are allowed' });
  });
});

describe('account changes', () => {
  it('stops a disabled user from logging in or refreshing, answering as for a wrong password', async () => {
    const user = await newUser('ivy');
    const { refresh_token } = await login(user);
    expect(await disableUser(adminDeps(api.db), 'ivy')).toBe(1);
    const refused = await request('POST', '/login', { json: user });
    const wrong = await request('POST', '/login', { json: { username: 'ivy', password: 'not-her-password' } });
    expect(refused.status).toBe(401);
    expect(refused.text).toBe(wrong.text);
    expect((await request('POST', '/fresh-login', { json: user })).status).toBe(401);
    expect((await request('POST', '/refresh', { token: refresh_token })).status).toBe(401);
  });

  it('revokes every session on a password change; the new password works, the old does not', async () => {
    const user = await newUser('jon');
    const sessions = [await login(user), await login(user)];
    expect(await changePassword(adminDeps(api.db), 'jon', 'jon-new-password')).toBe(2);
    for (const { refresh_token } of sessions) {
      expect((await request('POST', '/refresh', { token: refresh_token })).status).toBe(401);
    }
    expect((await request('POST', '/login', { json: user })).status).toBe(401);
    expect((await request('POST', '/login', { json: { username: 'jon', password: 'jon-new-password' } })).status).toBe(200);
  });
});

describe('brute-force protection', () => {
  it('locks a username after repeated failures, the same way whether or not it exists', async () => {
    const user = await newUser('kim');
    const attempt = (username: string) => request('POST', '/login', { json: { username, password: 'guess-password' } });
    // How far apart (ms) the two names' first failures, and then their locked attempts, were made:
    // each window opens at its first failure, so the two Retry-After may differ by that much.
    const pairGaps: number[] = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      const started = Date.now();
      expect((await attempt('kim')).status).toBe(401);
      expect((await attempt('nobody-kim')).status).toBe(401);
      if (i === 0) pairGaps.push(Date.now() - started);
    }
    const started = Date.now();
    const existing = await attempt('kim');
    const unknown = await attempt('nobody-kim');
    pairGaps.push(Date.now() - started);
    expect(existing.status).toBe(429);
    expect(unknown.status).toBe(429);
    expect(existing.text).toBe(unknown.text);
    expect(existing.json).toEqual({ msg: 'Too many failed login attempts; try again later' });
    expect(Number(existing.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same wait for both, up to the time between their requests (whole seconds round each way).
    const drift = Math.abs(Number(existing.headers.get('retry-after')) - Number(unknown.headers.get('retry-after')));
    expect(drift).toBeLessThanOrEqual(Math.ceil((pairGaps[0]! + pairGaps[1]!) / 1000) + 1);
    // Even the right password waits out the lock.
    expect((await request('POST', '/login', { json: user })).status).toBe(429);
  });

  it('counts per source address: guesses from a stranger never lock the user out', async () => {
    const user = await newUser('mia');
    const guess = { username: 'mia', password: 'guess-password' };
    for (let i = 0; i < MAX_FAILURES; i++) expect((await request('POST', '/login', { json: guess, from: '127.0.0.2' })).status).toBe(401);
    const locked = await request('POST', '/login', { json: guess, from: '127.0.0.2' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The user, from their own address, is not locked out.
    expect((await request('POST', '/login', { json: user })).status).toBe(200);
    expect((await request('POST', '/fresh-login', { json: user })).status).toBe(200);
  });

  it('caps the failures per user across all addresses, and refused attempts do not use up that cap', async () => {
    const user = await newUser('ned');
    const guess = { username: 'ned', password: 'guess-password' };
    // One address hammering: 3 counted failures, the rest refused at the address and not counted.
    for (let i = 0; i < MAX_FAILURES + 3; i++) await request('POST', '/login', { json: guess, from: '127.0.0.3' });
    // A second address: 2 more failures reach the per-user cap of 5.
    for (let i = 0; i < MAX_FAILURES_PER_USER - MAX_FAILURES; i++) {
      expect((await request('POST', '/login', { json: guess, from: '127.0.0.4' })).status).toBe(401);
    }
    const capped = await request('POST', '/login', { json: user, from: '127.0.0.5' });
    expect(capped.status).toBe(429);
    expect(capped.json).toEqual({ msg: 'Too many failed login attempts; try again later' });
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('resets the count on a successful login', async () => {
    const user = await newUser('lea');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_FAILURES - 1; i++) {
        expect((await request('POST', '/login', { json: { username: 'lea', password: 'guess-password' } })).status).toBe(401);
      }
      expect((await request('POST', '/login', { json: user })).status).toBe(200);
    }
  });
});

describe('sessions a user can see and end', () => {
  type Listed = {
    id: string;
    created_at: string;
    last_used_at: string;
    expires_at: string;
    ip: string;
    user_agent: string;
    current: boolean;
  };
  const list = async (token: string) => {
    const response = await request('GET', '/sessions', { token });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    return (response.json as { sessions: Listed[] }).sessions;
  };
  const sessionOf = (accessToken: string) =>
    (JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: string }).sid;

  it('lists the caller’s live sessions, newest first, with where they were last used and which is the caller’s', async () => {
    const user = await newUser('olga');
    const laptop = await login(user);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later login second
    const phone = (await request('POST', '/login', { json: user, from: '127.0.0.6', headers: { 'User-Agent': 'olga-phone/1.0' } }))
      .json as {
      access_token: string;
      refresh_token: string;
    };
    // A non-fresh token (from /refresh) may list: GET /sessions is behind any-valid.
    const refreshed = await request('POST', '/refresh', { token: laptop.refresh_token, headers: { 'User-Agent': 'olga-laptop/2.0' } });
    const stale = refreshed.json.access_token as string;
    expect(sessionOf(stale)).toBe(sessionOf(laptop.access_token));

    const sessions = await list(stale);
    expect(sessions.map((session) => session.id)).toEqual([sessionOf(phone.access_token), sessionOf(laptop.access_token)]);
    expect(sessions[0]).toMatchObject({ ip: '127.0.0.6', user_agent: 'olga-phone/1.0', current: false });
    expect(sessions[1]).toMatchObject({ ip: '127.0.0.1', user_agent: 'olga-laptop/2.0', current: true });
    for (const session of sessions) {
      expect(Object.keys(session).sort()).toEqual(['created_at', 'current', 'expires_at', 'id', 'ip', 'last_used_at', 'user_agent']);
      expect(Date.parse(session.expires_at)).toBeGreaterThan(Date.parse(session.last_used_at));
      expect(Date.parse(session.last_used_at)).toBeGreaterThanOrEqual(Date.parse(session.created_at));
    }
    // Another user sees only their own.
    expect(await list((await login(await newUser('pia'))).access_token)).toHaveLength(1);
  });

  it('ends one session only with a fresh token; the others live on, and nobody else’s can be ended', async () => {
    const user = await newUser('quinn');
    const laptop = await login(user);
    const phone = await login(user);
    const phoneId = sessionOf(phone.access_token);
    const stale = (await request('POST', '/refresh', { token: laptop.refresh_token })).json as {
      access_token: string;
      refresh_token: string;
    };

    // Ending a session is critical: a non-fresh token is refused (401 "Fresh token required", locally as on AWS).
    expect((await request('DELETE', `/sessions/${phoneId}`, { token: stale.access_token })).status).toBe(401);
    // Someone else's session, with their own fresh token: not found, as for an id that does not exist.
    const stranger = await login(await newUser('rex'));
    const foreign = await request('DELETE', `/sessions/${phoneId}`, { token: stranger.access_token });
    const unknown = await request('DELETE', '/sessions/no-such-session', { token: stranger.access_token });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ msg: 'Session not found' });
    expect(unknown.text).toBe(foreign.text);

    const ended = await request('DELETE', `/sessions/${phoneId}`, { token: laptop.access_token });
    expect(ended.status).toBe(200);
    expect(ended.json).toEqual({ msg: 'Session ended' });
    expect((await request('DELETE', `/sessions/${phoneId}`, { token: laptop.access_token })).status).toBe(404);
    expect((await request('POST', '/refresh', { token: phone.refresh_token })).status).toBe(401);
    expect((await request('POST', '/refresh', { token: stale.refresh_token })).status).toBe(200);
    expect((await list(laptop.access_token)).map((session) => session.id)).toEqual([sessionOf(laptop.access_token)]);
  });

  it('signs out everywhere with a fresh token: every refresh token fails, a new login works', async () => {
    const user = await newUser('sam');
    const [laptop, phone, tablet] = [await login(user), await login(user), await login(user)];
    const stale = (await request('POST', '/refresh', { token: laptop.refresh_token })).json as {
      access_token: string;
      refresh_token: string;
    };
    expect((await request('DELETE', '/sessions', { token: stale.access_token })).status).toBe(401);

    const fresh = (await request('POST', '/fresh-login', { json: user })).json.access_token as string;
    const all = await request('DELETE', '/sessions', { token: fresh });
    expect(all.status).toBe(200);
    expect(all.json).toEqual({ msg: 'All sessions ended', ended: 3 });
    for (const token of [stale.refresh_token, phone.refresh_token, tablet.refresh_token]) {
      expect((await request('POST', '/refresh', { token })).status).toBe(401);
    }
    expect(await list(fresh)).toEqual([]);
    const again = await login(user);
    expect((await request('POST', '/refresh', { token: again.refresh_token })).status).toBe(200);
  });
});

describe('the users command', () => {
  it('adds a user with a password read from stdin, never from the command line', async () => {
    // A password on the command line as well: it must be ignored, the one from stdin used. A
    // subprocess, not in-process (runScriptInProcess): stdin is the process's own.
    const added = await runScript('users', ['add', 'max', 'max-password-on-argv'], {
      env: { ...process.env, DYNAMODB_ENDPOINT: api.db.endpoint },
      input: 'max-password-1\n',
    });
    if (added.code !== 0) throw new Error(`users add exited with ${added.code}:\n${added.stderr}`);
    expect(added.stdout).toContain('Added max.');
    expect((await request('POST', '/login', { json: { username: 'max', password: 'max-password-1' } })).status).toBe(200);
    expect((await request('POST', '/login', { json: { username: 'max', password: 'max-password-on-argv' } })).status).toBe(401);
  });
});

describe('the client (client/) in memory mode, with the strict rotation', () => {
  // Expiry is the client's hand clock: the server's tokens stay good, the client sees them expired.
  // With REFRESH_REUSE_GRACE=0 a client that refreshed twice with one token would be signed out.
  function memoryClient(options: Partial<ClientOptions> = {}) {
    const network = countingFetch();
    let clock = Date.now();
    const signedOut: SignedOutDetail[] = [];
    const client = createClient({ baseUrl: api.baseUrl, tokens: 'memory', fetch: network.fetch, now: () => clock, ...options });
    client.addEventListener('signed-out', (event) => signedOut.push(event.detail));
    return { client, network, signedOut, advance: (ms: number) => (clock += ms) };
  }
  const MINUTE = 60_000;
  /**
   * Calls at once: each is a cold worker thread here (for the route and its authorizer), so more
   * would mostly measure thread start-up; the unit tier sends 10 through the real authorizer
   * pipeline, and a property every interleaving.
   */
  const CONCURRENT = 5;

  it(`refreshes exactly once for ${CONCURRENT} concurrent calls with an expired access token, and every call succeeds`, async () => {
    const user = await newUser('cleo');
    const { client, network, advance, signedOut } = memoryClient();
    await client.login(user);
    advance(16 * MINUTE);
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => client.request('GET', '/protected')));
    expect(answers).toEqual(Array.from({ length: CONCURRENT }, () => ({ logged_in_as: 'cleo' })));
    expect(network.count('POST /refresh')).toBe(1);
    expect(network.statuses('GET /protected')).toEqual(Array.from({ length: CONCURRENT }, () => 200));
    expect(signedOut).toEqual([]);
    // The session lives on: the next expiry refreshes again, with the refresh token the first gave.
    advance(16 * MINUTE);
    await expect(client.sessions.list()).resolves.toMatchObject({ sessions: [{ current: true }] });
    expect(network.statuses('POST /refresh')).toEqual([200, 200]);
  });

  it('steps up with the password on a fresh-only route, within the same session, and retries the call', async () => {
    const user = await newUser('cora');
    const challenges: StepUpChallenge[] = [];
    const { client, network, advance } = memoryClient({
      onStepUp: (challenge) => {
        challenges.push(challenge);
        return { password: user.password };
      },
    });
    await client.login(user);
    advance(16 * MINUTE);
    await client.request('GET', '/protected'); // refreshed: the access token is not fresh any more
    await expect(client.request('GET', '/protected-fresh')).resolves.toEqual({ fresh_logged_in_as: 'cora' });
    expect(challenges).toEqual([
      {
        acrValues: [],
        maxAge: undefined,
        refusal: {
          status: 401,
          challenge: expect.stringMatching(/^Bearer error="insufficient_user_authentication"/),
          msg: 'Fresh token required',
        },
      },
    ]);
    expect(network.statuses('GET /protected-fresh')).toEqual([401, 200]);
    // The fresh token is the session's (`sid`): its session is the current one.
    const { sessions } = await client.sessions.list();
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    await expect(client.account.get()).resolves.toMatchObject({ username: 'cora', fresh: true });
  });

  it('signs out with one signed-out event when the refresh is refused as reuse (a copy of the token was spent)', async () => {
    const user = await newUser('cyd');
    const { client, network, advance, signedOut } = memoryClient();
    await client.login(user);
    const { refresh_token } = JSON.parse(network.sent.find(({ route }) => route === 'POST /login')!.body) as { refresh_token: string };
    expect((await request('POST', '/refresh', { token: refresh_token })).status).toBe(200);

    advance(16 * MINUTE);
    const results = await Promise.allSettled([client.request('GET', '/protected'), client.account.get()]);
    expect(results.map((result) => (result.status === 'rejected' ? (result.reason as unknown) : result.value))).toEqual([
      expect.any(SignedOutError),
      expect.any(SignedOutError),
    ]);
    expect(signedOut).toEqual([{ reason: 'refused', status: 401, msg: 'Refresh token reuse detected; the session has been revoked' }]);
    expect(network.count('POST /refresh')).toBe(1);
  });

  it('signs out everywhere: DELETE /sessions ends this session too, and its next refresh is refused', async () => {
    const user = await newUser('cam');
    const { client, advance, signedOut } = memoryClient();
    await client.login(user);
    await expect(client.sessions.endAll()).resolves.toEqual({ msg: 'All sessions ended', ended: 1 });
    advance(16 * MINUTE);
    await expect(client.request('GET', '/protected')).rejects.toMatchObject({ code: 'ERR_SIGNED_OUT', status: 401 });
    expect(signedOut).toEqual([{ reason: 'refused', status: 401, msg: 'Refresh token has been revoked' }]);
  });
});
