import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { loadPasskeyConfig } from '../../src/config/config';
import { createDynamoChallengeStore } from '../../src/passkeys/challenge-store';
import { createDynamoPasskeyStore } from '../../src/passkeys/passkey-store';
import {
  finishRegistration,
  listPasskeys,
  removePasskey,
  startAssertion,
  startRegistration,
  type PasskeyDeps,
} from '../../src/passkeys/passkey-service';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../src/passkeys/webauthn';
import { passkeyProof } from '../../src/sessions/passkey-sessions';
import { createDynamoFamilyStore } from '../../src/sessions/dynamo-family-store';
import {
  issueFreshAccessTokenBy,
  issueTokenPair,
  issueTokenPairBy,
  rotateRefreshToken,
  type SessionDeps,
} from '../../src/sessions/session-service';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { logger } from '../../src/platform/logger';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import { createDynamoLoginAttempts } from '../../src/users/login-attempts';
import { addUser, disableUser } from '../../src/users/user-admin';
import { rejectionCode as codeOf } from '../helpers/error-code';
import { fakeDateOnly, midAttemptWindow } from '../helpers/hand-clock';
import { startTestDatabase, useEnvironment, type TestDatabase } from '../helpers/local-stack';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { TEST_ENV, TEST_SCRYPT, testConfig, testIssuer, testVerifier } from '../helpers/test-config';
import { adminDeps } from '../helpers/users';

// Passkeys against a real DynamoDB API (dynalite) with real WebAuthn data from a software
// authenticator (real ES256 keys, CBOR, signatures): @simplewebauthn/server verifies it as it would
// a browser's.

let db: TestDatabase;
let deps: PasskeyDeps & SessionDeps;
const CLIENT = { ip: '192.0.2.20', userAgent: 'jest' };
const PHR = { acr: 'urn:fresh-token:acr:phr' };
const now = () => Math.floor(Date.now() / 1000);
/** The account writer of a token just issued to `username`. */
const writer = (username: string) => ({ username, sinceMs: Date.now() });
/** The passkeys GET /me/passkeys shows a token just issued to `username`. */
const listed = (username: string) => listPasskeys(deps, { username, issuedAt: now() });

