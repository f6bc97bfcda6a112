import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import type { HttpHandler } from '../../src/http/http-handler';
import { changeEmail, changeOwnPassword, getProfile, type AccountDeps } from '../../src/sessions/account-service';
import { createDynamoFamilyStore } from '../../src/sessions/dynamo-family-store';
import type { Family } from '../../src/sessions/family-store';
import { issueFreshAccessToken, issueTokenPair, rotateRefreshToken, type SessionDeps } from '../../src/sessions/session-service';
import { passkeyAuthn, PASSWORD_AUTHN } from '../../src/tokens/authn';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import { createDynamoLoginAttempts } from '../../src/users/login-attempts';
import { addUser, disableUser, enableUser } from '../../src/users/user-admin';
import { rejectionCode } from '../helpers/error-code';
import { nowSeconds } from '../../src/platform/clock';
import { fakeDateOnly, midAttemptWindow } from '../helpers/hand-clock';
import { authorizedGet, jsonPost } from '../helpers/events';
import { call } from '../helpers/handlers';
import { startTestDatabase, useEnvironment, type TestDatabase } from '../helpers/local-stack';
import { TEST_SCRYPT, testConfig, testIssuer, testVerifier } from '../helpers/test-config';
import { adminDeps } from '../helpers/users';

// The account routes' rules against a real DynamoDB API (dynalite) through the real SDK.

const CLIENT = { ip: '192.0.2.20', userAgent: 'jest' };

let db: TestDatabase;
let client: DynamoDBDocumentClient;
let sessions: SessionDeps;
let account: AccountDeps;

beforeAll(async () => {
  db = await startTestDatabase();
  client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
  const config = testConfig();
  const stores = {
    users: createDynamoUserStore(client, db.env.USERS_TABLE),
    families: createDynamoFamilyStore(client, db.env.FAMILIES_TABLE),
    attempts: createDynamoLoginAttempts(client, db.env.LOGIN_ATTEMPTS_TABLE, {
      maxFailures: 3,
      maxFailuresPerUser: 100,
      maxFailuresPerAddress: 1000,
      windowSeconds: 900,
    }),
  };
  sessions = {
    ...stores,
    issuer: testIssuer(config),
    verifier: testVerifier(config),
    refreshReuseGraceSeconds: 0,
    freshWindowSeconds: 0,
    sessionMaxLifetimeSeconds: config.sessionMaxLifetimeSeconds,
    csrfClaims: false,
    scrypt: TEST_SCRYPT,
  };
  account = { ...stores, scrypt: TEST_SCRYPT };
});

afterAll(async () => {
  client.destroy();
  await db.close();
});

afterEach(() => jest.useRealTimers());

let userCount = 0;
async function newUser(prefix = 'acct') {
  userCount += 1;
  const user = { username: `${prefix}-${userCount}`, password: `first-passphrase-${userCount}` };
  await addUser(adminDeps(db), user.username, user.password);
  return user;
}

/** The caller of a fresh token just issued to `username`, outside a session. */
const writerOf = (username: string) => ({ username, fresh: true, issuedAt: Math.floor(Date.now() / 1000) });

const sidOf = async (accessToken: string) => (await sessions.verifier.verifyAccessToken(accessToken)).sid;

