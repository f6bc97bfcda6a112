import { decodeJwt } from 'jose';
import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureTables, readTableDefinitions, readTableNames, startDynalite } from '../../scripts/local-db';
import {
  issueFreshAccessToken,
  issueTokenPair,
  revokeSession,
  rotateRefreshToken,
  type SessionDeps,
} from '../../src/sessions/session-service';
import { createDynamoFamilyStore } from '../../src/sessions/dynamo-family-store';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import { createDynamoLoginAttempts } from '../../src/users/login-attempts';
import { addUser, disableUser, enableUser } from '../../src/users/user-admin';
import { startTestDatabase, type TestDatabase } from '../helpers/local-stack';
import { flaskToken } from '../helpers/flask-tokens';
import { fakeDateOnly } from '../helpers/hand-clock';
import { TEST_ENV, TEST_SCRYPT, testConfig, testIssuer, testVerifier } from '../helpers/test-config';
import { adminDeps } from '../helpers/users';
import { rejectionCode as codeOf } from '../helpers/error-code';

// Rotation rules against a real DynamoDB API (dynalite) through the real SDK.

let db: TestDatabase;
/** The test database through the real SDK: what the stores use, and what `editRow` writes with. */
let client: DynamoDBDocumentClient;

/** Where the test's requests come from. */
const CLIENT = { ip: '192.0.2.10', userAgent: 'jest' };

function authDeps(graceSeconds: number, freshWindowSeconds = 0, config = testConfig()): SessionDeps {
  return {
    users: createDynamoUserStore(client, db.env.USERS_TABLE),
    families: createDynamoFamilyStore(client, db.env.FAMILIES_TABLE),
    attempts: createDynamoLoginAttempts(client, db.env.LOGIN_ATTEMPTS_TABLE, {
      maxFailures: 5,
      maxFailuresPerUser: 100,
      maxFailuresPerAddress: 1000,
      windowSeconds: 900,
    }),
    issuer: testIssuer(config),
    verifier: testVerifier(config),
    refreshReuseGraceSeconds: graceSeconds,
    freshWindowSeconds,
    sessionMaxLifetimeSeconds: config.sessionMaxLifetimeSeconds,
    csrfClaims: false,
    scrypt: TEST_SCRYPT,
  };
}

let userCount = 0;
async function loggedIn(deps: SessionDeps): Promise<string> {
  userCount += 1;
  const credentials = { username: `user-${userCount}`, password: 'a-good-password' };
  await addUser(adminDeps(db), credentials.username, credentials.password);
  return (await issueTokenPair(deps, credentials, CLIENT)).refreshToken;
}

/** A user logged in where tokens are flask-jwt-extended's (a Flask app's tokens are accepted): the deps and the name. */
async function flaskUser(): Promise<{ deps: SessionDeps; username: string }> {
  const deps = authDeps(0, 0, testConfig({ TOKEN_FORMAT: 'flask-jwt-extended' }));
  await loggedIn(deps);
  return { deps, username: `user-${userCount}` };
}

/** Edits a stored row directly: the shape an older version left, or what a missed write left. */
async function editRow(
  table: 'FAMILIES_TABLE' | 'USERS_TABLE',
  key: Record<string, string>,
  UpdateExpression: string,
  values?: Record<string, unknown>,
): Promise<void> {
  await client.send(new UpdateCommand({ TableName: db.env[table], Key: key, UpdateExpression, ExpressionAttributeValues: values }));
}

beforeAll(async () => {
  db = await startTestDatabase();
  client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
});

afterAll(async () => {
  client.destroy();
  await db.close();
});

afterEach(() => jest.useRealTimers());

/** Moves the clock (Date only: the SDK's own timers keep running) forward by `ms`. */
function advanceClock(ms: number): void {
  const now = Date.now();
  fakeDateOnly();
  jest.setSystemTime(now + ms);
}