function buildDeps(maxFailures = 5, maxFailuresPerAddress = 100): PasskeyDeps & SessionDeps {
  const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
  const settings = loadPasskeyConfig({ ...TEST_ENV, ...db.env });
  const config = testConfig();
  return {
    settings,
    passkeys: createDynamoPasskeyStore(client, settings.passkeysTable),
    challenges: createDynamoChallengeStore(client, settings.passkeyChallengesTable),
    users: createDynamoUserStore(client, db.env.USERS_TABLE),
    families: createDynamoFamilyStore(client, db.env.FAMILIES_TABLE),
    attempts: createDynamoLoginAttempts(client, db.env.LOGIN_ATTEMPTS_TABLE, {
      maxFailures,
      maxFailuresPerUser: 100,
      maxFailuresPerAddress,
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
}

let userCount = 0;
/** A new user, logged in with the password: its username and refresh token. */
async function newUser(): Promise<{ username: string; refreshToken: string }> {
  userCount += 1;
  const credentials = { username: `passkey-user-${userCount}`, password: 'a-good-password' };
  await addUser(adminDeps(db), credentials.username, credentials.password);
  return { username: credentials.username, refreshToken: (await issueTokenPair(deps, credentials, CLIENT)).refreshToken };
}

/** Registers `authenticator` for `username` through the two registration steps. */
async function register(username: string, authenticator: SoftAuthenticator, name?: string) {
  const options = await startRegistration(deps, writer(username), now());
  const credential = authenticator.create(options) as unknown as RegistrationResponseJSON;
  return finishRegistration(deps, writer(username), { credential, name }, CLIENT, now());
}

/** An assertion for a step-up by `username` (or a login, without one). */
async function assert(authenticator: SoftAuthenticator, username?: string, overrides: { signCount?: number } = {}) {
  const options = await startAssertion(deps, username, now());
  return authenticator.get(options, overrides) as unknown as AuthenticationResponseJSON;
}

const stepUp = (assertion: AuthenticationResponseJSON, session?: string) =>
  issueFreshAccessTokenBy(
    deps,
    passkeyProof(deps, assertion, 'step-up', CLIENT),
    session === undefined ? undefined : { token: session, required: true },
  );

beforeAll(async () => {
  db = await startTestDatabase();
  useEnvironment(db); // the log level, among others
  deps = buildDeps();
});

afterAll(async () => {
  await db.close();
});

afterEach(() => jest.useRealTimers());

/** The audit lines (warnings go to stderr) written while `run` runs. */
async function auditLinesOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  logger.setLogLevel('WARN');
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(chunk.toString());
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
    logger.setLogLevel('SILENT');
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.audit === true);
}

describe('registering passkeys', () => {
  it('stores a verified passkey with its backup state and lists it; the challenge is gone', async () => {
    const { username } = await newUser();
    const synced = new SoftAuthenticator({ backedUp: true, counter: false });
    const options = await startRegistration(deps, writer(username), now());
    expect(options).toMatchObject({
      rp: { id: 'localhost' },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const credential = synced.create(options) as unknown as RegistrationResponseJSON;
    const record = await finishRegistration(deps, writer(username), { credential, name: 'Laptop' }, CLIENT, now());
    expect(record).toMatchObject({ credentialId: synced.credentialId, username, backedUp: true, name: 'Laptop' });
    expect(await listed(username)).toEqual([expect.objectContaining({ credentialId: synced.credentialId })]);
    // The same response again: its challenge was consumed.
    expect(await codeOf(finishRegistration(deps, writer(username), { credential, name: undefined }, CLIENT, now()))).toBe(
      'ERR_CHALLENGE_INVALID',
    );
  });

  it('refuses a wrong origin, a wrong RP ID and a missing user verification, storing nothing', async () => {
    const { username } = await newUser();
    for (const settings of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { userVerified: false }]) {
      expect(await codeOf(register(username, new SoftAuthenticator(settings)))).toBe('ERR_PASSKEY_REGISTRATION_REJECTED');
    }
    expect(await listed(username)).toEqual([]);
  });

  it.each([
    ['crossOrigin true, no topOrigin', { crossOrigin: true }],
    ['crossOrigin the string "true"', { crossOrigin: 'true' }],
    ['a topOrigin without crossOrigin', { crossOrigin: undefined, topOrigin: 'https://evil.example' }],
  ])('refuses a response from a page embedded in another origin (%s), storing nothing', async (_label, settings) => {
    const { username } = await newUser();
    const embedded = new SoftAuthenticator(settings);
    const refusal = await register(username, embedded).catch((err: unknown) => err as Error & { code?: string });
    expect(refusal).toMatchObject({ code: 'ERR_PASSKEY_REGISTRATION_REJECTED', cause: 'cross-origin response' });
    expect(await listed(username)).toEqual([]);
  });

  it('takes only a challenge handed out to the same user', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const options = await startRegistration(deps, writer(alice.username), now());
    const credential = new SoftAuthenticator().create(options) as unknown as RegistrationResponseJSON;
    expect(await codeOf(finishRegistration(deps, writer(bob.username), { credential, name: undefined }, CLIENT, now()))).toBe(
      'ERR_CHALLENGE_INVALID',
    );
  });

  it('removes a passkey of the caller; another user’s id is the same 404 as an unknown one', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const key = new SoftAuthenticator();
    await register(alice.username, key);
    expect(await codeOf(removePasskey(deps, writer(bob.username), key.credentialId, CLIENT))).toBe('ERR_PASSKEY_NOT_FOUND');
    expect(await codeOf(removePasskey(deps, writer(bob.username), 'no-such-id', CLIENT))).toBe('ERR_PASSKEY_NOT_FOUND');
    await removePasskey(deps, writer(alice.username), key.credentialId, CLIENT);
    expect(await listed(alice.username)).toEqual([]);
  });
});

