import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, storeCall } from '../platform/store-call';
import type { SinceMs, UserRecord, UserStore } from './user-store';

/**
 * The condition a write made with a token adds (`refusalOf` in account-writes.ts, as DynamoDB
 * evaluates it): the row exists, is enabled, was created no later than the token's login second,
 * and its revocation clock is before the login.
 */
const TAKES_WRITES =
  'attribute_exists(username) AND disabled = :false AND createdAt <= :sinceSeconds AND ' +
  '(attribute_not_exists(sessionsValidAfter) OR sessionsValidAfter < :sinceMs)';
const takesWritesValues = (sinceMs: SinceMs) => ({ ':false': false, ':sinceSeconds': Math.floor(sinceMs / 1000), ':sinceMs': sinceMs });

/** The condition of a write: the row exists, and with `since`, takes writes from that login. */
const guard = (since: SinceMs | undefined) =>
  since === undefined
    ? { condition: 'attribute_exists(username)', values: {} }
    : { condition: `(${TAKES_WRITES})`, values: takesWritesValues(since) };

/**
 * Users in DynamoDB, one item per user keyed by `username`: passwordHash, disabled, createdAt,
 * updatedAt, passwordChangedAt, sessionsValidAfter (ms), email, passkeyCount.
 */
export function createDynamoUserStore(db: DynamoDBDocumentClient, table: string): UserStore {
  return {
    async findUser(username) {
      const { Item } = await storeCall(() => db.send(new GetCommand({ TableName: table, Key: { username }, ConsistentRead: true })));
      return Item ? toRecord(Item) : undefined;
    },

    createUser: (username, passwordHash, now) =>
      conditionalWrite(() =>
        db.send(
          new PutCommand({
            TableName: table,
            Item: { username, passwordHash, disabled: false, createdAt: now, updatedAt: now, passwordChangedAt: now, passkeyCount: 0 },
            ConditionExpression: 'attribute_not_exists(username)',
          }),
        ),
      ),

    setPasswordHash: (username, passwordHash, nowMs, since) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET passwordHash = :hash, passwordChangedAt = :now, updatedAt = :now, sessionsValidAfter = :nowMs',
            ConditionExpression: guard(since).condition,
            ExpressionAttributeValues: { ':hash': passwordHash, ':now': Math.floor(nowMs / 1000), ':nowMs': nowMs, ...guard(since).values },
          }),
        ),
      ),

    setDisabled: (username, disabled, nowMs) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            // Disabling moves the revocation clock; enabling leaves it, so no old session revives.
            UpdateExpression: disabled
              ? 'SET disabled = :disabled, updatedAt = :now, sessionsValidAfter = :nowMs'
              : 'SET disabled = :disabled, updatedAt = :now',
            ConditionExpression: 'attribute_exists(username)',
            ExpressionAttributeValues: {
              ':disabled': disabled,
              ':now': Math.floor(nowMs / 1000),
              ...(disabled ? { ':nowMs': nowMs } : {}),
            },
          }),
        ),
      ),

    // A clock already later (another container's) stays: the condition fails, which is fine.
    endSessionsBefore: (username, nowMs, since) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET sessionsValidAfter = :nowMs, updatedAt = :now',
            ConditionExpression: `${guard(since).condition} AND (attribute_not_exists(sessionsValidAfter) OR sessionsValidAfter < :nowMs)`,
            ExpressionAttributeValues: { ':nowMs': nowMs, ':now': Math.floor(nowMs / 1000), ...guard(since).values },
          }),
        ),
      ),

    setEmail: (username, email, now, since) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET email = :email, updatedAt = :now',
            ConditionExpression: guard(since).condition,
            ExpressionAttributeValues: { ':email': email, ':now': now, ...guard(since).values },
          }),
        ),
      ),

    takePasskeySlot: (username, max, since) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET passkeyCount = passkeyCount + :one',
            ConditionExpression: `${guard(since).condition} AND passkeyCount < :max`,
            ExpressionAttributeValues: { ':one': 1, ':max': max, ...guard(since).values },
          }),
        ),
      ),

    async releasePasskeySlot(username) {
      // Never below zero, and never onto a row that is gone (an update would make one).
      await conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET passkeyCount = passkeyCount - :one',
            ConditionExpression: 'attribute_exists(username) AND passkeyCount > :zero',
            ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
          }),
        ),
      );
    },

    async startPasskeyCount(username, count) {
      await conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET passkeyCount = :count',
            ConditionExpression: 'attribute_exists(username) AND attribute_not_exists(passkeyCount)',
            ExpressionAttributeValues: { ':count': count },
          }),
        ),
      );
    },

    deleteUser: (username) =>
      conditionalWrite(() =>
        db.send(new DeleteCommand({ TableName: table, Key: { username }, ConditionExpression: 'attribute_exists(username)' })),
      ),

    async listUsers() {
      const users: Omit<UserRecord, 'passwordHash'>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await storeCall(() =>
          db.send(
            new ScanCommand({
              TableName: table,
              ProjectionExpression: 'username, disabled, createdAt, updatedAt, passwordChangedAt, sessionsValidAfter, email',
              ExclusiveStartKey: start,
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          const { passwordHash: _omitted, ...rest } = toRecord({ ...item, passwordHash: '' });
          users.push(rest);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return users.sort((a, b) => a.username.localeCompare(b.username));
    },
  };
}

function toRecord(item: Record<string, unknown>): UserRecord {
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  return {
    username: String(item.username),
    passwordHash: typeof item.passwordHash === 'string' ? item.passwordHash : '',
    disabled: item.disabled === true,
    createdAt: number(item.createdAt),
    updatedAt: number(item.updatedAt),
    passwordChangedAt: number(item.passwordChangedAt),
    sessionsValidAfter: number(item.sessionsValidAfter),
    ...(typeof item.email === 'string' ? { email: item.email } : {}),
    ...(typeof item.passkeyCount === 'number' ? { passkeyCount: item.passkeyCount } : {}),
  };
}
