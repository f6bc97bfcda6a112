import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TooManyAttemptsError } from '../errors/errors';
import { logger } from '../platform/logger';
import { conditionalWrite, storeCall } from '../platform/store-call';
import { sweepUser } from '../platform/sweep';

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
 * guessing one account is stopped early and nobody else is; per source IP whatever the username,
 * `maxFailuresPerAddress` per window, so one address cannot spend unlimited scrypt work by spraying
 * names (unknown ones, and names that cannot exist, which count here only); and per username
 * across all addresses, `maxFailuresPerUser` per window, which caps a guessing attack spread over
 * many addresses. Usernames count whether they exist or not (so it reveals nothing).
 *
 * Time is cut into fixed windows; each (key, window) is one item. An attempt is counted BEFORE the
 * password is checked, in conditional writes that fail once the allowance is used up, so parallel
 * guesses cannot overshoot it. The (username, address) count is taken first, then the address's,
 * then the user's, each only if the one before held: attempts an address has already been refused
 * never eat the user's allowance. A successful login deletes its (username, address) count and
 * takes its own attempt back from the address's and the user's, which thus count failures only.
 * Items expire through DynamoDB's TTL. Across a window boundary an attacker gets at most twice the
 * allowance.
 */
export interface LoginAttempts {
  /** Counts an attempt. Error codes: ERR_TOO_MANY_ATTEMPTS (with Retry-After), ERR_STORE_UNAVAILABLE. */
  reserve(source: LoginSource, now: number): Promise<void>;
  /**
   * Counts an attempt with a username that cannot exist (never well formed) against its address
   * alone. Error codes: ERR_TOO_MANY_ATTEMPTS (with Retry-After), ERR_STORE_UNAVAILABLE.
   */
  reserveForAddress(ip: string, now: number): Promise<void>;
  /** Takes back the attempt of a successful login. Error code: ERR_STORE_UNAVAILABLE. */
  clear(source: LoginSource, now: number): Promise<void>;
}

export interface LoginAttemptSettings {
  /** Failures allowed per (username, source IP) and window. */
  readonly maxFailures: number;
  /** Failures allowed per username and window, from all addresses together. */
  readonly maxFailuresPerUser: number;
  /** Failures allowed per source IP and window, whatever the usernames. */
  readonly maxFailuresPerAddress: number;
  readonly windowSeconds: number;
}

export function createDynamoLoginAttempts(db: DynamoDBDocumentClient, table: string, settings: LoginAttemptSettings): LoginAttempts {
  const window = (now: number) => Math.floor(now / settings.windowSeconds);
  // Usernames never contain '#' (src/users/username.ts). The per-user key is the one used before
  // addresses were counted, so counts in flight at a deploy carry over.
  const userKey = (username: string, now: number) => ({ attemptKey: `${window(now)}#${username}` });
  const pairKey = ({ username, ip }: LoginSource, now: number) => ({ attemptKey: `${window(now)}#${username}#${ip}` });
  // An empty username slot: no username is empty, so this key is no user's and no pair's.
  const addressKey = (ip: string, now: number) => ({ attemptKey: `${window(now)}##${ip}` });

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

  // Not below zero: the window may have turned between the count and this.
  const takeBack = (key: { attemptKey: string }) =>
    conditionalWrite(() =>
      db.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET attempts = attempts - :one',
          ConditionExpression: 'attempts > :zero',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        }),
      ),
    );
  const windowEnd = (now: number) => (window(now) + 1) * settings.windowSeconds;
  const refused = (now: number) => new TooManyAttemptsError(Math.max(1, windowEnd(now) - now));

  return {
    async reserve(source, now) {
      const end = windowEnd(now);
      const counted =
        (await count(pairKey(source, now), settings.maxFailures, end)) &&
        (await count(addressKey(source.ip, now), settings.maxFailuresPerAddress, end)) &&
        (await count(userKey(source.username, now), settings.maxFailuresPerUser, end));
      if (!counted) throw refused(now);
    },

    async reserveForAddress(ip, now) {
      if (!(await count(addressKey(ip, now), settings.maxFailuresPerAddress, windowEnd(now)))) throw refused(now);
    },

    async clear(source, now) {
      await Promise.all([
        storeCall(() => db.send(new DeleteCommand({ TableName: table, Key: pairKey(source, now) }))),
        takeBack(addressKey(source.ip, now)),
        takeBack(userKey(source.username, now)),
      ]);
    },
  };
}

/**
 * Deletes every attempt count of a username, alone or with an address (for `npm run users --
 * delete`; a scan: counts live one window). Keys are `window#username[#ip]`, and no username holds
 * a '#'. Returns how many. Error code: ERR_STORE_UNAVAILABLE.
 */
export function sweepAttempts(db: DynamoDBDocumentClient, table: string): (username: string) => Promise<number> {
  return (username) =>
    sweepUser(db, table, 'attemptKey', { scan: (item, name) => String(item.attemptKey).split('#')[1] === name }, username);
}

/**
 * The audit line of a failed or locked sign-in, whatever proved (or failed to prove) the user: who
 * (as the caller may print it), from where. Never a password, a token or credential material.
 */
export function auditSignIn(
  message: 'login failed' | 'login locked',
  outcome: string,
  who: { username: string; ip: string; userAgent?: string | undefined },
  extra: Record<string, string> = {},
): void {
  logger.warn(message, { audit: true, outcome, ...extra, username: who.username, sourceIp: who.ip, userAgent: who.userAgent });
}
