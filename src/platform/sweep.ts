/**
 * Removing every item of one user from a table, for `npm run users -- delete`: never on a request
 * path (a scan reads the whole table). Each delete is a plain one, so a sweep that stopped can be
 * run again and finishes what is left.
 */
import { DeleteCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storeCall } from './store-call';

/** Where one user's items are found: a query of an index on `username`, or a scan judged by `matches`. */
export type SweepSource = { readonly index: string } | { readonly scan: (item: Record<string, unknown>, username: string) => boolean };

/** Deletes every item of `username` in `table` (key attribute `key`); returns how many. Error code: ERR_STORE_UNAVAILABLE. */
export async function sweepUser(
  db: DynamoDBDocumentClient,
  table: string,
  key: string,
  source: SweepSource,
  username: string,
): Promise<number> {
  const keys: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await storeCall(() =>
      db.send(
        'index' in source
          ? new QueryCommand({
              TableName: table,
              IndexName: source.index,
              KeyConditionExpression: 'username = :username',
              ExpressionAttributeValues: { ':username': username },
              ExclusiveStartKey: start,
            })
          : new ScanCommand({ TableName: table, ExclusiveStartKey: start }),
      ),
    );
    for (const item of page.Items ?? []) if ('index' in source || source.scan(item, username)) keys.push(item[key]);
    start = page.LastEvaluatedKey;
  } while (start);
  for (const value of keys) await storeCall(() => db.send(new DeleteCommand({ TableName: table, Key: { [key]: value } })));
  return keys.length;
}
