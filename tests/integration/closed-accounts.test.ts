import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { identityContext } from '../../src/authorize/policy';
import type { HttpHandler } from '../../src/http/http-handler';
import { createDynamoChallengeStore } from '../../src/passkeys/challenge-store';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { createDynamoFamilyStore } from '../../src/sessions/dynamo-family-store';
import { issueFreshAccessToken, issueTokenPair, rotateRefreshToken, type SessionDeps } from '../../src/sessions/session-service';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import { createDynamoLoginAttempts } from '../../src/users/login-attempts';
import { addUser, deleteUser, disableUser, enableUser } from '../../src/users/user-admin';
import { rejectionCode } from '../helpers/error-code';
import { jsonPost } from '../helpers/events';
import { fakeDateOnly } from '../helpers/hand-clock';
import { call } from '../helpers/handlers';
import { startTestDatabase, useEnvironment, type TestDatabase } from '../helpers/local-stack';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { TEST_SCRYPT, testConfig, testIssuer, testVerifier } from '../helpers/test-config';
import { adminDeps, deleteDeps } from '../helpers/users';

// The outside probe's reproductions (issue 27), through the handlers with the context the
// authorizer gives a real token: a disabled, deleted or re-made account takes no write from a token
// issued before, and nothing planted comes back; a user never holds more than 20 passkeys.

const CLIENT = { ip: '192.0.2.40', userAgent: 'jest' };
const ENDED = { msg: 'Session has ended; log in again' };
const GONE = { msg: 'Account not found' };

let db: TestDatabase;
let client: DynamoDBDocumentClient;
let sessions: SessionDeps;
const routes: Record<'options' | 'add' | 'list' | 'stepUp' | 'email' | 'password' | 'end' | 'me' | 'sessions', HttpHandler> = {} as never;

beforeAll(async () => {
  db = await startTestDatabase();
  useEnvironment(db);
  client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
  const config = testConfig();
  sessions = {
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
    refreshReuseGraceSeconds: 0,
    freshWindowSeconds: 0,
    sessionMaxLifetimeSeconds: config.sessionMaxLifetimeSeconds,
    csrfClaims: false,
    scrypt: TEST_SCRYPT,
  };
  Object.assign(routes, {
    options: (await import('../../functions/passkey-options')).handler,
    add: (await import('../../functions/passkey-add')).handler,
    list: (await import('../../functions/passkeys')).handler,
    stepUp: (await import('../../functions/step-up-options')).handler,
    email: (await import('../../functions/me-email')).handler,
    password: (await import('../../functions/me-password')).handler,
    end: (await import('../../functions/end-sessions')).handler,
    me: (await import('../../functions/me')).handler,
    sessions: (await import('../../functions/sessions')).handler,
  });
});

afterAll(async () => {
  client.destroy();
  await db.close();
});

afterEach(() => jest.useRealTimers());

let userCount = 0;
async function newUser() {
  userCount += 1;
  const user = { username: `closed-${userCount}`, password: `closed-passphrase-${userCount}` };
  await addUser(adminDeps(db), user.username, user.password);
  return user;
}

/** The authorizer's context for an access token, as any-valid and fresh-only pass it on. */
async function contextOf(accessToken: string): Promise<Record<string, unknown>> {
  return { ...identityContext(await sessions.verifier.verifyAccessToken(accessToken), Math.floor(Date.now() / 1000)) };
}

/** A request behind an authorizer that allowed `context`. */
function request(
  context: Record<string, unknown>,
  method: string,
  body?: unknown,
  pathParameters?: Record<string, string>,
): APIGatewayProxyEvent {
  const event = jsonPost(body ?? {});
  return {
    ...event,
    httpMethod: method,
    pathParameters: pathParameters ?? null,
    requestContext: { ...event.requestContext, authorizer: context },
  };
}

/** Every account write of the probe, with the caller's token, and what each answered. */
async function everyWrite(context: Record<string, unknown>, pending: { credential: Record<string, unknown> }, password: string) {
  const answers = [
    await call(routes.options, request(context, 'POST')),
    await call(routes.add, request(context, 'POST', pending)),
    await call(routes.email, request(context, 'PUT', { email: 'planted@example.com' })),
    await call(routes.password, request(context, 'PUT', { current_password: password, new_password: 'planted-passphrase-9' })),
    await call(routes.end, request(context, 'DELETE')),
  ];
  if (typeof context.sid === 'string') answers.push(await call(routes.end, request(context, 'DELETE', undefined, { id: context.sid })));
  return answers.map(({ statusCode, json }) => ({ statusCode, json }));
}

