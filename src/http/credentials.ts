import type { Credentials } from '../users/user-store';
import { BadRequestError } from '../errors/errors';
import { MAX_PASSWORD_LENGTH, passwordLength } from '../users/password-policy';

const MAX_USERNAME = 256;

/** `{"username", "password"}` from a JSON object, both non-empty strings. Error code: ERR_BODY_INVALID. */
export function readCredentials(body: Record<string, unknown>): Credentials {
  const { username, password } = body;
  const problems: string[] = [];
  if (typeof username !== 'string' || username === '') problems.push('"username" must be a non-empty string');
  else if (username.length > MAX_USERNAME) problems.push(`"username" must be at most ${MAX_USERNAME} characters`);
  if (typeof password !== 'string' || password === '') problems.push('"password" must be a non-empty string');
  // The policy's own length, so a password it accepted always logs in; it also caps scrypt's input.
  else if (passwordLength(password) > MAX_PASSWORD_LENGTH) problems.push(`"password" must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (problems.length > 0 || typeof username !== 'string' || typeof password !== 'string') {
    throw new BadRequestError('ERR_BODY_INVALID', problems.join('; '));
  }
  return { username, password };
}
