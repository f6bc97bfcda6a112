import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, storeCall } from '../platform/store-call';
import type { Family, FamilyStore, RotateResult } from './family-store';

/** The families table's index from username to family ids (declared in serverless.yml). */
const USERNAME_INDEX = 'username-index';

/** Refresh-token families in DynamoDB, one item per family keyed by `familyId`. */
export function createDynamoFamilyStore(db: DynamoDBDocumentClient, table: string): FamilyStore {
  const conditionalUpdate = async (input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<RotateResult> =>
    (await conditionalWrite(() => db.send(new UpdateCommand(input)))) ? 'rotated' : 'stale';

  const revoke: FamilyStore['revoke'] = async (familyId, username, reason, now) => {
    await conditionalUpdate({
      TableName: table,
      Key: { familyId },
      UpdateExpression: 'SET #status = :revoked, revokedReason = :reason, revokedAt = :now',
      ConditionExpression: '#status = :active AND username = :username',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':revoked': 'revoked', ':active': 'active', ':reason': reason, ':now': now, ':username': username },
    });
  };

  return {
    create: (family) =>
      conditionalWrite(() =>
        db.send(new PutCommand({ TableName: table, Item: family, ConditionExpression: 'attribute_not_exists(familyId)' })),
      ),

    rotate: ({ familyId, username, oldJti, next, now, expiresAt, loggedInAfterMs }) =>
      conditionalUpdate({
        TableName: table,
        Key: { familyId },
        UpdateExpression:
          'SET previousJti = currentJti, currentJti = :new, currentIat = :iat, currentExp = :exp, rotatedAt = :now, expiresAt = :expiresAt',
        // The same rule as `loggedInAfter`, in the one conditional write.
        ConditionExpression:
          '#status = :active AND currentJti = :old AND username = :username AND expiresAt > :now AND ' +
          '(createdAtMs > :clockMs OR (attribute_not_exists(createdAtMs) AND createdAt > :clockSeconds))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':active': 'active',
          ':old': oldJti,
          ':new': next.jti,
          ':iat': next.iat,
          ':exp': next.exp,
          ':now': now,
          ':expiresAt': expiresAt,
          ':username': username,
          ':clockMs': loggedInAfterMs,
          ':clockSeconds': Math.floor(loggedInAfterMs / 1000),
        },
      }),

    async get(familyId) {
      const { Item } = await storeCall(() => db.send(new GetCommand({ TableName: table, Key: { familyId }, ConsistentRead: true })));
      return Item as Family | undefined;
    },

    revoke,

    async revokeAllOfUser(username, reason, now) {
      let revoked = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await storeCall(() =>
          db.send(
            new QueryCommand({
              TableName: table,
              IndexName: USERNAME_INDEX,
              KeyConditionExpression: 'username = :username',
              ExpressionAttributeValues: { ':username': username },
              ExclusiveStartKey: start,
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          if (item.status !== 'active') continue;
          await revoke(String(item.familyId), username, reason, now);
          revoked += 1;
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return revoked;
    },
  };
}
