import { passwordProblem } from '../../../src/users/password-policy';
import { normalizeEmail } from '../../../src/users/email';
import { thrownCode } from '../../helpers/error-code';

describe('password policy (NIST SP 800-63B)', () => {
  const context = { username: 'alice', currentPassword: 'old-secret-phrase' };

  it('accepts a long, uncommon password with no composition rules', () => {
    expect(passwordProblem('correct horse battery staple', context)).toBeUndefined();
    expect(passwordProblem('alllowercaseletters', context)).toBeUndefined();
  });

  it('names the rule a password breaks', () => {
    expect(passwordProblem('short', context)).toBe('Password must be at least 8 characters');
    expect(passwordProblem('x'.repeat(1025), context)).toBe('Password must be at most 1024 characters');
    expect(passwordProblem('ALICE', { username: 'alice' })).toBe('Password must be at least 8 characters');
    expect(passwordProblem('Alice.Example', { username: 'alice.example' })).toBe('Password must not be the username');
    expect(passwordProblem('old-secret-phrase', context)).toBe('Password must differ from the current one');
    expect(passwordProblem('password1', context)).toBe('Password is too common; choose a less predictable one');
    expect(passwordProblem('Iloveyou', context)).toBe('Password is too common; choose a less predictable one');
  });

  it('counts characters as people see them, not UTF-16 units', () => {
    // Seven emoji are 14 UTF-16 units: still too short.
    expect(passwordProblem('😀😀😀😀😀😀😀', context)).toBe('Password must be at least 8 characters');
    expect(passwordProblem('😀😀😀😀😀😀😀😀', context)).toBeUndefined();
  });

  it('refuses lone surrogates, which would all hash as U+FFFD: eight different ones are no password', () => {
    const lone = '\ud800\ud801\ud802\ud803\udc00\udc01\udc02\udc03';
    expect(passwordProblem(lone, context)).toBe('Password must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)');
    expect(passwordProblem(`a-long-passphrase\ud800`, context)).toBe(
      'Password must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)',
    );
  });
});

describe('the password policy on the form that is hashed (NFKC)', () => {
  const context = { username: 'alice.example', currentPassword: 'old-secret-phrase' };

  it('refuses a common password typed in full-width forms, which hashes as the common one', () => {
    expect(passwordProblem('ｐａｓｓｗｏｒｄ１２３', context)).toBe('Password is too common; choose a less predictable one');
  });

  it('refuses the username typed in full-width forms', () => {
    expect(passwordProblem('ａｌｉｃｅ．ｅｘａｍｐｌｅ', context)).toBe('Password must not be the username');
  });

  it('refuses the current password typed in another form, either way round', () => {
    expect(passwordProblem('ｏｌｄ－ｓｅｃｒｅｔ－ｐｈｒａｓｅ', context)).toBe('Password must differ from the current one');
    expect(passwordProblem('old-secret-phrase', { ...context, currentPassword: 'ｏｌｄ－ｓｅｃｒｅｔ－ｐｈｒａｓｅ' })).toBe(
      'Password must differ from the current one',
    );
  });

  it('counts the characters of that form: four composed letters typed as eight code points are four', () => {
    expect(passwordProblem('e\u0301'.repeat(4), context)).toBe('Password must be at least 8 characters');
  });
});

describe('e-mail addresses', () => {
  it('stores a valid address lower-cased and trimmed', () => {
    expect(normalizeEmail('  Alice.Smith+news@Example.CO.uk ')).toBe('alice.smith+news@example.co.uk');
  });

  it('refuses what is not an address, and one over 254 characters', () => {
    for (const bad of [
      'alice',
      'alice@',
      '@example.com',
      'alice@localhost',
      'Alice <alice@example.com>',
      'a@[127.0.0.1]',
      'a b@example.com',
    ]) {
      expect(thrownCode(() => normalizeEmail(bad))).toBe('ERR_EMAIL_INVALID');
    }
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`;
    expect(long.length).toBeGreaterThan(254);
    expect(() => normalizeEmail(long)).toThrow('E-mail address must be at most 254 characters');
  });
});
