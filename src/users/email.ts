import { domainToASCII } from 'node:url';
import isEmail from 'validator/lib/isEmail';
import { InvalidEmailError } from '../errors/errors';

/** RFC 5321's limit on a forward path, the longest address that can be delivered. */
const MAX_EMAIL_LENGTH = 254;

/**
 * Characters no address needs and that forge what a reader or a mail header sees: controls (CR, LF,
 * NUL: header injection, forged lines), format characters (bidi overrides, zero-width joiners and
 * spaces: text that reads other than it is), and the line and paragraph separators.
 */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * A syntactically valid address, as it is stored: validator.js's `isEmail` (a real domain with a
 * TLD, no display name, no IP literal, no quoted local part), without control or format characters;
 * NFC, lower-cased, the domain in its ASCII form (IDNA / punycode: `xn--…`, so a look-alike of
 * another script shows as what it is). Error code: ERR_EMAIL_INVALID.
 */
export function normalizeEmail(raw: string): string {
  const typed = raw.trim();
  if (INVISIBLE_OR_CONTROL.test(typed)) throw new InvalidEmailError('E-mail address must not contain control or invisible characters');
  const at = typed.lastIndexOf('@');
  const local = typed.slice(0, at).normalize('NFC').toLowerCase();
  // UTS #46 (WHATWG URL): maps and lower-cases an IDN to its A-label form; '' when it is no domain.
  const domain = at < 0 ? '' : domainToASCII(typed.slice(at + 1));
  if (local === '' || domain === '') throw new InvalidEmailError('Invalid e-mail address');
  const email = `${local}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH) throw new InvalidEmailError(`E-mail address must be at most ${MAX_EMAIL_LENGTH} characters`);
  // A quoted local part ("…"@example.com) may hold spaces, '<', '@': nothing a real mailbox needs.
  if (!isEmail(email, { allow_display_name: false, allow_ip_domain: false, require_tld: true, blacklisted_chars: '"' })) {
    throw new InvalidEmailError('Invalid e-mail address');
  }
  return email;
}