describe('changing one’s own password', () => {
  it('ends every other session; the caller’s own continues; the new password works, the old does not', async () => {
    const user = await newUser();
    const [mine, phone, tablet] = [
      await issueTokenPair(sessions, user, CLIENT),
      await issueTokenPair(sessions, user, CLIENT),
      await issueTokenPair(sessions, user, CLIENT),
    ];
    const caller = { username: user.username, fresh: true, sessionId: await sidOf(mine.accessToken) };
    const result = await changeOwnPassword(account, caller, { current: user.password, next: 'second-passphrase-here' }, CLIENT);
    expect(result).toEqual({ endedSessions: 2 });

    await expect(rotateRefreshToken(sessions, mine.refreshToken, CLIENT)).resolves.toMatchObject({ sub: user.username });
    for (const other of [phone, tablet]) {
      expect(await rejectionCode(rotateRefreshToken(sessions, other.refreshToken, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
    }
    expect(await rejectionCode(issueTokenPair(sessions, user, CLIENT))).toBe('ERR_BAD_CREDENTIALS');
    await expect(issueTokenPair(sessions, { ...user, password: 'second-passphrase-here' }, CLIENT)).resolves.toBeDefined();
  });

  it('marks the other sessions’ rows as ended by the password change, at the second it happened', async () => {
    const user = await newUser();
    const [mine, phone] = [await issueTokenPair(sessions, user, CLIENT), await issueTokenPair(sessions, user, CLIENT)];
    const caller = { username: user.username, fresh: true, sessionId: await sidOf(mine.accessToken) };
    const before = Math.floor(Date.now() / 1000);
    await changeOwnPassword(account, caller, { current: user.password, next: 'third-passphrase-here' }, CLIENT);
    const after = Math.ceil(Date.now() / 1000);
    const ended = (await account.families.get((await sidOf(phone.accessToken))!)) as Family & { revokedAt?: number };
    expect(ended).toMatchObject({ status: 'revoked', revokedReason: 'password-changed' });
    expect(ended.revokedAt).toBeGreaterThanOrEqual(before);
    expect(ended.revokedAt).toBeLessThanOrEqual(after);
    expect(await account.families.get(caller.sessionId!)).toMatchObject({ status: 'active' });
  });

  it('refuses a disabled user even with the right current password, and changes nothing', async () => {
    const user = await newUser();
    await disableUser(adminDeps(db), user.username);
    expect(
      await rejectionCode(
        changeOwnPassword(
          account,
          { username: user.username, fresh: true },
          { current: user.password, next: 'fourth-passphrase-1' },
          CLIENT,
        ),
      ),
    ).toBe('ERR_BAD_CREDENTIALS');
    await enableUser(adminDeps(db), user.username);
    await expect(issueTokenPair(sessions, user, CLIENT)).resolves.toBeDefined();
    expect(await rejectionCode(issueTokenPair(sessions, { ...user, password: 'fourth-passphrase-1' }, CLIENT))).toBe('ERR_BAD_CREDENTIALS');
  });

  it('ends every session, the caller’s too, when the token names none (a fresh login outside a session)', async () => {
    const user = await newUser();
    const only = await issueTokenPair(sessions, user, CLIENT);
    await changeOwnPassword(account, writerOf(user.username), { current: user.password, next: 'another-passphrase-1' }, CLIENT);
    expect(await rejectionCode(rotateRefreshToken(sessions, only.refreshToken, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('refuses a wrong current password as a failed login, counted toward the lockout', async () => {
    midAttemptWindow(900);
    const user = await newUser();
    const caller = { username: user.username, fresh: true };
    for (let i = 0; i < 3; i++) {
      expect(await rejectionCode(changeOwnPassword(account, caller, { current: 'not-it-at-all', next: 'new-passphrase-1' }, CLIENT))).toBe(
        'ERR_BAD_CREDENTIALS',
      );
    }
    expect(await rejectionCode(changeOwnPassword(account, caller, { current: user.password, next: 'new-passphrase-1' }, CLIENT))).toBe(
      'ERR_TOO_MANY_ATTEMPTS',
    );
  });

  it('refuses a weak new password, naming the rule, and changes nothing', async () => {
    const user = await newUser('a-longer-username');
    const caller = { username: user.username, fresh: true };
    for (const [next, rule] of [
      ['short', 'Password must be at least 8 characters'],
      [user.username, 'Password must not be the username'],
      [user.password, 'Password must differ from the current one'],
      ['qwertyuiop', 'Password is too common; choose a less predictable one'],
      // Full-width forms hash as "password123" (NFKC): the rules read that form too.
      ['ｐａｓｓｗｏｒｄ１２３', 'Password is too common; choose a less predictable one'],
      [
        user.password.replace(/[a-z0-9-]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)),
        'Password must differ from the current one',
      ],
    ] as const) {
      await expect(changeOwnPassword(account, caller, { current: user.password, next }, CLIENT)).rejects.toMatchObject({
        code: 'ERR_WEAK_PASSWORD',
        message: rule,
      });
    }
    await expect(issueTokenPair(sessions, user, CLIENT)).resolves.toBeDefined();
  });
});

describe('a fresh login inside a session', () => {
  it('gives the fresh token the session’s sid when sent the session’s refresh token', async () => {
    const user = await newUser();
    const pair = await issueTokenPair(sessions, user, CLIENT);
    const fresh = await issueFreshAccessToken(sessions, user, CLIENT, { token: pair.refreshToken, required: true });
    expect(await sidOf(fresh.accessToken)).toBe(await sidOf(pair.accessToken));
    expect(await sidOf((await issueFreshAccessToken(sessions, user, CLIENT)).accessToken)).toBeUndefined();
  });

  it('refuses another user’s session and one that has ended', async () => {
    const [user, other] = [await newUser(), await newUser()];
    const theirs = await issueTokenPair(sessions, other, CLIENT);
    expect(await rejectionCode(issueFreshAccessToken(sessions, user, CLIENT, { token: theirs.refreshToken, required: true }))).toBe(
      'ERR_TOKEN_INVALID',
    );
    const mine = await issueTokenPair(sessions, user, CLIENT);
    await sessions.families.revoke((await sessions.verifier.verifyRefreshToken(mine.refreshToken)).fam!, user.username, 'logout', 0);
    expect(await rejectionCode(issueFreshAccessToken(sessions, user, CLIENT, { token: mine.refreshToken, required: true }))).toBe(
      'ERR_REFRESH_TOKEN_REVOKED',
    );
    // Sent by the browser on its own (a stale refresh cookie): the login still succeeds, in no session.
    const lenient = await issueFreshAccessToken(sessions, user, CLIENT, { token: mine.refreshToken, required: false });
    expect(await sidOf(lenient.accessToken)).toBeUndefined();
  });

  it('says why another user’s session is refused (in the cause, for the log), and refuses one whose row is gone', async () => {
    const [user, other] = [await newUser(), await newUser()];
    const theirs = await issueTokenPair(sessions, other, CLIENT);
    const refused = await issueFreshAccessToken(sessions, user, CLIENT, { token: theirs.refreshToken, required: true }).catch(
      (err: unknown) => err as Error & { code: string },
    );
    expect(refused).toMatchObject({ code: 'ERR_TOKEN_INVALID', message: 'Invalid token', cause: 'session of another user' });
    // The row outlived by its token (DynamoDB's TTL deleted it): the session has ended.
    const mine = await issueTokenPair(sessions, user, CLIENT);
    await client.send(new DeleteCommand({ TableName: db.env.FAMILIES_TABLE, Key: { familyId: await sidOf(mine.accessToken) } }));
    expect(await rejectionCode(issueFreshAccessToken(sessions, user, CLIENT, { token: mine.refreshToken, required: true }))).toBe(
      'ERR_REFRESH_TOKEN_REVOKED',
    );
  });

  it('refuses a session whose row expires this very second, and joins one that expires the next', async () => {
    const user = await newUser();
    const mine = await issueTokenPair(sessions, user, CLIENT);
    const familyId = (await sidOf(mine.accessToken))!;
    const at = Math.ceil(Date.now() / 1000) + 5;
    fakeDateOnly();
    jest.setSystemTime(at * 1000);
    const expireAt = (second: number) =>
      client.send(
        new UpdateCommand({
          TableName: db.env.FAMILIES_TABLE,
          Key: { familyId },
          UpdateExpression: 'SET expiresAt = :at',
          ExpressionAttributeValues: { ':at': second },
        }),
      );
    await expireAt(at + 1);
    const joined = await issueFreshAccessToken(sessions, user, CLIENT, { token: mine.refreshToken, required: true });
    expect(await sidOf(joined.accessToken)).toBe(familyId);
    await expireAt(at);
    expect(await rejectionCode(issueFreshAccessToken(sessions, user, CLIENT, { token: mine.refreshToken, required: true }))).toBe(
      'ERR_REFRESH_TOKEN_REVOKED',
    );
  });

  it('hands back the access token’s CSRF value when tokens travel in cookies, and none otherwise', async () => {
    const user = await newUser();
    const plain = await issueFreshAccessToken(sessions, user, CLIENT);
    expect(Object.keys(plain).sort()).toEqual(['accessToken', 'sub']);
    const withCookies = await issueFreshAccessToken({ ...sessions, csrfClaims: true }, user, CLIENT);
    expect(withCookies.accessCsrf).toEqual(expect.any(String));
    expect((await sessions.verifier.verifyAccessToken(withCookies.accessToken)).csrf).toBe(withCookies.accessCsrf);
  });
});

describe('profile and e-mail', () => {
  it('shows the account, with the token’s freshness and auth_time, and a null-able e-mail', async () => {
    const user = await newUser();
    const authn = passkeyAuthn(false);
    const profile = await getProfile(account, {
      username: user.username,
      issuedAt: nowSeconds(),
      fresh: false,
      authTime: 1_800_000_000,
      authn,
    });
    expect(profile).toEqual({ username: user.username, createdAt: expect.any(Number), authTime: 1_800_000_000, fresh: false, authn });
    expect(await changeEmail(account, writerOf(user.username), 'New.Address@Example.org')).toBe('new.address@example.org');
    expect((await getProfile(account, { username: user.username, issuedAt: nowSeconds(), fresh: true, authn: PASSWORD_AUTHN })).email).toBe(
      'new.address@example.org',
    );
    expect(await rejectionCode(changeEmail(account, writerOf(user.username), 'nope'))).toBe('ERR_EMAIL_INVALID');
  });

  it('shows only the fields it knows: no e-mail, auth_time, fresh-until or expiry keys when there are none', async () => {
    const user = await newUser();
    const bare = await getProfile(account, { username: user.username, issuedAt: nowSeconds(), fresh: true, authn: PASSWORD_AUTHN });
    expect(Object.keys(bare).sort()).toEqual(['authn', 'createdAt', 'fresh', 'username']);
    await changeEmail(account, writerOf(user.username), 'someone@example.org');
    const full = await getProfile(account, {
      username: user.username,
      issuedAt: nowSeconds(),
      fresh: true,
      authTime: 1_800_000_000,
      freshUntil: 1_800_000_300,
      expiresAt: 1_800_000_900,
      authn: PASSWORD_AUTHN,
    });
    expect(full).toStrictEqual({
      username: user.username,
      email: 'someone@example.org',
      createdAt: bare.createdAt,
      authTime: 1_800_000_000,
      fresh: true,
      freshUntil: 1_800_000_300,
      expiresAt: 1_800_000_900,
      authn: PASSWORD_AUTHN,
    });
  });
});

describe('the account routes', () => {
  let me: HttpHandler;
  let meEmail: HttpHandler;
  let mePassword: HttpHandler;
  let login: HttpHandler;

  beforeAll(async () => {
    useEnvironment(db);
    login = (await import('../../functions/login')).handler;
    me = (await import('../../functions/me')).handler;
    meEmail = (await import('../../functions/me-email')).handler;
    mePassword = (await import('../../functions/me-password')).handler;
  });

  const loginHandler = () => login;
  const put = (context: Record<string, unknown>, body: unknown) => {
    const event = jsonPost(body);
    return { ...event, httpMethod: 'PUT', requestContext: { ...event.requestContext, authorizer: context } };
  };

  it('GET /me answers the documented shape, e-mail null until set', async () => {
    const user = await newUser();
    const response = await call(
      me,
      authorizedGet({ identity: user.username, fresh: 'true', authTime: '1800000000', issuedAt: String(nowSeconds()) }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      username: user.username,
      email: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      auth_time: 1800000000,
      fresh: true,
      fresh_until: null,
      expires_at: null,
      acr: 'urn:fresh-token:acr:pwd',
      amr: ['pwd'],
    });
    const stepped = await call(
      me,
      authorizedGet({
        identity: user.username,
        fresh: 'true',
        acr: 'urn:fresh-token:acr:phr',
        amr: 'hwk user',
        issuedAt: String(nowSeconds()),
      }),
    );
    expect(stepped.json).toMatchObject({ fresh: true, acr: 'urn:fresh-token:acr:phr', amr: ['hwk', 'user'] });
  });

  it('PUT /me/email stores the address and answers 400 with a clear msg for a bad one', async () => {
    const user = await newUser();
    const context = { identity: user.username, fresh: 'true', issuedAt: String(Math.floor(Date.now() / 1000)) };
    const ok = await call(meEmail, put(context, { email: 'Me@Example.com' }));
    expect(ok.json).toEqual({ msg: 'E-mail changed', email: 'me@example.com' });
    for (const [body, msg] of [
      [{ email: 'not-an-address' }, 'Invalid e-mail address'],
      [{ email: 42 }, '"email" must be a non-empty string'],
      [{}, '"email" must be a non-empty string'],
    ] as const) {
      const bad = await call(meEmail, put(context, body));
      expect(bad.statusCode).toBe(400);
      expect(bad.json).toEqual({ msg });
    }
  });

  it('GET /me and PUT /me/email answer 404 for a valid token whose user has no row (not migrated, or deleted), and write none', async () => {
    // As a flask-jwt-extended token of a user not yet moved here, or a token outliving its user.
    const ghost = { identity: 'not-migrated-yet', fresh: 'true' };
    for (const response of [await call(me, authorizedGet(ghost)), await call(meEmail, put(ghost, { email: 'ghost@example.com' }))]) {
      expect(response.statusCode).toBe(404);
      expect(response.json).toEqual({ msg: 'Account not found' });
    }
    expect(await account.users.findUser('not-migrated-yet')).toBeUndefined();
  });

  it('PUT /me/email refuses the outside probe’s quoted CR/LF address with 400 and keeps the stored one', async () => {
    const user = await newUser();
    const context = { identity: user.username, fresh: 'true', issuedAt: String(Math.floor(Date.now() / 1000)) };
    await call(meEmail, put(context, { email: 'kept@example.com' }));
    const forged = '"x\r\nmallory  enabled  (fake row)\r\nBcc: y@evil.example"@example.com';
    const refused = await call(meEmail, put(context, { email: forged }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json).toEqual({ msg: 'E-mail address must not contain control or invisible characters' });
    expect((await account.users.findUser(user.username))?.email).toBe('kept@example.com');
  });

  it('PUT /me/password accepts only a password that then logs in: 600 emoji and "abc" (1203 UTF-16 units)', async () => {
    const user = await newUser();
    const next = '😀'.repeat(600) + 'abc';
    const changed = await call(
      mePassword,
      put(
        { identity: user.username, fresh: 'true', issuedAt: String(Math.floor(Date.now() / 1000)) },
        { current_password: user.password, new_password: next },
      ),
    );
    expect(changed.statusCode).toBe(200);
    const loggedIn = await call(login, jsonPost({ username: user.username, password: next }));
    expect(loggedIn.statusCode).toBe(200);
  });

  it('answers the outside probe’s lone surrogates with 400, not 500, and stores none: e-mail, new password, login', async () => {
    const user = await newUser();
    const context = { identity: user.username, fresh: 'true', issuedAt: String(Math.floor(Date.now() / 1000)) };
    const raw = (body: string) => {
      const event = put(context, {});
      return { ...event, body };
    };
    const email = await call(meEmail, raw(String.raw`{"email":"a\ud800@example.com"}`));
    expect(email.statusCode).toBe(400);
    expect(email.json).toEqual({ msg: '"email" must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)' });
    const lone = String.raw`\ud800\ud801\ud802\ud803\udc00\udc01\udc02\udc03`;
    const password = await call(mePassword, raw(`{"current_password":${JSON.stringify(user.password)},"new_password":"${lone}"}`));
    expect(password.statusCode).toBe(400);
    expect(password.json).toEqual({ msg: '"new_password" must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)' });
    // What eight other lone surrogates, or U+FFFD eight times, would have been: not the password.
    for (const guess of [String.raw`\udbff\udbfe\udbfd\udbfc\udfff\udffe\udffd\udffc`, '\ufffd'.repeat(8)]) {
      const login = await call(loginHandler(), { ...jsonPost({}), body: `{"username":"${user.username}","password":"${guess}"}` });
      expect(login.statusCode).toBeGreaterThanOrEqual(400);
      expect(login.statusCode).toBeLessThan(500);
    }
    expect((await account.users.findUser(user.username))?.email).toBeUndefined();
    await expect(issueTokenPair(sessions, user, CLIENT)).resolves.toBeDefined();
  });

  it('PUT /me/password answers 401 for a wrong current password and 400 naming the rule for a weak one', async () => {
    const user = await newUser();
    const context = { identity: user.username, fresh: 'true', issuedAt: String(Math.floor(Date.now() / 1000)) };
    const wrong = await call(mePassword, put(context, { current_password: 'wrong-one-entirely', new_password: 'fine-new-passphrase' }));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json).toEqual({ msg: 'Bad username or password' });
    const weak = await call(mePassword, put(context, { current_password: user.password, new_password: 'password123' }));
    expect(weak.statusCode).toBe(400);
    expect(weak.json).toEqual({ msg: 'Password is too common; choose a less predictable one' });
    const missing = await call(mePassword, put(context, { current_password: user.password }));
    expect(missing.json).toEqual({ msg: '"new_password" must be a non-empty string' });
  });
});