describe('refresh-token rotation', () => {
  it('without a grace window, revokes the family when the previous token comes back', async () => {
    const deps = authDeps(0);
    const first = await loggedIn(deps);
    const second = (await rotateRefreshToken(deps, first, CLIENT)).refreshToken;
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
    expect(await codeOf(rotateRefreshToken(deps, second, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('within the grace window, answers a retry with the very successor the lost response carried', async () => {
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    const lost = await rotateRefreshToken(deps, first, CLIENT);
    const retried = await rotateRefreshToken(deps, first, CLIENT);
    // Byte for byte the same refresh token (HS256 is deterministic); a new access token.
    expect(retried.refreshToken).toBe(lost.refreshToken);
    // The family rotated once: the successor now rotates normally, and the old token is reuse.
    const third = (await rotateRefreshToken(deps, retried.refreshToken, CLIENT)).refreshToken;
    expect(third).not.toBe(retried.refreshToken);
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
    expect(await codeOf(rotateRefreshToken(deps, third, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('counts the window from the one rotation: replays never extend it', async () => {
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    const successor = (await rotateRefreshToken(deps, first, CLIENT)).refreshToken;
    for (let i = 0; i < 3; i++) {
      advanceClock(4_000);
      if (i < 2) expect((await rotateRefreshToken(deps, first, CLIENT)).refreshToken).toBe(successor);
      else expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
    }
  });

  it('gives 20 concurrent refreshes of one token one and the same successor', async () => {
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    const results = await Promise.all(Array.from({ length: 20 }, () => rotateRefreshToken(deps, first, CLIENT)));
    expect(new Set(results.map((result) => result.refreshToken)).size).toBe(1);
    expect(new Set(results.map((result) => result.accessToken)).size).toBeGreaterThan(1);
    await expect(rotateRefreshToken(deps, results[0]!.refreshToken, CLIENT)).resolves.toMatchObject({ sub: expect.any(String) });
  });

  it('reads families written before successors were kept as strict: a retry is reuse', async () => {
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    const { fam } = await deps.verifier.verifyRefreshToken(first);
    await rotateRefreshToken(deps, first, CLIENT);
    // An old-shaped row: no currentIat / currentExp.
    await editRow('FAMILIES_TABLE', { familyId: fam! }, 'REMOVE currentIat, currentExp');
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
  });

  it('after the grace window, treats the previous token as reuse', async () => {
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    const second = (await rotateRefreshToken(deps, first, CLIENT)).refreshToken;
    advanceClock(11_000);
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
    expect(await codeOf(rotateRefreshToken(deps, second, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('never accepts a token two rotations old, even within the grace window', async () => {
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    const second = (await rotateRefreshToken(deps, first, CLIENT)).refreshToken;
    await rotateRefreshToken(deps, second, CLIENT);
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
  });

  it('rejects a validly signed token of a family that does not exist', async () => {
    const deps = authDeps(0);
    await loggedIn(deps);
    const forged = await deps.issuer.issueRefreshToken(`user-${userCount}`, {
      fam: 'no-such-family',
      jti: 'x',
      authTime: Math.floor(Date.now() / 1000),
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 60,
    });
    expect(await codeOf(rotateRefreshToken(deps, forged, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('rejects a token whose family belongs to another user', async () => {
    const deps = authDeps(0);
    const token = await loggedIn(deps);
    const { fam, jti, auth_time } = await deps.verifier.verifyRefreshToken(token);
    await loggedIn(deps);
    const stolen = await deps.issuer.issueRefreshToken(`user-${userCount}`, {
      fam: fam!,
      jti,
      authTime: auth_time!,
      iat: auth_time!,
      exp: auth_time! + 60,
    });
    expect(await codeOf(rotateRefreshToken(deps, stolen, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    // The family's owner is unaffected.
    expect((await rotateRefreshToken(deps, token, CLIENT)).refreshToken).toEqual(expect.any(String));
  });

  it('slides the family expiry forward on each rotation', async () => {
    const deps = authDeps(0);
    const first = await loggedIn(deps);
    const fam = (await deps.verifier.verifyRefreshToken(first)).fam!;
    const before = await deps.families.get(fam);
    advanceClock(5000);
    const next = await deps.verifier.verifyRefreshToken((await rotateRefreshToken(deps, first, CLIENT)).refreshToken);
    const after = await deps.families.get(fam);
    expect(after!.expiresAt).toBeGreaterThan(before!.expiresAt);
    expect(after!.expiresAt).toBe(next.exp);
    expect(after).toMatchObject({ currentJti: next.jti, authTime: before!.authTime });
  });

  it('never lets a session outlive SESSION_MAX_LIFETIME from its login, however often it refreshes', async () => {
    const config = testConfig({ REFRESH_TOKEN_TTL: '60', SESSION_MAX_LIFETIME: '100' });
    const deps = authDeps(0, 0, config);
    let token = await loggedIn(deps);
    const { auth_time: login, fam } = await deps.verifier.verifyRefreshToken(token);
    for (let i = 0; i < 3; i++) {
      advanceClock(30_000);
      token = (await rotateRefreshToken(deps, token, CLIENT)).refreshToken;
      const { exp } = await deps.verifier.verifyRefreshToken(token);
      expect(exp).toBeLessThanOrEqual(login! + 100);
      expect((await deps.families.get(fam!))!.expiresAt).toBe(exp);
    }
    // 90 s after login: the last token ends with the session, at login + 100.
    expect((await deps.verifier.verifyRefreshToken(token)).exp).toBe(login! + 100);
    advanceClock(11_000);
    expect(await codeOf(rotateRefreshToken(deps, token, CLIENT))).toMatch(/ERR_TOKEN_EXPIRED|ERR_REFRESH_TOKEN_REVOKED/);
  });
});

describe('freshness as time', () => {
  it('with a fresh window, logs in "fresh until" now + window; a refresh keeps auth_time and is not fresh', async () => {
    const deps = authDeps(0, 600);
    userCount += 1;
    const credentials = { username: `user-${userCount}`, password: 'a-good-password' };
    await addUser(adminDeps(db), credentials.username, credentials.password);
    const { accessToken: access_token, refreshToken: refresh_token } = await issueTokenPair(deps, credentials, CLIENT);
    const access = await deps.verifier.verifyAccessToken(access_token);
    expect(access.fresh).toBe(access.auth_time! + 600);
    const refreshed = await deps.verifier.verifyAccessToken((await rotateRefreshToken(deps, refresh_token, CLIENT)).accessToken);
    expect(refreshed).toMatchObject({ fresh: false, auth_time: access.auth_time });
  });

  it('says how the user authenticated (amr, acr) and carries it through refresh, as auth_time', async () => {
    const deps = authDeps(0);
    const first = await loggedIn(deps);
    const pwd = { amr: ['pwd'], acr: 'urn:fresh-token:acr:pwd' };
    expect(await deps.verifier.verifyRefreshToken(first)).toMatchObject(pwd);
    const rotated = await rotateRefreshToken(deps, first, CLIENT);
    expect(await deps.verifier.verifyAccessToken(rotated.accessToken)).toMatchObject({ fresh: false, ...pwd });
    expect(await deps.verifier.verifyRefreshToken(rotated.refreshToken)).toMatchObject(pwd);
  });
});

describe('flask-jwt-extended compatibility', () => {
  it('exchanges a Flask refresh token once for a family of ours; a second use is reuse', async () => {
    const { deps } = await flaskUser();
    const legacy = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: `user-${userCount}` });
    const first = await rotateRefreshToken(deps, legacy, CLIENT);
    const next = await deps.verifier.verifyRefreshToken(first.refreshToken);
    expect(next.fam).toMatch(/^legacy-/);
    // flask-jwt-extended has no amr/acr: compatibility mode writes none.
    expect(next).not.toHaveProperty('acr');
    expect(next).not.toHaveProperty('amr');
    expect((await rotateRefreshToken(deps, first.refreshToken, CLIENT)).refreshToken).toEqual(expect.any(String));
    expect(await codeOf(rotateRefreshToken(deps, legacy, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
  });

  it('logs out a Flask refresh token for good, before or after it was exchanged', async () => {
    const { deps } = await flaskUser();
    const never = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: `user-${userCount}` });
    await revokeSession(deps, never);
    expect(await codeOf(rotateRefreshToken(deps, never, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    const exchanged = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: `user-${userCount}` });
    const ours = (await rotateRefreshToken(deps, exchanged, CLIENT)).refreshToken;
    await revokeSession(deps, exchanged);
    expect(await codeOf(rotateRefreshToken(deps, ours, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('records an exchanged Flask token as the family’s first rotation, its login at the Flask token’s iat; a logout says logout', async () => {
    const { deps, username } = await flaskUser();
    const flask = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username });
    const { jti, iat } = decodeJwt(flask);
    const ours = (await rotateRefreshToken(deps, flask, CLIENT)).refreshToken;
    const family = await deps.families.get(`legacy-${jti}`);
    expect(family).toMatchObject({
      username,
      previousJti: jti,
      status: 'active',
      createdAtMs: iat! * 1000,
      ip: CLIENT.ip,
      userAgent: CLIENT.userAgent,
    });
    expect((await deps.verifier.verifyRefreshToken(ours)).fam).toBe(`legacy-${jti}`);
    await revokeSession(deps, ours);
    expect(await deps.families.get(`legacy-${jti}`)).toMatchObject({ status: 'revoked', revokedReason: 'logout' });
    // One never exchanged is marked as logged out, under the id an exchange would have used.
    const never = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username });
    await revokeSession(deps, never);
    expect(await deps.families.get(`legacy-${decodeJwt(never).jti}`)).toMatchObject({ status: 'revoked', revokedReason: 'logout' });
    // And one exchanged first, then logged out by its Flask token: the exchanged family ends.
    const again = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username });
    await rotateRefreshToken(deps, again, CLIENT);
    await revokeSession(deps, again);
    expect(await deps.families.get(`legacy-${decodeJwt(again).jti}`)).toMatchObject({ status: 'revoked', revokedReason: 'logout' });
  });
});

describe('rotation edges, on a clock pinned to whole seconds', () => {
  /** A second boundary a few seconds ahead, so every step below lands in a known second. */
  const pinned = (): number => {
    const at = (Math.ceil(Date.now() / 1000) + 5) * 1000;
    fakeDateOnly();
    jest.setSystemTime(at);
    return at;
  };
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => err as Error & { code: string },
    );

  it('without a grace window, a replay in the same second is reuse: the answer and the row say so', async () => {
    pinned();
    const deps = authDeps(0);
    const first = await loggedIn(deps);
    await rotateRefreshToken(deps, first, CLIENT);
    expect(await failureOf(rotateRefreshToken(deps, first, CLIENT))).toMatchObject({
      code: 'ERR_REFRESH_TOKEN_REUSED',
      message: 'Refresh token reuse detected; the session has been revoked',
    });
    const { fam } = await deps.verifier.verifyRefreshToken(first);
    expect(await deps.families.get(fam!)).toMatchObject({ status: 'revoked', revokedReason: 'reuse' });
    expect(await failureOf(rotateRefreshToken(deps, first, CLIENT))).toMatchObject({
      code: 'ERR_REFRESH_TOKEN_REVOKED',
      message: 'Refresh token has been revoked',
    });
  });

  it('answers a replay with the same successor up to the grace window’s last second, and as reuse one second later', async () => {
    const at = pinned();
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    const next = (await rotateRefreshToken(deps, first, CLIENT)).refreshToken;
    jest.setSystemTime(at + 10_000);
    expect((await rotateRefreshToken(deps, first, CLIENT)).refreshToken).toBe(next);
    jest.setSystemTime(at + 11_000);
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
  });

  it('answers as reuse, inside the window, a token two rotations back, and one from a row that kept no successor', async () => {
    pinned();
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    const second = (await rotateRefreshToken(deps, first, CLIENT)).refreshToken;
    await rotateRefreshToken(deps, second, CLIENT);
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REUSED');
    for (const attribute of ['currentIat', 'currentExp']) {
      const token = await loggedIn(deps);
      await rotateRefreshToken(deps, token, CLIENT);
      const { fam } = await deps.verifier.verifyRefreshToken(token);
      await editRow('FAMILIES_TABLE', { familyId: fam! }, `REMOVE ${attribute}`);
      expect([attribute, await codeOf(rotateRefreshToken(deps, token, CLIENT))]).toEqual([attribute, 'ERR_REFRESH_TOKEN_REUSED']);
    }
  });

  it('gives no successor again from a family whose row has expired, even inside the window', async () => {
    const at = pinned();
    const deps = authDeps(10);
    const first = await loggedIn(deps);
    await rotateRefreshToken(deps, first, CLIENT);
    const { fam } = await deps.verifier.verifyRefreshToken(first);
    await editRow('FAMILIES_TABLE', { familyId: fam! }, 'SET expiresAt = :at', { ':at': at / 1000 + 2 });
    jest.setSystemTime(at + 2_000);
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('ends a session at its maximum lifetime to the second, however long its refresh token has left', async () => {
    const at = pinned();
    const deps = { ...authDeps(0), sessionMaxLifetimeSeconds: 60 };
    const first = await loggedIn(deps);
    const spare = await issueTokenPair(deps, { username: `user-${userCount}`, password: 'a-good-password' }, CLIENT);
    jest.setSystemTime(at + 59_000);
    const rotated = await rotateRefreshToken(deps, first, CLIENT);
    // The successor lives no longer than the session.
    expect((await deps.verifier.verifyRefreshToken(rotated.refreshToken)).exp).toBe(at / 1000 + 60);
    jest.setSystemTime(at + 60_000);
    expect(await failureOf(rotateRefreshToken(deps, spare.refreshToken, CLIENT))).toMatchObject({
      code: 'ERR_REFRESH_TOKEN_REVOKED',
      message: 'Session has reached its maximum lifetime; log in again',
    });
  });

  it('checks the CSRF value when given one, on refresh and on logout', async () => {
    const deps = { ...authDeps(0), csrfClaims: true };
    const first = await loggedIn(deps);
    expect(await codeOf(rotateRefreshToken(deps, first, CLIENT, { header: 'not-it' }))).toBe('ERR_CSRF_MISMATCH');
    expect(await codeOf(revokeSession(deps, first, { header: undefined }))).toBe('ERR_CSRF_MISSING');
    const { csrf } = await deps.verifier.verifyRefreshToken(first);
    const next = await rotateRefreshToken(deps, first, CLIENT, { header: csrf });
    expect(next.refreshCsrf).toBe((await deps.verifier.verifyRefreshToken(next.refreshToken)).csrf);
    expect(next.accessCsrf).toBe((await deps.verifier.verifyAccessToken(next.accessToken)).csrf);
    await expect(revokeSession(deps, next.refreshToken, { header: next.refreshCsrf })).resolves.toEqual({ sub: `user-${userCount}` });
  });

  it('ends the session of a user whose row is gone, and marks one the disable missed as ended by it', async () => {
    const deps = authDeps(0);
    const gone = await loggedIn(deps);
    await client.send(new DeleteCommand({ TableName: db.env.USERS_TABLE, Key: { username: `user-${userCount}` } }));
    expect(await codeOf(rotateRefreshToken(deps, gone, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    // Disabled in the users table alone (the revoke-all did not reach this row): refresh marks it.
    const missed = await loggedIn(deps);
    await deps.users.setDisabled(`user-${userCount}`, true, Date.now());
    expect(await codeOf(rotateRefreshToken(deps, missed, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    const { fam } = await deps.verifier.verifyRefreshToken(missed);
    expect(await deps.families.get(fam!)).toMatchObject({ status: 'revoked', revokedReason: 'user-disabled' });
  });

  it('ends a Flask token’s session when its user is gone, or changed the password after it before the clock existed', async () => {
    const at = pinned();
    const { deps, username } = await flaskUser();
    // A user stored before the revocation clock: no clock, only the second of the password change.
    await editRow('USERS_TABLE', { username }, 'SET sessionsValidAfter = :zero, passwordChangedAt = :changed', {
      ':zero': 0,
      ':changed': at / 1000 + 1,
    });
    const before = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username, now: at / 1000 });
    expect(await codeOf(rotateRefreshToken(deps, before, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    jest.setSystemTime(at + 1_000);
    const after = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username, now: at / 1000 + 1 });
    await expect(rotateRefreshToken(deps, after, CLIENT)).resolves.toMatchObject({ sub: username });
    const nobody = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: 'nobody-by-this-name' });
    expect(await codeOf(rotateRefreshToken(deps, nobody, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('lets a fresh login sent with a Flask refresh token join no session, even when the token is required', async () => {
    const { deps, username } = await flaskUser();
    const flask = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username });
    const fresh = await issueFreshAccessToken(deps, { username, password: 'a-good-password' }, CLIENT, { token: flask, required: true });
    expect(await deps.verifier.verifyAccessToken(fresh.accessToken)).not.toHaveProperty('sid');
  });

  it('keeps a Flask token issued in the very millisecond the clock moved to dead, and logs one out with its iat as auth time', async () => {
    const at = pinned();
    const { deps, username } = await flaskUser();
    const flask = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username, now: at / 1000 });
    await deps.users.setPasswordHash(username, 'scrypt$10$8$1$c2FsdA==$aGFzaA==', at);
    expect(await codeOf(rotateRefreshToken(deps, flask, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    const other = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username, now: at / 1000 });
    await expect(revokeSession(deps, other)).resolves.toEqual({ sub: username });
    expect(await deps.families.get(`legacy-${decodeJwt(other).jti}`)).toMatchObject({ status: 'revoked', authTime: at / 1000 });
  });
});

describe('one revocation clock per user', () => {
  it('ends a session whose login raced a password change in the same second, even if the family row was missed', async () => {
    const deps = authDeps(0);
    const token = await loggedIn(deps);
    // The password changes a few milliseconds after the login, within the same second; the
    // revoke-all (an eventually consistent index) has not reached the family yet.
    await deps.users.setPasswordHash(`user-${userCount}`, 'scrypt$10$8$1$c2FsdA==$aGFzaA==', Date.now() + 1);
    expect(await codeOf(rotateRefreshToken(deps, token, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    // The row is marked on the way, for the record.
    const { fam } = await deps.verifier.verifyRefreshToken(token);
    expect(await deps.families.get(fam!)).toMatchObject({ status: 'revoked', revokedReason: 'password-changed' });
  });

  it('keeps a flask-jwt-extended token that was never exchanged dead after disable and enable', async () => {
    const { deps, username } = await flaskUser();
    const never = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username });
    advanceClock(1500);
    await disableUser(adminDeps(db), username);
    await enableUser(adminDeps(db), username);
    expect(await codeOf(rotateRefreshToken(deps, never, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    // A Flask token issued after the disable works.
    advanceClock(1500);
    const later = await flaskToken(TEST_ENV.JWT_SECRET, 'refresh', { sub: username });
    await expect(rotateRefreshToken(deps, later, CLIENT)).resolves.toMatchObject({ sub: username });
  });

  it('reads users and families stored before the clock existed with safe defaults', async () => {
    const deps = authDeps(0);
    const token = await loggedIn(deps);
    const { fam } = await deps.verifier.verifyRefreshToken(token);
    await editRow('FAMILIES_TABLE', { familyId: fam! }, 'REMOVE createdAtMs, currentIat, currentExp');
    await editRow('USERS_TABLE', { username: `user-${userCount}` }, 'REMOVE sessionsValidAfter');
    await expect(rotateRefreshToken(deps, token, CLIENT)).resolves.toMatchObject({ sub: `user-${userCount}` });
  });
});

describe('the local database', () => {
  it('keeps users and families across a restart when it has a data folder', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'fresh-token-data-'));
    try {
      const first = await startDynalite({ dataPath });
      await ensureTables(first.endpoint, await readTableDefinitions('local'));
      const before = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: first.endpoint });
      const { USERS_TABLE } = await readTableNames('local');
      await createDynamoUserStore(before, USERS_TABLE).createUser('persisted', 'scrypt$10$8$1$c2FsdA==$aGFzaA==', 1);
      before.destroy();
      await first.close();

      const second = await startDynalite({ dataPath });
      await ensureTables(second.endpoint, await readTableDefinitions('local'));
      const again = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: second.endpoint });
      await expect(createDynamoUserStore(again, USERS_TABLE).findUser('persisted')).resolves.toMatchObject({ username: 'persisted' });
      again.destroy();
      await second.close();
    } finally {
      rmSync(dataPath, { recursive: true, force: true });
    }
  });
});

describe('login lockout', () => {
  const attempts = () =>
    createDynamoLoginAttempts(client, db.env.LOGIN_ATTEMPTS_TABLE, {
      maxFailures: 2,
      maxFailuresPerUser: 3,
      maxFailuresPerAddress: 1000,
      windowSeconds: 900,
    });
  const now = 1_800_000_100;

  it('refuses one address after its allowance, while another address still gets through', async () => {
    const lockout = attempts();
    const stranger = { username: 'lock-1', ip: '198.51.100.1' };
    await lockout.reserve(stranger, now);
    await lockout.reserve(stranger, now);
    expect(await codeOf(lockout.reserve(stranger, now))).toBe('ERR_TOO_MANY_ATTEMPTS');
    await expect(lockout.reserve({ username: 'lock-1', ip: '198.51.100.2' }, now)).resolves.toBeUndefined();
  });

  it('caps a user across addresses; attempts refused at an address do not count toward the cap', async () => {
    const lockout = attempts();
    const first = { username: 'lock-2', ip: '198.51.100.1' };
    for (let i = 0; i < 5; i++) await lockout.reserve(first, now).catch(() => undefined);
    await lockout.reserve({ username: 'lock-2', ip: '198.51.100.2' }, now);
    const refused = await lockout.reserve({ username: 'lock-2', ip: '198.51.100.3' }, now).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'ERR_TOO_MANY_ATTEMPTS', retryAfterSeconds: 900 - (now % 900) });
  });

  it('takes a successful login’s attempt back, so the cap counts failures only', async () => {
    const lockout = attempts();
    for (let i = 0; i < 10; i++) {
      const source = { username: 'lock-3', ip: `198.51.100.${i}` };
      await lockout.reserve(source, now);
      await lockout.clear(source, now);
    }
    await expect(lockout.reserve({ username: 'lock-3', ip: '198.51.100.99' }, now)).resolves.toBeUndefined();
  });

  it('brakes one address across usernames: failures with unknown and malformed usernames count toward its own limit', async () => {
    const deps: SessionDeps = {
      ...authDeps(0),
      attempts: createDynamoLoginAttempts(client, db.env.LOGIN_ATTEMPTS_TABLE, {
        maxFailures: 5,
        maxFailuresPerUser: 100,
        maxFailuresPerAddress: 3,
        windowSeconds: 900,
      }),
    };
    await addUser(adminDeps(db), 'brake-user', 'brake-password-1');
    const sprayer = { ip: '203.0.113.7', userAgent: 'jest' };
    // A login that succeeds takes its own attempt back from the address too.
    await issueTokenPair(deps, { username: 'brake-user', password: 'brake-password-1' }, sprayer);
    for (const username of ['nobody-1', 'nobody-2', 'has space']) {
      expect(await codeOf(issueTokenPair(deps, { username, password: 'guess-1' }, sprayer))).toBe('ERR_BAD_CREDENTIALS');
    }
    // Each failure spent one scrypt; the next attempt from that address, whatever the name, is refused before any.
    expect(await codeOf(issueTokenPair(deps, { username: 'not/well formed', password: 'guess-2' }, sprayer))).toBe('ERR_TOO_MANY_ATTEMPTS');
    expect(await codeOf(issueTokenPair(deps, { username: 'brake-user', password: 'brake-password-1' }, sprayer))).toBe(
      'ERR_TOO_MANY_ATTEMPTS',
    );
    await expect(issueTokenPair(deps, { username: 'brake-user', password: 'brake-password-1' }, CLIENT)).resolves.toBeDefined();
  });
});
