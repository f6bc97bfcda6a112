import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import type { HttpHandler } from '../../src/http/http-handler';
import { createDynamoFamilyStore } from '../../src/sessions/dynamo-family-store';
import type { Family } from '../../src/sessions/family-store';
import { endAllSessions, endSession, listSessions, SESSIONS_PAGE_SIZE, type SessionListDeps } from '../../src/sessions/session-list';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import { nowSeconds } from '../../src/platform/clock';
import { addUser } from '../../src/users/user-admin';
import { rejectionCode } from '../helpers/error-code';
import { authorizedGet } from '../helpers/events';
import { call } from '../helpers/handlers';
import { startTestDatabase, useEnvironment, type TestDatabase } from '../helpers/local-stack';
import { adminDeps } from '../helpers/users';

// The sessions a user sees and ends, against a real DynamoDB API (dynalite) and the table and
// index serverless.yml declares.

let db: TestDatabase;
let deps: SessionListDeps;

beforeAll(async () => {
  db = await startTestDatabase();
  const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
  deps = { users: createDynamoUserStore(client, db.env.USERS_TABLE), families: createDynamoFamilyStore(client, db.env.FAMILIES_TABLE) };
});

afterAll(async () => {
  await db.close();
});

const now = () => Math.floor(Date.now() / 1000);

/** Stores a family of `username` logged in `ago` seconds back, as a login writes it (overridable). */
async function family(username: string, ago: number, overrides: Partial<Family> = {}): Promise<Family> {
  const createdAt = now() - ago;
  const row: Family = {
    familyId: randomUUID(),
    username,
    currentJti: randomUUID(),
    currentIat: createdAt,
    currentExp: createdAt + 3600,
    status: 'active',
    authTime: createdAt,
    createdAt,
    createdAtMs: createdAt * 1000 + 500,
    rotatedAt: createdAt,
    expiresAt: createdAt + 3600,
    ip: '198.51.100.7',
    userAgent: 'test-agent',
    ...overrides,
  };
  expect(await deps.families.create(row)).toBe(true);
  return row;
}

/** Rotates `row` once, as a refresh would, against the revocation clock `loggedInAfterMs`. */
function rotateRow(row: Family, loggedInAfterMs: number) {
  return deps.families.rotate({
    familyId: row.familyId,
    username: row.username,
    oldJti: row.currentJti,
    next: { jti: randomUUID(), iat: now(), exp: now() + 60 },
    now: now(),
    expiresAt: now() + 60,
    loggedInAfterMs,
    client: { ip: '203.0.113.9', userAgent: 'x' },
  });
}

let userCount = 0;
async function newUser(): Promise<string> {
  userCount += 1;
  const username = `owner-${userCount}`;
  await addUser(adminDeps(db), username, 'a-long-password');
  return username;
}

