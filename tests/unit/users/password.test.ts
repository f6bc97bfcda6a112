import crypto from 'node:crypto';
import { loadStoreConfig } from '../../../src/config/config';
import { decoyHash, hashPassword, scryptParams, SCRYPT_DEFAULTS, verifyPassword } from '../../../src/users/password';

// Low cost keeps the unit suite fast; the stored parameters are what verify uses.
const CHEAP = { log2N: 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse', CHEAP);
    expect(stored).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    await expect(verifyPassword('correct horse', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horsf', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same', CHEAP)).not.toBe(await hashPassword('same', CHEAP));
  });

  it('hashes at OWASP strength by default', async () => {
    expect(await hashPassword('x')).toMatch(/^scrypt\$17\$8\$1\$/);
  });

  it('treats canonically equivalent Unicode passwords as the same', async () => {
    const stored = await hashPassword('caf\u00e9', CHEAP);
    await expect(verifyPassword('cafe\u0301', stored)).resolves.toBe(true);
  });

  it('hashes new passwords and the unknown-user decoy at the production cost unless a test sets it', async () => {
    // What a deployed function reads when PASSWORD_SCRYPT_LOG2N is unset.
    const deployed = loadStoreConfig({ STAGE: 'prod', USERS_TABLE: 'u', FAMILIES_TABLE: 'f', LOGIN_ATTEMPTS_TABLE: 'a' });
    expect(scryptParams(deployed.passwordScryptLog2N)).toEqual({ log2N: 17, r: 8, p: 1 });
    expect(scryptParams(deployed.passwordScryptLog2N)).toBe(SCRYPT_DEFAULTS);
    expect(await decoyHash()).toMatch(/^scrypt\$17\$8\$1\$/);
    expect(await decoyHash(scryptParams(10))).toMatch(/^scrypt\$10\$8\$1\$/);
    // No password opens the decoy, and asking twice gives the same one (made once per container).
    await expect(verifyPassword('', await decoyHash(scryptParams(10)))).resolves.toBe(false);
    expect(await decoyHash(scryptParams(10))).toBe(await decoyHash(scryptParams(10)));
  });

  it('spends the same scrypt work on an unknown user (the decoy) as on a real one, at the production cost', async () => {
    // Work, not wall time: scrypt's cost is fixed by N, r and p, which the stored strings carry.
    const real = await hashPassword('a real password', SCRYPT_DEFAULTS);
    const decoy = await decoyHash(SCRYPT_DEFAULTS);
    const params = (stored: string) => stored.split('$').slice(0, 4);
    expect(params(decoy)).toEqual(params(real));
    expect(Buffer.from(decoy.split('$')[5]!, 'base64')).toHaveLength(Buffer.from(real.split('$')[5]!, 'base64').length);
    // And the work each verification does, counted rather than timed (a timing says the same only on
    // a quiet machine; `npm run bench` prints it): one scrypt call each, at the same cost and key length.
    const scrypt = jest.spyOn(crypto, 'scrypt');
    let calls: unknown[][];
    try {
      await verifyPassword('a wrong password', real);
      await verifyPassword('a wrong password', decoy);
      calls = [...scrypt.mock.calls];
    } finally {
      scrypt.mockRestore();
    }
    const work = calls.map(([, salt, keyLength, options]) => ({ saltBytes: Buffer.from(salt as Buffer).length, keyLength, options }));
    expect(work).toHaveLength(2);
    expect(work[0]).toMatchObject({ saltBytes: 16, keyLength: 32, options: { N: 2 ** 17, r: 8, p: 1 } });
    expect(work[1]).toEqual(work[0]);
  }, 120_000);

  it('refuses a malformed stored hash instead of answering false', async () => {
    await expect(verifyPassword('x', 'md5$abc')).rejects.toThrow('malformed');
  });
});