/** Registration options for the caller, and a credential a software authenticator made for them. */
async function pendingRegistration(context: Record<string, unknown>, authenticator = new SoftAuthenticator()) {
  const options = await call(routes.options, request(context, 'POST'));
  expect(options.statusCode).toBe(200);
  return { credential: authenticator.create(options.json as { challenge: string }) };
}

/** How many passkeys GET /me/passkeys lists to a token of the account issued now. */
async function passkeysOf(username: string) {
  const context = { identity: username, fresh: 'false', issuedAt: String(Math.floor(Date.now() / 1000)) };
  const listed = await call(routes.list, request(context, 'GET'));
  return (listed.json.passkeys as unknown[]).length;
}

/** What the account's read routes (GET /me, /sessions, /me/passkeys) answer the caller. */
async function everyRead(context: Record<string, unknown>) {
  const answers = [
    await call(routes.me, request(context, 'GET')),
    await call(routes.sessions, request(context, 'GET')),
    await call(routes.list, request(context, 'GET')),
  ];
  return answers.map(({ statusCode, json }) => ({ statusCode, json }));
}

describe('an account that takes no writes from a token issued before', () => {
  it('a disable: every write is 401 and writes nothing; enabling brings back no passkey, e-mail or password', async () => {
    const user = await newUser();
    const { accessToken } = await issueTokenPair(sessions, user, CLIENT);
    const context = await contextOf(accessToken);
    const pending = await pendingRegistration(context);
    await disableUser(adminDeps(db), user.username);

    const answers = await everyWrite(context, pending, user.password);
    // The password route answers a disabled user as a login does.
    expect(answers.filter((_, i) => i !== 3)).toEqual(answers.filter((_, i) => i !== 3).map(() => ({ statusCode: 401, json: ENDED })));
    expect(answers[3]).toEqual({ statusCode: 401, json: { msg: 'Bad username or password' } });

    await enableUser(adminDeps(db), user.username);
    expect(await passkeysOf(user.username)).toBe(0);
    const row = await sessions.users.findUser(user.username);
    expect(row).toMatchObject({ passkeyCount: 0 });
    expect(row?.email).toBeUndefined();
    await expect(issueTokenPair(sessions, user, CLIENT)).resolves.toBeDefined();
    // The token from before the disable still writes nothing after the enable (the clock moved past it).
    expect((await call(routes.email, request(context, 'PUT', { email: 'late@example.com' }))).json).toEqual(ENDED);
  });

  it('a delete: every write is 404 while the name is free, and 401 once it is added again, which starts from nothing', async () => {
    const user = await newUser();
    const pair = await issueTokenPair(sessions, user, CLIENT);
    const outside = await issueFreshAccessToken(sessions, user, CLIENT);
    const [context, freshContext] = [await contextOf(pair.accessToken), await contextOf(outside.accessToken)];
    const pending = await pendingRegistration(context);
    await deleteUser(deleteDeps(db), user.username);

    for (const ctx of [context, freshContext]) {
      for (const answer of (await everyWrite(ctx, pending, user.password)).filter((_, i) => i !== 3)) {
        expect(answer).toEqual({ statusCode: 404, json: GONE });
      }
    }

    // Added again a second later: the old tokens belong to the earlier account.
    fakeDateOnly();
    jest.setSystemTime(Date.now() + 1500);
    await addUser(adminDeps(db), user.username, 'a-new-owners-passphrase');
    for (const ctx of [context, freshContext]) {
      const answers = await everyWrite(ctx, await pendingRegistrationRefused(ctx), 'a-new-owners-passphrase');
      expect(answers.filter((_, i) => i !== 3)).toEqual(answers.filter((_, i) => i !== 3).map(() => ({ statusCode: 401, json: ENDED })));
      expect(answers[3]!.statusCode).toBe(401);
    }
    expect(await passkeysOf(user.username)).toBe(0);
    expect(await sessions.users.findUser(user.username)).toMatchObject({ passkeyCount: 0, sessionsValidAfter: 0 });
    expect(await rejectionCode(rotateRefreshToken(sessions, pair.refreshToken, CLIENT))).toBe('ERR_REFRESH_TOKEN_REVOKED');
  });

  it('a disable, or a delete and re-add: the old token removes no passkey, neither its own account’s nor the new owner’s', async () => {
    const remove = (await import('../../functions/passkey-remove')).handler;
    const user = await newUser();
    const context = await contextOf((await issueTokenPair(sessions, user, CLIENT)).accessToken);
    const key = new SoftAuthenticator();
    expect((await call(routes.add, request(context, 'POST', await pendingRegistration(context, key)))).statusCode).toBe(201);
    await disableUser(adminDeps(db), user.username);
    expect(await call(remove, request(context, 'DELETE', undefined, { id: key.credentialId }))).toMatchObject({
      statusCode: 401,
      json: ENDED,
    });
    await enableUser(adminDeps(db), user.username);
    expect(await passkeysOf(user.username)).toBe(1);

    // Deleted, then the name added again: the new owner's passkey is out of the old token's reach.
    await deleteUser(deleteDeps(db), user.username);
    fakeDateOnly();
    jest.setSystemTime(Date.now() + 1500);
    await addUser(adminDeps(db), user.username, 'a-new-owners-passphrase');
    const owner = await contextOf(
      (await issueTokenPair(sessions, { username: user.username, password: 'a-new-owners-passphrase' }, CLIENT)).accessToken,
    );
    const ownersKey = new SoftAuthenticator();
    expect((await call(routes.add, request(owner, 'POST', await pendingRegistration(owner, ownersKey)))).statusCode).toBe(201);
    expect(await call(remove, request(context, 'DELETE', undefined, { id: ownersKey.credentialId }))).toMatchObject({
      statusCode: 401,
      json: ENDED,
    });
    expect(await passkeysOf(user.username)).toBe(1);
  });

  it('a disable, or a delete and re-add: the old token reads nothing of the account (profile, sessions, passkeys)', async () => {
    const user = await newUser();
    const context = await contextOf((await issueTokenPair(sessions, user, CLIENT)).accessToken);
    expect((await everyRead(context)).map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
    await disableUser(adminDeps(db), user.username);
    expect(await everyRead(context)).toEqual([0, 1, 2].map(() => ({ statusCode: 401, json: ENDED })));
    await enableUser(adminDeps(db), user.username);
    await deleteUser(deleteDeps(db), user.username);
    expect(await everyRead(context)).toEqual([
      { statusCode: 404, json: GONE },
      { statusCode: 200, json: { sessions: [] } },
      { statusCode: 404, json: GONE },
    ]);

    // The name added again a second later, and its new owner logged in with a passkey and a session.
    fakeDateOnly();
    jest.setSystemTime(Date.now() + 1500);
    await addUser(adminDeps(db), user.username, 'a-new-owners-passphrase');
    await issueTokenPair(sessions, { username: user.username, password: 'a-new-owners-passphrase' }, CLIENT);
    const owner = await contextOf(
      (await issueTokenPair(sessions, { username: user.username, password: 'a-new-owners-passphrase' }, CLIENT)).accessToken,
    );
    expect((await call(routes.add, request(owner, 'POST', await pendingRegistration(owner)))).statusCode).toBe(201);
    expect(await everyRead(context)).toEqual([0, 1, 2].map(() => ({ statusCode: 401, json: ENDED })));
    const ownersView = await everyRead(owner);
    expect(ownersView.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
    expect((ownersView[1]!.json.sessions as unknown[]).length).toBe(2);
    expect((ownersView[2]!.json.passkeys as unknown[]).length).toBe(1);
  });

  it('a re-add without a delete in between is refused, so an old token meets a new account only after a delete', async () => {
    const user = await newUser();
    await expect(addUser(adminDeps(db), user.username, 'another-passphrase-1')).rejects.toThrow('already exists');
  });

  it('a token of a name with no row plants nothing: the passkey, its options and the e-mail are 404; a later add starts from nothing', async () => {
    const username = `closed-ghost-${(userCount += 1)}`;
    const context = { identity: username, fresh: 'true', issuedAt: Math.floor(Date.now() / 1000), jti: 'j', expiresAt: 0 };
    // A challenge for that name, as the options route handed one out before it checked the account.
    const challenges = createDynamoChallengeStore(client, db.env.PASSKEY_CHALLENGES_TABLE);
    const challenge = Buffer.alloc(32, userCount).toString('base64url');
    await challenges.issue(challenge, 'register', username, Math.floor(Date.now() / 1000) + 300);
    const key = new SoftAuthenticator();
    const answers = await everyWrite(context, { credential: key.create({ challenge }) }, 'whatever-it-is');
    expect(answers.filter((_, i) => i !== 3)).toEqual(answers.filter((_, i) => i !== 3).map(() => ({ statusCode: 404, json: GONE })));
    fakeDateOnly();
    jest.setSystemTime(Date.now() + 1500);
    await addUser(adminDeps(db), username, 'the-real-owners-passphrase');
    expect(await passkeysOf(username)).toBe(0);
  });

  it('a password change keeps the caller’s own session writing, and ends the others’', async () => {
    const user = await newUser();
    const [mine, other] = [await issueTokenPair(sessions, user, CLIENT), await issueTokenPair(sessions, user, CLIENT)];
    const [context, otherContext] = [await contextOf(mine.accessToken), await contextOf(other.accessToken)];
    const changed = await call(
      routes.password,
      request(context, 'PUT', { current_password: user.password, new_password: 'changed-passphrase-7' }),
    );
    expect(changed.statusCode).toBe(200);
    expect((await call(routes.email, request(context, 'PUT', { email: 'mine@example.com' }))).statusCode).toBe(200);
    expect((await call(routes.email, request(otherContext, 'PUT', { email: 'theirs@example.com' }))).json).toEqual(ENDED);
    expect((await call(routes.options, request(otherContext, 'POST'))).json).toEqual(ENDED);
  });
});

/** Options refused to a token of an earlier account: a credential made for a challenge of its own. */
async function pendingRegistrationRefused(context: Record<string, unknown>) {
  expect((await call(routes.options, request(context, 'POST'))).statusCode).toBe(401);
  const challenge = Buffer.alloc(32, 7).toString('base64url');
  return { credential: new SoftAuthenticator().create({ challenge }) };
}

describe('the passkey limit', () => {
  it('holds where passkeys are stored: of 30 registrations at once, 20 are stored and 10 refused', async () => {
    const user = await newUser();
    const context = await contextOf((await issueTokenPair(sessions, user, CLIENT)).accessToken);
    const pending = [];
    for (let i = 0; i < 30; i++) pending.push(await pendingRegistration(context));
    const answers = await Promise.all(pending.map((body) => call(routes.add, request(context, 'POST', body))));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses).toEqual([...Array<number>(20).fill(201), ...Array<number>(10).fill(400)]);
    for (const refused of answers.filter((answer) => answer.statusCode === 400)) {
      expect(refused.json).toEqual({ msg: 'Passkey registration not accepted' });
    }
    expect(await passkeysOf(user.username)).toBe(20);
    expect(await sessions.users.findUser(user.username)).toMatchObject({ passkeyCount: 20 });
    expect((await call(routes.options, request(context, 'POST'))).statusCode).toBe(400);
  });

  it('a removed passkey gives its slot back', async () => {
    const user = await newUser();
    const context = await contextOf((await issueTokenPair(sessions, user, CLIENT)).accessToken);
    const key = new SoftAuthenticator();
    expect((await call(routes.add, request(context, 'POST', await pendingRegistration(context, key)))).statusCode).toBe(201);
    const remove = (await import('../../functions/passkey-remove')).handler;
    expect((await call(remove, request(context, 'DELETE', undefined, { id: key.credentialId }))).statusCode).toBe(200);
    expect(await sessions.users.findUser(user.username)).toMatchObject({ passkeyCount: 0 });
  });

  it('lists every passkey, and a step-up allows every one, for a user who got more than 20 before the limit held', async () => {
    const user = await newUser();
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 23; i++) {
      await client.send(
        new PutCommand({
          TableName: db.env.PASSKEYS_TABLE,
          Item: {
            credentialId: `planted-${userCount}-${i}`,
            username: user.username,
            publicKey: new Uint8Array([1]),
            counter: 0,
            createdAt: now + i,
          },
        }),
      );
    }
    // A row from before the count was kept.
    await client.send(new PutCommand({ TableName: db.env.USERS_TABLE, Item: await rawUser(user.username) }));
    const context = await contextOf((await issueTokenPair(sessions, user, CLIENT)).accessToken);
    expect(await passkeysOf(user.username)).toBe(23);
    const stepUp = await call(routes.stepUp, request(context, 'POST'));
    expect((stepUp.json.allowCredentials as unknown[]).length).toBe(23);
    expect((await call(routes.options, request(context, 'POST'))).statusCode).toBe(400);
  });
});

describe('the largest valid registration', () => {
  it('fits the passkey route’s body limit: a 1023-byte credential id with an RSA-4096 key is stored (it was 413)', async () => {
    const user = await newUser();
    const context = await contextOf((await issueTokenPair(sessions, user, CLIENT)).accessToken);
    const big = new SoftAuthenticator({}, { idBytes: 1023, rsaBits: 4096 });
    const body = { ...(await pendingRegistration(context, big)), name: 'A key with the longest id' };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(4096);
    const added = await call(routes.add, request(context, 'POST', body));
    expect(added.statusCode).toBe(201);
    expect(added.json).toMatchObject({ passkey: { id: big.credentialId } });
  });
});

/** The user's row as stored, without its passkey count. */
async function rawUser(username: string): Promise<Record<string, unknown>> {
  const { Item } = await client.send(new GetCommand({ TableName: db.env.USERS_TABLE, Key: { username } }));
  const { passkeyCount: _dropped, ...rest } = Item ?? {};
  return rest;
}