describe('listing sessions', () => {
  it('pages through more than one page, newest login first, each session once', async () => {
    const username = await newUser();
    const total = SESSIONS_PAGE_SIZE + 5;
    // Written ten at a time: a hundred writes at once on a busy machine can outlast the database
    // client's 1 s connection timeout (the listing, not the writing, is under test).
    const rows: Awaited<ReturnType<typeof family>>[] = [];
    for (let start = 0; start < total; start += 10)
      rows.push(...(await Promise.all(Array.from({ length: Math.min(10, total - start) }, (_, i) => family(username, (start + i) * 2)))));
    await family(await newUser(), 0); // someone else's

    const first = await listSessions(deps, { username, sessionId: rows[3]!.familyId, issuedAt: nowSeconds() }, undefined);
    expect(first.sessions).toHaveLength(SESSIONS_PAGE_SIZE);
    expect(first.next).toEqual(expect.any(String));
    const second = await listSessions(deps, { username, issuedAt: nowSeconds() }, first.next);
    expect(second.next).toBeUndefined();
    const ids = [...first.sessions, ...second.sessions].map((session) => session.id);
    expect(ids).toEqual(rows.map((row) => row.familyId));
    expect(first.sessions.filter((session) => session.current).map((session) => session.id)).toEqual([rows[3]!.familyId]);
  });

  it('shows only live sessions: not revoked, expired, or logged in before the revocation clock', async () => {
    const username = await newUser();
    const live = await family(username, 10);
    await family(username, 20, { status: 'revoked' });
    await family(username, 30, { expiresAt: now() - 1 });
    const beforeClock = await family(username, 40);
    await deps.users.endSessionsBefore(username, beforeClock.createdAtMs! + 1);
    const after = await family(username, 0);
    const { sessions } = await listSessions(deps, { username, issuedAt: nowSeconds() }, undefined);
    // The clock sits just after `beforeClock`'s login: the later ones stay, it goes.
    expect(sessions.map((session) => session.id)).toEqual([after.familyId, live.familyId]);
  });

  it('reads rows written before IP, user agent and createdAtMs were recorded', async () => {
    const username = await newUser();
    const old = await family(username, 5, { createdAtMs: undefined, ip: undefined, userAgent: undefined });
    const { sessions } = await listSessions(deps, { username, issuedAt: nowSeconds() }, undefined);
    expect(sessions).toStrictEqual([
      { id: old.familyId, createdAt: old.createdAt, lastUsedAt: old.rotatedAt, expiresAt: old.expiresAt, current: false },
    ]);
  });

  it('shows a session’s login time from its createdAtMs when it has one (an exchanged Flask token logged in before the row)', async () => {
    const username = await newUser();
    // One reading of the clock: two could straddle a second.
    const loginSecond = now() - 3600;
    const exchanged = await family(username, 5, { createdAtMs: loginSecond * 1000 + 250 });
    const { sessions } = await listSessions(deps, { username, issuedAt: nowSeconds() }, undefined);
    expect(sessions.map((session) => [session.id, session.createdAt])).toEqual([[exchanged.familyId, loginSecond]]);
  });

  it('shows where a session was last used once it has rotated', async () => {
    const username = await newUser();
    const row = await family(username, 5);
    // One instant for the rotation and the expectation: a second read of the clock may be a tick later.
    const at = now();
    const moved = await deps.families.rotate({
      familyId: row.familyId,
      username,
      oldJti: row.currentJti,
      next: { jti: randomUUID(), iat: at, exp: at + 60 },
      now: at,
      expiresAt: at + 60,
      loggedInAfterMs: 0,
      client: { ip: '203.0.113.9', userAgent: 'phone' },
    });
    expect(moved).toBe('rotated');
    const [session] = (await listSessions(deps, { username, issuedAt: nowSeconds() }, undefined)).sessions;
    expect(session).toMatchObject({ ip: '203.0.113.9', userAgent: 'phone', lastUsedAt: at });
  });

  it('refuses a cursor it did not hand out', async () => {
    const username = await newUser();
    for (const cursor of [
      '',
      'not base64!',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('["x","y"]').toString('base64url'),
      Buffer.from('["x",').toString('base64url'),
      // An id that is not a string, even one with a length (an array): never handed to DynamoDB.
      Buffer.from('[["x"],1800000000]').toString('base64url'),
      'a'.repeat(600),
    ]) {
      expect(await rejectionCode(listSessions(deps, { username, issuedAt: nowSeconds() }, cursor))).toBe('ERR_QUERY_INVALID');
    }
  });

  it('takes a cursor only whole and within its limits: 512 characters, an id of 1 to 128, a whole-second time', async () => {
    const username = await newUser();
    const encode = (json: string) => Buffer.from(json).toString('base64url');
    // JSON may carry spaces: pad a well-formed cursor to exactly `length` characters (a multiple of 4).
    const padded = (length: number) => encode(`["x",${' '.repeat((length / 4) * 3 - 7)}1]`);
    const good = encode(JSON.stringify(['x'.repeat(128), 1]));
    expect(padded(512)).toHaveLength(512);
    for (const accepted of [good, padded(512), encode(JSON.stringify(['a', 0]))]) {
      await expect(listSessions(deps, { username, issuedAt: nowSeconds() }, accepted)).resolves.toMatchObject({ sessions: [] });
    }
    for (const refused of [
      padded(516),
      encode(JSON.stringify(['x'.repeat(129), 1])),
      encode(JSON.stringify(['', 1])),
      encode(JSON.stringify(['a', 1.5])),
      encode(JSON.stringify(['a', 1, 2])),
      encode(JSON.stringify([1, 1])),
      // Node's base64url decoder skips characters outside the alphabet: the cursor must not have any.
      `!${good}`,
      `${good}!`,
      `${good}=`,
    ]) {
      expect(await rejectionCode(listSessions(deps, { username, issuedAt: nowSeconds() }, refused))).toBe('ERR_QUERY_INVALID');
    }
  });
});

