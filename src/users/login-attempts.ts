import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TooManyAttemptsError } from '../errors/errors';
import { conditionalWrite, storeCall } from '../platform/store-call';

/** Who is trying: the username typed and the address the request came from. */
interface LoginSource {
  readonly username: string;
  /** The source IP as API Gateway saw it (not a header a client can write). */
  readonly ip: string;
}

/**
 * Brute-force protection that strangers cannot turn against a user.
 *
 * Failures are counted per (username, source IP), `maxFailures` per window, so one address
 * guessing one account is stopped early and nobody else is; and per username across all
 * addresses, `maxFailuresPerUser` per window, which caps a guessing attack spread over many
 * addresses. Usernames count whether they exist or not (so it reveals nothing).
 *
 * Time is cut into fixed windows; each (key, window) is one item. An attempt is counted BEFORE the
 * password is checked, in conditional writes that fail once the allowance is used up, so parallel
 * guesses cannot overshoot it. The per-address count is taken first and the per-user count only
 * if it held: attempts one address has already been refused never eat the user's allowance. A
 * successful login deletes its address's count and takes its own attempt back from the user's,
 * which thus counts failures only. Items expire through DynamoDB's TTL. Across a window boundary
 * an attacker gets at most twice the allowance.
 */
export interface LoginAttempts {
  /** Counts an attempt. Error codes: ERR_TOO_MANY_ATTEMPTS (with Retry-After), ERR_STORE_UNAVAILABLE. */
  reserve(source: LoginSource, now: number): Promise<void>;
  /** Takes back the attempt of a successful login. Error code: ERR_STORE_UNAVAILABLE. */
  clear(source: LoginSource, now: number): Promise<void>;
}

export interface LoginAttemptSettings {
  /** Failures allowed per (username, source IP) and window. */
  readonly maxFailures: number;
  /** Failures allowed per username and window, from all addresses together. */
  readonly maxFailuresPerUser: number;
  readonly windowSeconds: number;
}

export function createDynamoLoginAttempts(db: DynamoDBDocumentClient, table: string, settings: LoginAttemptSettings): LoginAttempts {
  const window = (now: number) => Math.floor(now / settings.windowSeconds);
  // Usernames never contain '#' (src/users/username.ts). The per-user key is the one used before
  // addresses were counted, so counts in flight at a deploy carry over.
  const userKey = (username: string, now: number) => ({ attemptKey: `${window(now)}#${username}` });
  const pairKey = ({ username, ip }: LoginSource, now: number) => ({ attemptKey: `${window(now)}#${username}#${ip}` });

  const count = (key: { attemptKey: string }, max: number, expiresAt: number) =>
    conditionalWrite(() =>
      db.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET attempts = if_not_exists(attempts, :zero) + :one, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :max',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max, ':expiresAt': expiresAt },
        }),
      ),
    );

  return {
    async reserve(source, now) {
      const windowEnd = (window(now) + 1) * settings.windowSeconds;
      const counted =
        (await count(pairKey(source, now), settings.maxFailures, windowEnd)) &&
        (await count(userKey(source.username, now), settings.maxFailuresPerUser, windowEnd));
      if (!counted) throw new TooManyAttemptsError(Math.max(1, windowEnd - now));
    },

    async clear(source, now) {
      await Promise.all([
        storeCall(() => db.send(new DeleteCommand({ TableName: table, Key: pairKey(source, now) }))),
        // Not below zero: the window may have turned between the count and this.
        conditionalWrite(() =>
          db.send(
            new UpdateCommand({
              TableName: table,
              Key: userKey(source.username, now),
              UpdateExpression: 'SET attempts = attempts - :one',
              ConditionExpression: 'attempts > :zero',
              ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
            }),
          ),
        ),
      ]);
    },
  };
}
