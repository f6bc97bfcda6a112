import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TooManyAttemptsError } from '../errors/errors';
import { conditionalWrite, storeCall } from '../platform/store-call';

/**
 * Brute-force protection per username, existing or not (so it reveals nothing).
 *
 * Time is cut into fixed windows; each (username, window) is one item counting attempts. An
 * attempt is counted BEFORE the password is checked, in one conditional write that fails once the
 * window's allowance is used up, so parallel guesses cannot overshoot it. A successful login
 * deletes the count. Items expire through DynamoDB's TTL. Across a window boundary an attacker
 * gets at most twice the allowance.
 */
export interface LoginAttempts {
  /** Counts an attempt. Error codes: ERR_TOO_MANY_ATTEMPTS (with Retry-After), ERR_STORE_UNAVAILABLE. */
  reserve(username: string, now: number): Promise<void>;
  /** Forgets the counted attempts after a successful login. Error code: ERR_STORE_UNAVAILABLE. */
  clear(username: string, now: number): Promise<void>;
}

export function createDynamoLoginAttempts(
  db: DynamoDBDocumentClient,
  table: string,
  settings: { maxFailures: number; windowSeconds: number },
): LoginAttempts {
  const window = (now: number) => Math.floor(now / settings.windowSeconds);
  const key = (username: string, now: number) => ({ attemptKey: `${window(now)}#${username}` });

  return {
    async reserve(username, now) {
      const windowEnd = (window(now) + 1) * settings.windowSeconds;
      const counted = await conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: key(username, now),
            UpdateExpression: 'SET attempts = if_not_exists(attempts, :zero) + :one, expiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :max',
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': settings.maxFailures, ':expiresAt': windowEnd },
          }),
        ),
      );
      if (!counted) throw new TooManyAttemptsError(Math.max(1, windowEnd - now));
    },

    async clear(username, now) {
      await storeCall(() => db.send(new DeleteCommand({ TableName: table, Key: key(username, now) })));
    },
  };
}