describe('ending sessions', () => {
  it('ends one of the caller’s live sessions, and answers not found for anything else', async () => {
    const username = await newUser();
    const mine = await family(username, 5);
    const theirs = await family(await newUser(), 5);
    const expired = await family(username, 5, { expiresAt: now() - 1 });
    const longest = await family(username, 5, { familyId: 'l'.repeat(128) });
    for (const id of [theirs.familyId, expired.familyId, 'no-such-session', '', 'x'.repeat(129), 'x'.repeat(3000)]) {
      expect(await rejectionCode(endSession(deps, username, id))).toBe('ERR_SESSION_NOT_FOUND');
    }
    // A valid token of a user whose row is gone: no session of theirs to end.
    expect(await rejectionCode(endSession(deps, 'nobody-by-this-name', mine.familyId))).toBe('ERR_SESSION_NOT_FOUND');
    await endSession(deps, username, mine.familyId);
    await endSession(deps, username, longest.familyId);
    expect(await rejectionCode(endSession(deps, username, mine.familyId))).toBe('ERR_SESSION_NOT_FOUND');
    expect(await deps.families.get(mine.familyId)).toMatchObject({ status: 'revoked', revokedReason: 'ended-by-user' });
    expect((await deps.families.get(theirs.familyId))?.status).toBe('active');
  });

  it('signs out everywhere: moves the revocation clock, so even a row the index missed can no longer rotate', async () => {
    const username = await newUser();
    const rows = [await family(username, 3), await family(username, 2)];
    expect(await endAllSessions(deps, username)).toBe(2);
    expect((await listSessions(deps, { username, issuedAt: nowSeconds() }, undefined)).sessions).toEqual([]);
    for (const row of rows)
      expect(await deps.families.get(row.familyId)).toMatchObject({ status: 'revoked', revokedReason: 'ended-by-user' });
    const user = await deps.users.findUser(username);
    expect(user!.sessionsValidAfter).toBeGreaterThan(rows[1]!.createdAtMs!);
    // A family still marked active (as if the index had not shown it yet) fails the rotation's condition.
    // Its login came before the sign-out (taken from the clock, not from elapsed time, which load stretches).
    const straggler = await family(username, 1, { createdAtMs: user!.sessionsValidAfter - 1000 });
    expect(await rotateRow(straggler, user!.sessionsValidAfter)).toBe('stale');
  });

  it('never moves the clock back', async () => {
    const username = await newUser();
    await deps.users.endSessionsBefore(username, Date.now() + 60_000);
    const later = (await deps.users.findUser(username))!.sessionsValidAfter;
    await deps.users.endSessionsBefore(username, Date.now());
    expect((await deps.users.findUser(username))!.sessionsValidAfter).toBe(later);
  });
});

