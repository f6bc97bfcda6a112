import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AppError } from '../errors/errors';
import { logger } from '../platform/logger';
import { isWellFormedUsername } from '../users/username';

const MAX_USER_AGENT = 256;

/**
 * Runs a password check and, when it fails or the username is locked, writes the audit line:
 * the username (as typed only when well formed, so a log line cannot be forged through it), the
 * source IP and the user agent. Never the password or a token.
 */
export async function auditLogin<T>(event: APIGatewayProxyEvent, username: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (err instanceof AppError && (err.code === 'ERR_BAD_CREDENTIALS' || err.code === 'ERR_TOO_MANY_ATTEMPTS')) {
      logger.warn(err.code === 'ERR_BAD_CREDENTIALS' ? 'login failed' : 'login locked', {
        audit: true,
        outcome: err.code,
        username: isWellFormedUsername(username) ? username : '<invalid>',
        sourceIp: event.requestContext?.identity?.sourceIp,
        userAgent: event.requestContext?.identity?.userAgent?.slice(0, MAX_USER_AGENT),
      });
    }
    throw err;
  }
}
