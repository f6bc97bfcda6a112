import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoreConfig } from '../config/config';

/**
 * The DynamoDB document client, created once per cold start. Short timeouts and one retry keep
 * a dead or throttled database from eating the Lambda timeout: the caller answers 503 instead.
 * Locally (`DYNAMODB_ENDPOINT` set) it talks to dynalite with placeholder credentials: the key id
 * given (`localAccessKeyId`), else `local`.
 */
export function createDocumentClient(
  config: Pick<StoreConfig, 'region' | 'dynamodbEndpoint'> & Partial<Pick<StoreConfig, 'localAccessKeyId'>>,
): DynamoDBDocumentClient {
  const local = config.dynamodbEndpoint !== undefined;
  const credentials = { accessKeyId: config.localAccessKeyId ?? 'local', secretAccessKey: 'local' };
  const client = new DynamoDBClient({
    region: config.region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
    ...(local ? { endpoint: config.dynamodbEndpoint, credentials } : {}),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
