import { BadRequestError } from '../errors/errors';

// Caps what reaches scrypt or the validator, as for a login.
const MAX_PASSWORD = 1024;
const MAX_EMAIL_FIELD = 1024;

function field(body: Record<string, unknown>, name: string, max: number, problems: string[]): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') problems.push(`"${name}" must be a non-empty string`);
  else if (value.length > max) problems.push(`"${name}" must be at most ${max} characters`);
  return typeof value === 'string' ? value : '';
}

/** `{"email"}` of PUT /me/email, as typed (checked by the domain). Error code: ERR_BODY_INVALID. */
export function readEmailChange(body: Record<string, unknown>): string {
  const problems: string[] = [];
  const email = field(body, 'email', MAX_EMAIL_FIELD, problems);
  if (problems.length > 0) throw new BadRequestError('ERR_BODY_INVALID', problems.join('; '));
  return email;
}

/** `{"current_password", "new_password"}` of PUT /me/password. Error code: ERR_BODY_INVALID. */
export function readPasswordChange(body: Record<string, unknown>): { current: string; next: string } {
  const problems: string[] = [];
  const current = field(body, 'current_password', MAX_PASSWORD, problems);
  // The policy's own upper bound (1024) is checked with its message; this one only stops abuse.
  const next = field(body, 'new_password', MAX_PASSWORD * 4, problems);
  if (problems.length > 0) throw new BadRequestError('ERR_BODY_INVALID', problems.join('; '));
  return { current, next };
}
