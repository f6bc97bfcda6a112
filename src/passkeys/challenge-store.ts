/**
 * WebAuthn challenges in DynamoDB, one item per challenge keyed by `challenge` (base64url, as the
 * client's clientDataJSON names it): purpose, username (when the challenge is for a known user) and
 * expiresAt (epoch seconds, also the table's TTL attribute). A challenge is used once: the delete
 * that consumes it is conditional on its purpose, its user and its expiry, checked in the write
 * itself (DynamoDB's TTL deletes late, up to days), so a replay or a late answer finds nothing.
 */
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '../platform/store-call';
import { sweepUser } from '../platform/sweep';

/** What a challenge was handed out for. */
export type ChallengePurpose = 'register' | 'step-up' | 'login';

export interface ChallengeStore {
  /** Stores a new challenge. Error code: ERR_STORE_UNAVAILABLE. */
  issue(challenge: string, purpose: ChallengePurpose, username: string | undefined, expiresAt: number): Promise<void>;
  /**
   * Deletes the challenge if it was handed out for `purpose` (and `username`, when given) and has
   * not expired at `now`: true once, false for every later or wrong use. Error code: ERR_STORE_UNAVAILABLE.
   */
  consume(challenge: string, purpose: ChallengePurpose, username: string | undefined, now: number): Promise<boolean>;
}

/**
 * Deletes every challenge handed out to a user (for `npm run users -- delete`; a scan: challenges
 * have no index by user, and live minutes). Returns how many. Error code: ERR_STORE_UNAVAILABLE.
 */
export function sweepChallenges(db: DynamoDBDocumentClient, table: string): (username: string) => Promise<number> {
  return (username) => sweepUser(db, table, 'challenge', { scan: (item, name) => item.username === name }, username);
}

export function createDynamoChallengeStore(db: DynamoDBDocumentClient, table: string): ChallengeStore {
  return {
    async issue(challenge, purpose, username, expiresAt) {
      const created = await conditionalWrite(() =>
        db.send(
          new PutCommand({
            TableName: table,
            Item: { challenge, purpose, username, expiresAt },
            ConditionExpression: 'attribute_not_exists(challenge)',
          }),
        ),
      );
      if (!created) throw new Error('a new random challenge collided with a stored one');
    },

    consume: (challenge, purpose, username, now) =>
      conditionalWrite(() =>
        db.send(
          new DeleteCommand({
            TableName: table,
            Key: { challenge },
            ConditionExpression:
              username === undefined
                ? 'purpose = :purpose AND expiresAt > :now AND attribute_not_exists(username)'
                : 'purpose = :purpose AND expiresAt > :now AND username = :username',
            ExpressionAttributeValues: { ':purpose': purpose, ':now': now, ...(username === undefined ? {} : { ':username': username }) },
          }),
        ),
      ),
  };
}
