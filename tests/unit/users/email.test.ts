import { normalizeEmail } from '../../../src/users/email';

const codeOf = (raw: string): string | undefined => {
  try {
    normalizeEmail(raw);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('an e-mail address', () => {
  it('is stored trimmed and lower-cased', () => {
    expect(normalizeEmail(' Sue@Example.COM ')).toBe('sue@example.com');
  });

  it.each([
    ['the outside probe’s quoted CR/LF line forgery', '"x\r\nmallory  enabled  (fake row)\r\nBcc: y@evil.example"@example.com'],
    ['a bare CR/LF in the local part', 'x\r\nbcc:y@example.com'],
    ['a NUL', 'a\u0000b@example.com'],
    ['a tab', 'a\tb@example.com'],
    ['a right-to-left override', 'admin\u202egnp.evil@example.com'],
    ['a left-to-right isolate', 'a\u2066b@example.com'],
    ['a zero-width space in the local part', 'a\u200bb@example.com'],
    ['a zero-width joiner in the domain', 'user@exa\u200dmple.com'],
    ['a byte-order mark inside', 'us\ufeffer@example.com'],
    ['a line separator', 'a\u2028b@example.com'],
    ['a quoted local part with markup', '"<script>alert(1)</script>"@example.com'],
    ['a plain quoted local part', '"john"@example.com'],
    ['a quoted local part with spaces', '"john smith"@example.com'],
  ])('is refused with %s', (_, raw) => {
    expect(codeOf(raw)).toBe('ERR_EMAIL_INVALID');
  });

  it('keeps an internationalized domain in one form, its ASCII (punycode) A-label, however it is typed', () => {
    const forms = ['user@bücher.example', 'User@BÜCHER.example', 'user@bu\u0308cher.example', 'user@xn--bcher-kva.example'];
    expect(forms.map(normalizeEmail)).toEqual(forms.map(() => 'user@xn--bcher-kva.example'));
  });

  it('stores a look-alike domain of another script as what it is (punycode), never as the domain it imitates', () => {
    // A Cyrillic "а" in "pаypal.com".
    expect(normalizeEmail('user@p\u0430ypal.com')).toBe('user@xn--pypal-4ve.com');
  });

  it('keeps a non-ASCII local part in one Unicode form (NFC)', () => {
    expect(normalizeEmail('jose\u0301@example.com')).toBe('jos\u00e9@example.com');
  });

  it('is refused when it is no address or its domain is none', () => {
    for (const raw of ['nope', 'a@', '@example.com', 'a@ex ample.com', 'a@localhost', 'a@[127.0.0.1]'])
      expect(codeOf(raw)).toBe('ERR_EMAIL_INVALID');
  });
});