describe('the session routes', () => {
  let list: HttpHandler;
  let end: HttpHandler;

  beforeAll(async () => {
    // Only the table settings: these functions get no token settings and no keys.
    useEnvironment(db);
    list = (await import('../../functions/sessions')).handler;
    end = (await import('../../functions/end-sessions')).handler;
  });

  it('lists with the authorizer’s context as API Gateway passes it (strings), marking the current session', async () => {
    const username = await newUser();
    const row = await family(username, 1);
    const response = await call(
      list,
      authorizedGet({
        identity: username,
        fresh: 'false',
        sid: row.familyId,
        authTime: String(row.authTime),
        issuedAt: String(nowSeconds()),
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    expect(response.json).toEqual({
      sessions: [
        {
          id: row.familyId,
          created_at: new Date(row.createdAt * 1000).toISOString(),
          last_used_at: new Date(row.rotatedAt * 1000).toISOString(),
          expires_at: new Date(row.expiresAt * 1000).toISOString(),
          ip: '198.51.100.7',
          user_agent: 'test-agent',
          current: true,
        },
      ],
    });
  });

  it('answers a bad cursor with 400 and a clear msg', async () => {
    const event = authorizedGet({ identity: await newUser() });
    const response = await call(list, { ...event, queryStringParameters: { cursor: 'garbage!' } });
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({ msg: 'Invalid cursor' });
  });

  it('ends one session by path id, and all without one', async () => {
    const username = await newUser();
    const [one, two] = [await family(username, 2), await family(username, 1)];
    const context = { identity: username, fresh: 'true', issuedAt: String(now()) };
    const ended = await call(end, { ...authorizedGet(context), httpMethod: 'DELETE', pathParameters: { id: one.familyId } });
    expect(ended.statusCode).toBe(200);
    expect(ended.json).toEqual({ msg: 'Session ended' });
    const missing = await call(end, { ...authorizedGet(context), httpMethod: 'DELETE', pathParameters: { id: one.familyId } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json).toEqual({ msg: 'Session not found' });
    const all = await call(end, { ...authorizedGet(context), httpMethod: 'DELETE' });
    expect(all.json).toEqual({ msg: 'All sessions ended', ended: 1 });
    expect((await deps.families.get(two.familyId))?.status).toBe('revoked');
  });
});

describe('the family store, page by page', () => {
  /** One user's families, newest login first: live, revoked, live, live. */
  async function interleaved() {
    const username = await newUser();
    const rows = [
      await family(username, 0),
      await family(username, 2, { status: 'revoked' }),
      await family(username, 4),
      await family(username, 6),
    ];
    return { username, live: [rows[0]!, rows[2]!, rows[3]!].map((row) => row.familyId) };
  }
  const page = (username: string, limit: number, loggedInAfterMs = 0) =>
    deps.families.listLive(username, { limit, now: now(), loggedInAfterMs });
  const ids = (listed: { families: { familyId: string }[] }) => listed.families.map((row) => row.familyId);

  it('reads on past the rows its filter drops until one more than asked for turns up, so `more` is exact', async () => {
    const { username, live } = await interleaved();
    const two = await page(username, 2);
    expect(ids(two)).toEqual(live.slice(0, 2));
    expect(two.more).toBe(true);
    const one = await page(username, 1);
    expect(ids(one)).toEqual(live.slice(0, 1));
    expect(one.more).toBe(true);
    const all = await page(username, 3);
    expect(ids(all)).toEqual(live);
    expect(all.more).toBe(false);
  });

  it('says no more when exactly the asked-for number is live', async () => {
    const username = await newUser();
    const rows = [await family(username, 0), await family(username, 2, { status: 'revoked' }), await family(username, 4)];
    const listed = await page(username, 2);
    expect(ids(listed)).toEqual([rows[0]!.familyId, rows[2]!.familyId]);
    expect(listed.more).toBe(false);
  });

  it('judges a row without createdAtMs by its second against the clock, in the listing and in a rotation', async () => {
    const username = await newUser();
    const old = await family(username, 10, { createdAtMs: undefined });
    const clockInItsSecond = old.createdAt * 1000 + 500;
    expect(ids(await page(username, 5, clockInItsSecond))).toEqual([]);
    expect(ids(await page(username, 5, clockInItsSecond - 1000))).toEqual([old.familyId]);
    expect(await rotateRow(old, clockInItsSecond)).toBe('stale');
    expect(await rotateRow(old, clockInItsSecond - 1000)).toBe('rotated');
  });
});