describe('stepping up with a passkey', () => {
  it('gives a fresh, phishing-resistant token that joins the session; the session keeps its own amr through refresh', async () => {
    const { username, refreshToken } = await newUser();
    const key = new SoftAuthenticator();
    await register(username, key);
    const options = await startAssertion(deps, username, now());
    expect(options.allowCredentials).toEqual([{ id: key.credentialId, type: 'public-key', transports: ['internal'] }]);
    const { accessToken } = await stepUp(key.get(options) as unknown as AuthenticationResponseJSON, refreshToken);
    const claims = await deps.verifier.verifyAccessToken(accessToken);
    expect(claims).toMatchObject({ sub: username, fresh: true, amr: ['hwk', 'user'], ...PHR, sid: expect.any(String) });
    // A refresh carries the login's amr/acr (the password's), not the step-up's.
    const refreshed = await rotateRefreshToken(deps, refreshToken, CLIENT);
    expect(await deps.verifier.verifyAccessToken(refreshed.accessToken)).toMatchObject({ fresh: false, amr: ['pwd'] });
    const [stored] = await listed(username);
    expect(stored).toMatchObject({ counter: 1, lastUsedAt: expect.any(Number) });
  });

  it('says swk for a synced passkey', async () => {
    const { username } = await newUser();
    const synced = new SoftAuthenticator({ backedUp: true, counter: false });
    await register(username, synced);
    const { accessToken } = await stepUp(await assert(synced, username));
    expect(await deps.verifier.verifyAccessToken(accessToken)).toMatchObject({ amr: ['swk', 'user'], ...PHR });
  });

  it('refuses a replayed assertion: its challenge was used', async () => {
    const { username } = await newUser();
    const synced = new SoftAuthenticator({ backedUp: true, counter: false });
    await register(username, synced);
    const assertion = await assert(synced, username);
    await stepUp(assertion);
    expect(await codeOf(stepUp(assertion))).toBe('ERR_CHALLENGE_INVALID');
  });

  it('refuses an expired challenge (checked in code; TTL deletes late)', async () => {
    const { username } = await newUser();
    const key = new SoftAuthenticator();
    await register(username, key);
    const assertion = await assert(key, username);
    fakeDateOnly();
    jest.setSystemTime(Date.now() + 301_000);
    expect(await codeOf(stepUp(assertion))).toBe('ERR_CHALLENGE_INVALID');
  });

  it('refuses a signature counter that went back (a cloned key), after a good use', async () => {
    const { username } = await newUser();
    const key = new SoftAuthenticator();
    await register(username, key);
    await stepUp(await assert(key, username, { signCount: 5 }));
    expect(await codeOf(stepUp(await assert(key, username, { signCount: 5 })))).toBe('ERR_PASSKEY_REJECTED');
    expect(await codeOf(stepUp(await assert(key, username, { signCount: 3 })))).toBe('ERR_PASSKEY_REJECTED');
    await stepUp(await assert(key, username, { signCount: 6 }));
  });

  it('refuses another user’s challenge, an unknown passkey, a wrong origin or RP ID and no user verification', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const key = new SoftAuthenticator();
    await register(alice.username, key);
    expect(await codeOf(stepUp(await assert(key, bob.username)))).toBe('ERR_CHALLENGE_INVALID');
    expect(await codeOf(stepUp(await assert(new SoftAuthenticator(), alice.username)))).toBe('ERR_PASSKEY_REJECTED');
    // The same key pair seen through a phishing page, another RP, or without user verification.
    for (const setting of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { userVerified: false }]) {
      Object.assign(key.settings, setting);
      expect(await codeOf(stepUp(await assert(key, alice.username)))).toBe('ERR_PASSKEY_REJECTED');
      Object.assign(key.settings, { origin: 'http://localhost:3000', rpId: 'localhost', userVerified: true });
    }
  });

  it('refuses a step-up from a page embedded in another origin (crossOrigin true, no topOrigin)', async () => {
    const { username } = await newUser();
    const key = new SoftAuthenticator();
    await register(username, key);
    Object.assign(key.settings, { crossOrigin: true });
    const refusal = await stepUp(await assert(key, username)).catch((err: unknown) => err as Error & { code?: string });
    expect(refusal).toMatchObject({ code: 'ERR_PASSKEY_REJECTED', cause: 'cross-origin response' });
    Object.assign(key.settings, { crossOrigin: false });
    await expect(stepUp(await assert(key, username))).resolves.toBeDefined();
  });

  it('counts failed step-ups toward the login lockout, per address', async () => {
    midAttemptWindow(900);
    const strict = buildDeps(2);
    const { username } = await newUser();
    const key = new SoftAuthenticator();
    await register(username, key);
    Object.assign(key.settings, { origin: 'https://evil.example' });
    const fail = async () => issueFreshAccessTokenBy(strict, passkeyProof(strict, await assert(key, username), 'step-up', CLIENT));
    expect(await codeOf(fail())).toBe('ERR_PASSKEY_REJECTED');
    expect(await codeOf(fail())).toBe('ERR_PASSKEY_REJECTED');
    const audit = await auditLinesOf(async () => expect(await codeOf(fail())).toBe('ERR_TOO_MANY_ATTEMPTS'));
    // The audit line of a locked password login, saying it was a passkey; no credential material.
    expect(audit).toEqual([
      {
        level: 'WARN',
        message: 'login locked',
        timestamp: expect.any(String),
        service: expect.any(String),
        sampling_rate: 0,
        audit: true,
        outcome: 'ERR_TOO_MANY_ATTEMPTS',
        method: 'passkey',
        username,
        sourceIp: CLIENT.ip,
        userAgent: 'jest',
      },
    ]);
  });

  it('counts unknown passkeys against the address, so one address cannot probe credential ids without limit', async () => {
    midAttemptWindow(900);
    const strict = buildDeps(5, 2);
    const { username } = await newUser();
    const prober = { ip: '192.0.2.77', userAgent: 'jest' };
    const probe = async () =>
      issueFreshAccessTokenBy(strict, passkeyProof(strict, await assert(new SoftAuthenticator(), username), 'step-up', prober));
    expect(await codeOf(probe())).toBe('ERR_PASSKEY_REJECTED');
    expect(await codeOf(probe())).toBe('ERR_PASSKEY_REJECTED');
    const audit = await auditLinesOf(async () => expect(await codeOf(probe())).toBe('ERR_TOO_MANY_ATTEMPTS'));
    expect(audit).toMatchObject([{ message: 'login locked', method: 'passkey', username: '<unknown>', sourceIp: prober.ip }]);
  });
});

