import { hashPassword, verifyPassword } from '../../../src/users/password';

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

  it('refuses a malformed stored hash instead of answering false', async () => {
    await expect(verifyPassword('x', 'md5$abc')).rejects.toThrow('malformed');
  });
});
