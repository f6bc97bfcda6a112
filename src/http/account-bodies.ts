import { BadRequestError } from '../errors/errors';
import { MAX_PASSWORD_LENGTH, passwordLength } from '../users/password-policy';

// Caps what reaches the validator.
const MAX_EMAIL_FIELD = 1024;

/** A non-empty string field, at most `max` long as `length` counts (UTF-16 units unless told). */
function field(
  body: Record<string, unknown>,
  name: string,
  problems: string[],
  limit?: { max: number; length?: (value: string) => number },
): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') problems.push(`"${name}" must be a non-empty string`);
  else if (limit && (limit.length ?? ((text: string) => text.length))(value) > limit.max)
    problems.push(`"${name}" must be at most ${limit.max} characters`);
  return typeof value === 'string' ? value : '';
}

/** `{"email"}` of PUT /me/email, as typed (checked by the domain). Error code: ERR_BODY_INVALID. */
export function readEmailChange(body: Record<string, unknown>): string {
  const problems: string[] = [];
  const email = field(body, 'email', problems, { max: MAX_EMAIL_FIELD });
  if (problems.length > 0) throw new BadRequestError('ERR_BODY_INVALID', problems.join('; '));
  return email;
}

/** `{"current_password", "new_password"}` of PUT /me/password. Error code: ERR_BODY_INVALID. */
export function readPasswordChange(body: Record<string, unknown>): { current: string; next: string } {
  const problems: string[] = [];
  // As for a login (the same length as the policy's); it caps what reaches scrypt.
  const current = field(body, 'current_password', problems, { max: MAX_PASSWORD_LENGTH, length: passwordLength });
  // Its length is the policy's to check, with the policy's message (MAX_BODY_BYTES bounds the body).
  const next = field(body, 'new_password', problems);
  if (problems.length > 0) throw new BadRequestError('ERR_BODY_INVALID', problems.join('; '));
  return { current, next };
}
