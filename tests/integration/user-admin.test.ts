import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoChallengeStore } from '../../src/passkeys/challenge-store';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { logger } from '../../src/platform/logger';
import { createDynamoLoginAttempts } from '../../src/users/login-attempts';
import {
  addUser,
  changePassword,
  deleteUser,
  disableUser,
  enableUser,
  listUsers,
  setEmail,
  userListLine,
} from '../../src/users/user-admin';
import { verifyPassword } from '../../src/users/password';
import { startTestDatabase, type TestDatabase } from '../helpers/local-stack';
import { adminDeps, deleteDeps } from '../helpers/users';

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase();
});

afterAll(async () => {
  await db.close();
});

describe('user administration', () => {
  it('stores a salted scrypt hash with its parameters, never the password', async () => {
    await addUser(adminDeps(db), 'olga', 'olga-password-1');
    const user = await adminDeps(db).users.findUser('olga');
    expect(user?.passwordHash).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(user?.passwordHash).not.toContain('olga-password-1');
    await expect(verifyPassword('olga-password-1', user!.passwordHash)).resolves.toBe(true);
    expect(user).toMatchObject({ disabled: false, createdAt: expect.any(Number), passwordChangedAt: user?.createdAt });
  });

  it('refuses a taken username, a bad username and a password the policy refuses, naming the rule', async () => {
    await addUser(adminDeps(db), 'pia', 'pia-password-1');
    await expect(addUser(adminDeps(db), 'pia', 'another-password')).rejects.toThrow('user "pia" already exists');
    await expect(addUser(adminDeps(db), 'has space', 'long-enough-1')).rejects.toThrow('username must be');
    await expect(addUser(adminDeps(db), 'quinn', 'short')).rejects.toThrow(
      'Password must be at least 8 characters (--force sets it anyway)',
    );
    await expect(addUser(adminDeps(db), 'quinn', 'Password1')).rejects.toThrow('Password is too common');
    await expect(addUser(adminDeps(db), 'quinn-the-user', 'QUINN-THE-USER')).rejects.toThrow('Password must not be the username');
    await expect(changePassword(adminDeps(db), 'pia', 'iloveyou')).rejects.toThrow('Password is too common');
    expect(await adminDeps(db).users.findUser('quinn')).toBeUndefined();
  });

  it('lets an admin force a password past the policy, never past the length cap', async () => {
    await addUser(adminDeps(db), 'demo', 'demo', { force: true });
    await expect(verifyPassword('demo', (await adminDeps(db).users.findUser('demo'))!.passwordHash)).resolves.toBe(true);
    await expect(changePassword(adminDeps(db), 'demo', 'x'.repeat(1025), { force: true })).rejects.toThrow(
      'password must be 1 to 1024 characters',
    );
    await expect(changePassword(adminDeps(db), 'demo', '\ud800'.repeat(8), { force: true })).rejects.toThrow(
      'password must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)',
    );
  });

  it('sets an e-mail address as the API does: validated, lower-cased, listed', async () => {
    await addUser(adminDeps(db), 'sue', 'sue-password-1');
    expect(await setEmail(adminDeps(db), 'sue', ' Sue@Example.COM ')).toBe('sue@example.com');
    await expect(setEmail(adminDeps(db), 'sue', 'not-an-address')).rejects.toThrow('Invalid e-mail address');
    await expect(setEmail(adminDeps(db), 'ghost', 'g@example.com')).rejects.toThrow('no user "ghost"');
    expect((await listUsers(adminDeps(db))).find((user) => user.username === 'sue')).toMatchObject({ email: 'sue@example.com' });
  });

  it('reports unknown users instead of creating them', async () => {
    await expect(disableUser(adminDeps(db), 'ghost')).rejects.toThrow('no user "ghost"');
    await expect(enableUser(adminDeps(db), 'ghost')).rejects.toThrow('no user "ghost"');
    await expect(changePassword(adminDeps(db), 'ghost', 'ghost-password')).rejects.toThrow('no user "ghost"');
    expect(await adminDeps(db).users.findUser('ghost')).toBeUndefined();
  });

  it('disables and re-enables, and lists users without their hashes', async () => {
    await addUser(adminDeps(db), 'ron', 'ron-password-1');
    await disableUser(adminDeps(db), 'ron');
    expect((await adminDeps(db).users.findUser('ron'))?.disabled).toBe(true);
    await enableUser(adminDeps(db), 'ron');
    const listed = await listUsers(adminDeps(db));
    expect(listed.find((user) => user.username === 'ron')).toMatchObject({ disabled: false });
    expect(JSON.stringify(listed)).not.toContain('scrypt$');
  });

  it('lists a stored e-mail with control or format characters (a row from before they were refused) on one line, escaped', async () => {
    await addUser(adminDeps(db), 'tess', 'tess-password-1');
    // Straight into the store, as the API did before it refused these characters.
    const forged = '"x\r\nmallory\tenabled\tpassword set 2020-01-01T00:00:00.000Z\u202e\u0000\u{e0001}"@example.com';
    await adminDeps(db).users.setEmail('tess', forged, 1);
    const line = userListLine((await listUsers(adminDeps(db))).find((user) => user.username === 'tess')!);
    // Its only control characters are the three tabs between the columns.
    expect(line.replaceAll('\t', ' ')).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    expect(line.split('\t')).toEqual([
      'tess',
      '"x\\u000d\\u000amallory\\u0009enabled\\u0009password set 2020-01-01T00:00:00.000Z\\u202e\\u0000\\u{e0001}"@example.com',
      'enabled',
      expect.stringMatching(/^password set /),
    ]);
  });

  describe('deleting a user', () => {
    const now = () => Math.floor(Date.now() / 1000);
    /** A user with one of everything a delete removes: a passkey, a session, a challenge, attempt counts. */
    async function userWithEverything(username: string) {
      const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
      await addUser(adminDeps(db), username, `${username}-password-1`);
      await client.send(
        new PutCommand({
          TableName: db.env.PASSKEYS_TABLE,
          Item: { credentialId: `${username}-key`, username, publicKey: new Uint8Array([1]), counter: 0, createdAt: now() },
        }),
      );
      await adminDeps(db).families.create({
        familyId: `${username}-session`,
        username,
        currentJti: 'j',
        status: 'active',
        authTime: now(),
        createdAt: now(),
        createdAtMs: Date.now(),
        rotatedAt: now(),
        expiresAt: now() + 3600,
      });
      await createDynamoChallengeStore(client, db.env.PASSKEY_CHALLENGES_TABLE).issue(
        `${username}-challenge-0123`,
        'step-up',
        username,
        now() + 60,
      );
      const attempts = createDynamoLoginAttempts(client, db.env.LOGIN_ATTEMPTS_TABLE, {
        maxFailures: 5,
        maxFailuresPerUser: 5,
        maxFailuresPerAddress: 5,
        windowSeconds: 900,
      });
      await attempts.reserve({ username, ip: '192.0.2.1' }, now());
      return client;
    }

    /** Every item left in the five tables that names `username`. */
    async function leftovers(client: ReturnType<typeof createDocumentClient>, username: string): Promise<string[]> {
      const found: string[] = [];
      for (const table of [
        db.env.USERS_TABLE,
        db.env.PASSKEYS_TABLE,
        db.env.FAMILIES_TABLE,
        db.env.PASSKEY_CHALLENGES_TABLE,
        db.env.LOGIN_ATTEMPTS_TABLE,
      ]) {
        const { Items = [] } = await client.send(new ScanCommand({ TableName: table }));
        for (const item of Items) {
          if (item.username === username || String(item.attemptKey).split('#')[1] === username) found.push(table);
        }
      }
      return found;
    }

    it('removes the row, passkeys, sessions, challenges and attempt counts, writing one audit line; a later add starts from nothing', async () => {
      const client = await userWithEverything('uma');
      const lines: string[] = [];
      logger.setLogLevel('INFO');
      const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(chunk.toString());
        return true;
      });
      try {
        expect(await deleteUser(deleteDeps(db), 'uma')).toEqual({ user: true, passkeys: 1, sessions: 1, challenges: 1, attempts: 2 });
      } finally {
        spy.mockRestore();
        logger.setLogLevel('SILENT');
      }
      const audit = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.audit === true);
      expect(audit).toEqual([expect.objectContaining({ message: 'user deleted', username: 'uma', user: true, passkeys: 1, sessions: 1 })]);
      expect(await leftovers(client, 'uma')).toEqual([]);
      await expect(deleteUser(deleteDeps(db), 'uma')).rejects.toThrow('no user "uma"');
      await addUser(adminDeps(db), 'uma', 'uma-password-2');
      expect(await adminDeps(db).users.findUser('uma')).toMatchObject({ disabled: false, passkeyCount: 0, sessionsValidAfter: 0 });
    });

    it('stopped halfway, leaves the user disabled with the clock moved (nothing usable), and a re-run finishes', async () => {
      const client = await userWithEverything('vic');
      const before = Date.now();
      const deps = deleteDeps(db);
      const stopping = { ...deps, sweeps: { ...deps.sweeps, sessions: () => Promise.reject(new Error('connection lost')) } };
      await expect(deleteUser(stopping, 'vic')).rejects.toThrow('connection lost');
      const user = await adminDeps(db).users.findUser('vic');
      expect(user).toMatchObject({ disabled: true });
      expect(user!.sessionsValidAfter).toBeGreaterThanOrEqual(before);
      await expect(addUser(adminDeps(db), 'vic', 'vic-password-2')).rejects.toThrow('already exists');
      expect(await deleteUser(deps, 'vic')).toMatchObject({ user: true, passkeys: 0, sessions: 1, challenges: 1, attempts: 2 });
      expect(await leftovers(client, 'vic')).toEqual([]);
    });

    it('sweeps what a name with no row left behind, and refuses a name that cannot exist', async () => {
      const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
      await client.send(
        new PutCommand({
          TableName: db.env.PASSKEYS_TABLE,
          Item: { credentialId: 'nobody-key', username: 'nobody-here', publicKey: new Uint8Array([1]), counter: 0, createdAt: now() },
        }),
      );
      expect(await deleteUser(deleteDeps(db), 'nobody-here')).toMatchObject({ user: false, passkeys: 1 });
      await expect(deleteUser(deleteDeps(db), 'has space')).rejects.toThrow('username must be');
    });
  });
});
