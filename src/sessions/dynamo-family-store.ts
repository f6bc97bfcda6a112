import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, storeCall } from '../platform/store-call';
import { sweepUser } from '../platform/sweep';
import { loggedInAfter, type Family, type FamilyStore, type FamilySummary, type RotateResult } from './family-store';

/**
 * The families table's index from username to families, newest login first (declared in
 * serverless.yml, with the attributes a session listing shows).
 */
const SESSIONS_INDEX = 'username-created-index';
const SUMMARY_ATTRIBUTES = [
  'familyId',
  'createdAt',
  'createdAtMs',
  'reauthAtMs',
  'rotatedAt',
  'expiresAt',
  'ip',
  'userAgent',
  'lastIp',
  'lastUserAgent',
] as const;

/**
 * A family is live when active, unexpired and logged in after the user's revocation clock: the
 * rule of `loggedInAfter`, as a condition (rows without createdAtMs compare whole seconds).
 */
const LIVE =
  '#status = :active AND expiresAt > :now AND ' +
  '(createdAtMs > :clockMs OR reauthAtMs > :clockMs OR (attribute_not_exists(createdAtMs) AND createdAt > :clockSeconds))';
const liveValues = (now: number, clockMs: number) => ({
  ':active': 'active',
  ':now': now,
  ':clockMs': clockMs,
  ':clockSeconds': Math.floor(clockMs / 1000),
});

/** Deletes every family (session) of a user (for `npm run users -- delete`); returns how many. Error code: ERR_STORE_UNAVAILABLE. */
export function sweepFamilies(db: DynamoDBDocumentClient, table: string): (username: string) => Promise<number> {
  return (username) => sweepUser(db, table, 'familyId', { index: SESSIONS_INDEX }, username);
}

/** Refresh-token families in DynamoDB, one item per family keyed by `familyId`. */
export function createDynamoFamilyStore(db: DynamoDBDocumentClient, table: string): FamilyStore {
  const conditionalUpdate = async (input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<RotateResult> =>
    (await conditionalWrite(() => db.send(new UpdateCommand(input)))) ? 'rotated' : 'stale';

  /** The pages of one user's families in the sessions index. */
  async function* userPages(
    username: string,
    query: Omit<QueryCommandInput, 'TableName' | 'IndexName' | 'KeyConditionExpression'>,
  ): AsyncGenerator<Record<string, unknown>[]> {
    let start = query.ExclusiveStartKey;
    do {
      const page = await storeCall(() =>
        db.send(
          new QueryCommand({
            ...query,
            TableName: table,
            IndexName: SESSIONS_INDEX,
            KeyConditionExpression: 'username = :username',
            ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ':username': username },
            ExclusiveStartKey: start,
          }),
        ),
      );
      yield page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start);
  }

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

    rotate: ({ familyId, username, oldJti, next, now, expiresAt, loggedInAfterMs, client }) =>
      conditionalUpdate({
        TableName: table,
        Key: { familyId },
        UpdateExpression:
          'SET previousJti = currentJti, currentJti = :new, currentIat = :iat, currentExp = :exp, rotatedAt = :now, ' +
          'expiresAt = :expiresAt, lastIp = :ip, lastUserAgent = :userAgent',
        ConditionExpression: `${LIVE} AND currentJti = :old AND username = :username`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ...liveValues(now, loggedInAfterMs),
          ':old': oldJti,
          ':new': next.jti,
          ':iat': next.iat,
          ':exp': next.exp,
          ':expiresAt': expiresAt,
          ':username': username,
          ':ip': client.ip,
          ':userAgent': client.userAgent,
        },
      }),

    async get(familyId) {
      const { Item } = await storeCall(() => db.send(new GetCommand({ TableName: table, Key: { familyId }, ConsistentRead: true })));
      return Item as Family | undefined;
    },

    revoke,

    async listLive(username, { limit, after, now, loggedInAfterMs }) {
      const families: FamilySummary[] = [];
      const pages = userPages(username, {
        // `LIVE` for the index, whose sort key (createdAt) a filter may not name: the filter lets
        // the few old rows without createdAtMs through, and `loggedInAfter` judges them by their second.
        FilterExpression:
          '#status = :active AND expiresAt > :now AND (createdAtMs > :clockMs OR reauthAtMs > :clockMs OR attribute_not_exists(createdAtMs))',
        ProjectionExpression: SUMMARY_ATTRIBUTES.join(', '),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'active', ':now': now, ':clockMs': loggedInAfterMs },
        ScanIndexForward: false,
        ExclusiveStartKey: after && { ...after, username },
        // The filter applies after DynamoDB's page limit: read on until one more than asked for
        // turns up (so `more` is exact) or the user's families run out.
        Limit: limit + 1,
      });
      for await (const items of pages) {
        families.push(...(items as FamilySummary[]).filter((family) => loggedInAfter(family, loggedInAfterMs)));
        if (families.length > limit) break;
      }
      return { families: families.slice(0, limit), more: families.length > limit };
    },

    end: (familyId, username, now, loggedInAfterMs) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { familyId },
            UpdateExpression: 'SET #status = :revoked, revokedReason = :reason, revokedAt = :now',
            ConditionExpression: `${LIVE} AND username = :username`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ...liveValues(now, loggedInAfterMs),
              ':revoked': 'revoked',
              ':reason': 'ended-by-user',
              ':username': username,
            },
          }),
        ),
      ),

    reauthenticate: (familyId, username, atMs) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { familyId },
            UpdateExpression: 'SET reauthAtMs = :atMs',
            ConditionExpression: '#status = :active AND username = :username AND expiresAt > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':atMs': atMs, ':active': 'active', ':username': username, ':now': Math.floor(atMs / 1000) },
          }),
        ),
      ),

    async revokeAllOfUser(username, reason, now, except) {
      let revoked = 0;
      for await (const items of userPages(username, {})) {
        for (const item of items) {
          if (item.status !== 'active' || item.familyId === except) continue;
          await revoke(String(item.familyId), username, reason, now);
          revoked += 1;
        }
      }
      return revoked;
    },
  };
}
