import { domainToASCII } from 'node:url';
import isEmail from 'validator/lib/isEmail';
import { InvalidEmailError } from '../errors/errors';
import { isWellFormedText } from '../platform/text';

/** RFC 5321's limit on a forward path, the longest address that can be delivered. */
const MAX_EMAIL_LENGTH = 254;

/**
 * Characters no address needs and that forge what a reader or a mail header sees: controls (CR, LF,
 * NUL: header injection, forged lines), format characters (bidi overrides, zero-width joiners and
 * spaces: text that reads other than it is), the line and paragraph separators, and everything
 * Unicode calls default-ignorable (Hangul fillers U+3164 and U+FFA0, the combining grapheme joiner,
 * variation selectors: drawn as nothing) or white space other than the plain space (the ideographic
 * space U+3000: drawn as a gap). All from Unicode's own properties, as V8 ships them.
 */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|(?! )\p{White_Space}/u;

/**
 * What the part before the @ may hold: letters, combining marks and digits of any script, and the
 * ASCII specials RFC 5322 allows in a dot-atom. No symbols (the braille blank U+2800 is a blank
 * "symbol"), no punctuation a reader takes for the ASCII one.
 */
const LOCAL_PART = /^[\p{L}\p{M}\p{N}.!#$%&'*+\-/=?^_`{|}~]+$/u;

/**
 * Writing systems a local part may use one of (ISO 15924 names, as UTS #39 §5.1 resolves them:
 * Japanese and Korean mix Han with their own scripts). A letter is read by its Script_Extensions.
 */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Ethiopic',
  'Cherokee',
  'Khmer',
  'Mongolian',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
] as const;
const SCRIPT_TESTS = SCRIPTS.map((name) => ({ name, test: new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u') }));
/** The writing systems a script belongs to: Han to Chinese, Japanese and Korean; the kana to Japanese; Hangul to Korean. */
const WRITING_SYSTEMS: Partial<Record<(typeof SCRIPTS)[number], readonly string[]>> = {
  Han: ['Han', 'Jpan', 'Kore', 'Hanb'],
  Hiragana: ['Jpan'],
  Katakana: ['Jpan'],
  Hangul: ['Kore'],
  Bopomofo: ['Hanb'],
};
const SHARED = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/**
 * Whether every letter of `local` belongs to one writing system (UTS #39's resolved script set is
 * not empty): `аdmin` (Cyrillic а, Latin dmin) mixes two; `山田たろう` is Japanese. Digits and
 * marks shared by all scripts count for none; a letter of a script not listed counts as its own.
 */
function isSingleScript(local: string): boolean {
  let resolved: Set<string> | undefined;
  for (const char of local) {
    if (SHARED.test(char)) continue;
    const systems = SCRIPT_TESTS.filter(({ test }) => test.test(char)).flatMap(({ name }) => WRITING_SYSTEMS[name] ?? [name]);
    const own = new Set(systems.length === 0 ? ['other'] : systems);
    resolved = resolved === undefined ? own : new Set([...resolved].filter((system) => own.has(system)));
    if (resolved.size === 0) return false;
  }
  return true;
}

/**
 * A syntactically valid address, as it is stored: validator.js's `isEmail` (a real domain with a
 * TLD, no display name, no IP literal, no quoted local part), well-formed text without control,
 * format or invisible characters; NFC, lower-cased, the domain in its ASCII form (IDNA / punycode:
 * `xn--…`, so a look-alike of another script shows as what it is). The local part has no ASCII form
 * to show instead, so a look-alike there is refused: letters of one writing system only, and no
 * full-width or other compatibility forms (what NFKC would change). Error code: ERR_EMAIL_INVALID.
 */
export function normalizeEmail(raw: string): string {
  if (!isWellFormedText(raw))
    throw new InvalidEmailError('E-mail address must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)');
  const typed = raw.trim();
  if (INVISIBLE_OR_CONTROL.test(typed)) throw new InvalidEmailError('E-mail address must not contain control or invisible characters');
  const at = typed.lastIndexOf('@');
  const local = typed.slice(0, at).normalize('NFC').toLowerCase();
  // UTS #46 (WHATWG URL): maps and lower-cases an IDN to its A-label form; '' when it is no domain.
  const domain = at < 0 ? '' : domainToASCII(typed.slice(at + 1));
  if (local === '' || domain === '') throw new InvalidEmailError('Invalid e-mail address');
  // A dot-atom's characters (no quoted local part: nothing a real mailbox needs).
  if (!LOCAL_PART.test(local)) {
    throw new InvalidEmailError("E-mail address may hold only letters, digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~ before the @");
  }
  if (local !== local.normalize('NFKC')) {
    throw new InvalidEmailError('E-mail address must not use full-width or other compatibility forms before the @');
  }
  if (!isSingleScript(local)) throw new InvalidEmailError('E-mail address must not mix scripts before the @');
  const email = `${local}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH) throw new InvalidEmailError(`E-mail address must be at most ${MAX_EMAIL_LENGTH} characters`);
  // A quoted local part ("…"@example.com) may hold spaces, '<', '@': nothing a real mailbox needs.
  if (!isEmail(email, { allow_display_name: false, allow_ip_domain: false, require_tld: true, blacklisted_chars: '"' })) {
    throw new InvalidEmailError('Invalid e-mail address');
  }
  return email;
}
