import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, storeCall } from '../platform/store-call';
import type { UserRecord, UserStore } from './user-store';

/**
 * Users in DynamoDB, one item per user keyed by `username`:
 * passwordHash, disabled, createdAt, updatedAt, passwordChangedAt, sessionsValidAfter (ms), email.
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
            Item: { username, passwordHash, disabled: false, createdAt: now, updatedAt: now, passwordChangedAt: now },
            ConditionExpression: 'attribute_not_exists(username)',
          }),
        ),
      ),

    setPasswordHash: (username, passwordHash, nowMs) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET passwordHash = :hash, passwordChangedAt = :now, updatedAt = :now, sessionsValidAfter = :nowMs',
            ConditionExpression: 'attribute_exists(username)',
            ExpressionAttributeValues: { ':hash': passwordHash, ':now': Math.floor(nowMs / 1000), ':nowMs': nowMs },
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

    async endSessionsBefore(username, nowMs) {
      // A clock already later (another container's) stays: false from the condition is fine.
      await conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET sessionsValidAfter = :nowMs, updatedAt = :now',
            ConditionExpression: 'attribute_exists(username) AND (attribute_not_exists(sessionsValidAfter) OR sessionsValidAfter < :nowMs)',
            ExpressionAttributeValues: { ':nowMs': nowMs, ':now': Math.floor(nowMs / 1000) },
          }),
        ),
      );
    },

    setEmail: (username, email, now) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { username },
            UpdateExpression: 'SET email = :email, updatedAt = :now',
            ConditionExpression: 'attribute_exists(username)',
            ExpressionAttributeValues: { ':email': email, ':now': now },
          }),
        ),
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
  };
}
