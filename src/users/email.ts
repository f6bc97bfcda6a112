import isEmail from 'validator/lib/isEmail';
import { InvalidEmailError } from '../errors/errors';

/** RFC 5321's limit on a forward path, the longest address that can be delivered. */
const MAX_EMAIL_LENGTH = 254;

/**
 * A syntactically valid address (validator.js's `isEmail`: a real domain with a TLD, no display
 * name, no IP literal), lower-cased as it is stored. Error code: ERR_EMAIL_INVALID.
 */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH) throw new InvalidEmailError(`E-mail address must be at most ${MAX_EMAIL_LENGTH} characters`);
  if (!isEmail(email, { allow_display_name: false, allow_ip_domain: false, require_tld: true })) {
    throw new InvalidEmailError('Invalid e-mail address');
  }
  return email;
}
