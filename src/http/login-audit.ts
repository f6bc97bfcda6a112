import { AppError } from '../errors/errors';
import { auditSignIn } from '../users/login-attempts';
import { isWellFormedUsername } from '../users/username';
import type { ClientInfo } from '../sessions/family-store';

/**
 * Runs a password check and, when it fails or the username is locked, writes the audit line:
 * the username (as typed only when well formed, so a log line cannot be forged through it), the
 * source IP and the user agent. Never the password or a token.
 */
export async function auditLogin<T>(client: ClientInfo, username: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (err instanceof AppError && (err.code === 'ERR_BAD_CREDENTIALS' || err.code === 'ERR_TOO_MANY_ATTEMPTS')) {
      auditSignIn(err.code === 'ERR_BAD_CREDENTIALS' ? 'login failed' : 'login locked', err.code, {
        username: isWellFormedUsername(username) ? username : '<invalid>',
        ip: client.ip,
        userAgent: client.userAgent,
      });
    }
    throw err;
  }
}
