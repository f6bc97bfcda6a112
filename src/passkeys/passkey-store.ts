/**
 * Passkeys in DynamoDB, one item per credential keyed by `credentialId` (base64url):
 * username, publicKey (COSE, binary), counter, transports, backedUp, deviceType, aaguid, name,
 * createdAt, lastUsedAt (epoch seconds). A user's passkeys are found through `username-created-index`.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, storeCall } from '../platform/store-call';
import { sweepUser } from '../platform/sweep';

/** One stored passkey. */
export interface PasskeyRecord {
  readonly credentialId: string;
  readonly username: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports?: readonly string[];
  readonly backedUp: boolean;
  readonly deviceType: string;
  readonly aaguid: string;
  readonly name: string;
  readonly createdAt: number;
  readonly lastUsedAt?: number;
}

/**
 * A user may keep this many passkeys, held by a slot count on the user's row; the list route and a
 * step-up's options name every passkey a user has (all pages of the index, so also rows stored
 * before the limit was held where they are stored).
 */
export const MAX_PASSKEYS_PER_USER = 20;

export interface PasskeyStore {
  /** Error code: ERR_STORE_UNAVAILABLE. */
  find(credentialId: string): Promise<PasskeyRecord | undefined>;
  /** A user's passkeys, oldest first. Error code: ERR_STORE_UNAVAILABLE. */
  listFor(username: string): Promise<PasskeyRecord[]>;
  /** Stores a new passkey; false if the credential id is taken. Error code: ERR_STORE_UNAVAILABLE. */
  add(record: PasskeyRecord): Promise<boolean>;
  /**
   * Records a use: the new counter and backup state, only if the counter is still `expected`
   * (false: another use got in between). Error code: ERR_STORE_UNAVAILABLE.
   */
  recordUse(credentialId: string, use: { expected: number; counter: number; backedUp: boolean; now: number }): Promise<boolean>;
  /** Deletes the passkey if it is `username`'s; false otherwise. Error code: ERR_STORE_UNAVAILABLE. */
  remove(credentialId: string, username: string): Promise<boolean>;
}

export function createDynamoPasskeyStore(db: DynamoDBDocumentClient, table: string): PasskeyStore {
  return {
    async find(credentialId) {
      const { Item } = await storeCall(() => db.send(new GetCommand({ TableName: table, Key: { credentialId }, ConsistentRead: true })));
      return Item ? toRecord(Item) : undefined;
    },

    async listFor(username) {
      const records: PasskeyRecord[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await storeCall(() =>
          db.send(
            new QueryCommand({
              TableName: table,
              IndexName: 'username-created-index',
              KeyConditionExpression: 'username = :username',
              ExpressionAttributeValues: { ':username': username },
              ExclusiveStartKey: start,
            }),
          ),
        );
        records.push(...(page.Items ?? []).map(toRecord));
        start = page.LastEvaluatedKey;
      } while (start);
      return records;
    },

    add: (record) =>
      conditionalWrite(() =>
        db.send(
          new PutCommand({
            TableName: table,
            Item: { ...record, transports: record.transports ? [...record.transports] : undefined },
            ConditionExpression: 'attribute_not_exists(credentialId)',
          }),
        ),
      ),

    recordUse: (credentialId, { expected, counter, backedUp, now }) =>
      conditionalWrite(() =>
        db.send(
          new UpdateCommand({
            TableName: table,
            Key: { credentialId },
            UpdateExpression: 'SET #counter = :counter, backedUp = :backedUp, lastUsedAt = :now',
            ConditionExpression: 'attribute_exists(credentialId) AND #counter = :expected',
            ExpressionAttributeNames: { '#counter': 'counter' },
            ExpressionAttributeValues: { ':counter': counter, ':expected': expected, ':backedUp': backedUp, ':now': now },
          }),
        ),
      ),

    remove: (credentialId, username) =>
      conditionalWrite(() =>
        db.send(
          new DeleteCommand({
            TableName: table,
            Key: { credentialId },
            ConditionExpression: 'username = :username',
            ExpressionAttributeValues: { ':username': username },
          }),
        ),
      ),
  };
}

/** Deletes every passkey of a user (for `npm run users -- delete`); returns how many. Error code: ERR_STORE_UNAVAILABLE. */
export function sweepPasskeys(db: DynamoDBDocumentClient, table: string): (username: string) => Promise<number> {
  return (username) => sweepUser(db, table, 'credentialId', { index: 'username-created-index' }, username);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function toRecord(item: Record<string, unknown>): PasskeyRecord {
  const transports = Array.isArray(item.transports) ? (item.transports as string[]) : undefined;
  const record = {
    credentialId: text(item.credentialId),
    username: text(item.username),
    publicKey: item.publicKey instanceof Uint8Array ? item.publicKey : new Uint8Array(),
    counter: Number(item.counter ?? 0),
    backedUp: item.backedUp === true,
    deviceType: text(item.deviceType),
    aaguid: text(item.aaguid),
    name: text(item.name),
    createdAt: Number(item.createdAt ?? 0),
    ...(transports ? { transports } : {}),
    ...(typeof item.lastUsedAt === 'number' ? { lastUsedAt: item.lastUsedAt } : {}),
  };
  return record;
}
