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

  it.each([
    ['a Hangul filler', 'ad\u3164min@example.com', 'E-mail address must not contain control or invisible characters'],
    ['a half-width Hangul filler', 'ad\uffa0min@example.com', 'E-mail address must not contain control or invisible characters'],
    ['an ideographic space', 'ad\u3000min@example.com', 'E-mail address must not contain control or invisible characters'],
    ['a combining grapheme joiner', 'ad\u034fmin@example.com', 'E-mail address must not contain control or invisible characters'],
    ['a variation selector', 'ad\ufe0fmin@example.com', 'E-mail address must not contain control or invisible characters'],
    ['a soft hyphen in the domain', 'admin@exam\u00adple.com', 'E-mail address must not contain control or invisible characters'],
    [
      'the braille blank',
      'ad\u2800min@example.com',
      "E-mail address may hold only letters, digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~ before the @",
    ],
    [
      'an emoji',
      'ad\u{1f600}min@example.com',
      "E-mail address may hold only letters, digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~ before the @",
    ],
    ['a Cyrillic а among Latin letters', '\u0430dmin@example.com', 'E-mail address must not mix scripts before the @'],
    ['a Greek ο among Latin letters', 'r\u03bfot@example.com', 'E-mail address must not mix scripts before the @'],
    [
      'full-width letters',
      '\uff41\uff44\uff4d\uff49\uff4e@example.com',
      'E-mail address must not use full-width or other compatibility forms before the @',
    ],
    [
      'a lone surrogate (validator threw URIError on it)',
      'a\ud800@example.com',
      'E-mail address must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)',
    ],
    [
      'a lone low surrogate in the domain',
      'a@exa\udc00mple.com',
      'E-mail address must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)',
    ],
  ])('refuses %s, the outside probe’s look-alikes and invisibles, saying why', (_, raw, message) => {
    expect(() => normalizeEmail(raw)).toThrow(expect.objectContaining({ code: 'ERR_EMAIL_INVALID', message }));
  });

  it('keeps a local part of one writing system, with digits and ASCII specials', () => {
    for (const raw of [
      'иван.petrov@example.ru'.replace('petrov', 'петров'),
      'ΑΛΦΑ_2@example.gr',
      '山田たろう@example.jp',
      '홍길동99@example.kr',
      'o\u2019brien'.replace('\u2019', "'") + '@example.ie',
    ]) {
      expect(normalizeEmail(raw)).toBe(raw.normalize('NFC').toLowerCase());
    }
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