describe('logging in with a discoverable passkey', () => {
  it('gives a pair whose session carries the passkey’s acr through refresh; a step-up challenge does not do for a login', async () => {
    const { username } = await newUser();
    const key = new SoftAuthenticator();
    await register(username, key);
    const options = await startAssertion(deps, undefined, now());
    expect(options.allowCredentials).toEqual([]);
    const pair = await issueTokenPairBy(
      deps,
      passkeyProof(deps, key.get(options) as unknown as AuthenticationResponseJSON, 'login', CLIENT),
      CLIENT,
    );
    expect(await deps.verifier.verifyAccessToken(pair.accessToken)).toMatchObject({ sub: username, fresh: true, ...PHR });
    const refreshed = await rotateRefreshToken(deps, pair.refreshToken, CLIENT);
    expect(await deps.verifier.verifyAccessToken(refreshed.accessToken)).toMatchObject({ fresh: false, amr: ['hwk', 'user'], ...PHR });
    const stepUpAssertion = await assert(key, username);
    expect(await codeOf(issueTokenPairBy(deps, passkeyProof(deps, stepUpAssertion, 'login', CLIENT), CLIENT))).toBe(
      'ERR_CHALLENGE_INVALID',
    );
  });

  it('refuses the passkey of a disabled user, saying why in the cause (logged, never answered)', async () => {
    const { username } = await newUser();
    const key = new SoftAuthenticator();
    await register(username, key);
    await disableUser(adminDeps(db), username);
    const refusal = await passkeyProof(
      deps,
      key.get(await startAssertion(deps, undefined, now())) as unknown as AuthenticationResponseJSON,
      'login',
      CLIENT,
    )(now()).then(
      () => undefined,
      (err: unknown) => err as Error & { code?: string },
    );
    expect(refusal).toMatchObject({ code: 'ERR_PASSKEY_REJECTED', message: 'Passkey not accepted', cause: 'user disabled or removed' });
  });
});

describe('the challenge table', () => {
  it('keeps a challenge with its expiry (the TTL attribute), at most five minutes ahead', async () => {
    const { username } = await newUser();
    await startAssertion(deps, username, now());
    const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
    const { Items = [] } = await client.send(new ScanCommand({ TableName: db.env.PASSKEY_CHALLENGES_TABLE }));
    const mine = Items.filter((item) => item.username === username);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.expiresAt).toBeLessThanOrEqual(now() + 300);
  });
});
