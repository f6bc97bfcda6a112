/**
 * The local database: dynalite (the DynamoDB API on loopback) with the tables serverless.yml
 * declares, read from `serverless print` so the schema has one source of truth.
 */
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDocumentClient } from '../src/platform/dynamo-client';
import { hashPassword, type ScryptParams } from '../src/users/password';
import { createDynamoUserStore } from '../src/users/dynamo-user-store';

export const ROOT = path.resolve(__dirname, '..');

// This machine may run Node 20 while Lambda runs 22; the SDK's notice about that is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export const LOCAL_REGION = 'us-east-1';

export interface LocalDatabase {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite on loopback; data persists in `dataPath`, or lives in memory without it. */
export function startDynalite({ port = 0, dataPath }: { port?: number; dataPath?: string } = {}): Promise<LocalDatabase> {
  if (dataPath) mkdirSync(dataPath, { recursive: true });
  const server = dynalite({ path: dataPath, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${bound}`,
        // Also drops open keep-alive connections: otherwise close() waits for clients (the SDK
        // keeps its sockets alive) to go idle, and a test's outage never starts.
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

type CfnTable = { Type: string; Properties: Record<string, unknown> };

/** CloudFormation table properties → a CreateTable request (TTL, PITR and SSE are AWS-only). */
export function toCreateTableInput(properties: Record<string, unknown>): CreateTableCommandInput {
  const { TableName, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode } =
    properties as unknown as CreateTableCommandInput;
  return { TableName, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode };
}

/** A function as `serverless print` shows it: its settings, and what plugins/function-roles.js reads. */
export interface PrintedFunction {
  /** The Lambda function's name (`<service>-<stage>-<function>`). */
  readonly name?: string;
  readonly environment?: Record<string, string>;
  /** One of verify, sign, publish, or a list of them (plugins/function-roles.js). */
  readonly keyAccess?: string | string[];
  readonly iamRoleStatementsName?: string;
}

/** `custom.functionRoles` of serverless.yml, resolved: what plugins/function-roles.js builds the roles from. */
export interface FunctionRoleSettings {
  readonly namePrefix: string;
  readonly jwtAlg: string;
  readonly parameterPath: string;
  readonly kmsKeyArn: string;
  readonly keyParameters: Record<string, Record<string, string[]> | undefined>;
}

/** The subset of `serverless print` this module reads. */
interface PrintedService {
  readonly functions: Record<string, PrintedFunction>;
  readonly resources: { Resources: Record<string, CfnTable> };
  readonly custom?: { functionRoles?: FunctionRoleSettings };
}

/**
 * The service as serverless.yml resolves it for `stage`, the one source of the schema and of the
 * table names. Cached by the content of serverless.yml, since printing takes a few seconds. With a
 * `region` (a deployed stage, as `serverless deploy --region` would resolve it) the cache key also
 * holds the region and every variable serverless.yml reads from the environment (JWT_ALG,
 * KEYS_KMS_KEY_ARN, …), since those change what the functions read.
 */
async function printService(stage: string, region?: string): Promise<PrintedService> {
  const yml = readFileSync(path.join(ROOT, 'serverless.yml'));
  const env: NodeJS.ProcessEnv = { ...process.env, JWT_SECRET: '' };
  const key = createHash('sha256').update(yml);
  if (region !== undefined) {
    const names = [...new Set(Array.from(yml.toString('utf8').matchAll(/\$\{env:(\w+)/g), (match) => match[1] ?? ''))].sort();
    key.update(JSON.stringify([region, names.map((name) => [name, env[name] ?? null])]));
  }
  const cache = path.join(tmpdir(), `fresh-token-service-${stage}${region ? `-${region}` : ''}-${key.digest('hex').slice(0, 16)}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as PrintedService;
  const { stdout } = await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/serverless'),
    ['print', '--stage', stage, ...(region ? ['--region', region] : []), '--format', 'json'],
    {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const printed = JSON.parse(stdout) as PrintedService;
  const { functions, resources, custom } = printed;
  writeFileSync(cache, JSON.stringify({ functions, resources, custom: { functionRoles: custom?.functionRoles } }));
  return printed;
}

/**
 * What a deploy of `stage` to `region` builds its functions and roles from: each function's
 * settings and `keyAccess`, and `custom.functionRoles` (key parameters per algorithm, KMS key).
 */
export async function readDeployment(
  stage: string,
  region: string,
): Promise<{ functions: Record<string, PrintedFunction>; functionRoles: FunctionRoleSettings }> {
  const { functions, custom } = await printService(stage, region);
  if (!custom?.functionRoles) throw new Error('serverless.yml has no custom.functionRoles');
  return { functions, functionRoles: custom.functionRoles };
}

/** The DynamoDB tables serverless.yml declares for `stage`, as CreateTable inputs. */
export async function readTableDefinitions(stage = 'local'): Promise<CreateTableCommandInput[]> {
  const printed = await printService(stage);
  return Object.values(printed.resources.Resources)
    .filter((resource) => resource.Type === 'AWS::DynamoDB::Table')
    .map((resource) => toCreateTableInput(resource.Properties));
}

/** The table settings the stateful functions get on `stage` (users, families, login attempts, passkeys, challenges). */
export async function readTableNames(stage = 'local'): Promise<{
  USERS_TABLE: string;
  FAMILIES_TABLE: string;
  LOGIN_ATTEMPTS_TABLE: string;
  PASSKEYS_TABLE: string;
  PASSKEY_CHALLENGES_TABLE: string;
}> {
  const environment = (await printService(stage)).functions.login?.environment ?? {};
  const { USERS_TABLE, FAMILIES_TABLE, LOGIN_ATTEMPTS_TABLE, PASSKEYS_TABLE, PASSKEY_CHALLENGES_TABLE } = environment;
  if (!USERS_TABLE || !FAMILIES_TABLE || !LOGIN_ATTEMPTS_TABLE || !PASSKEYS_TABLE || !PASSKEY_CHALLENGES_TABLE)
    throw new Error('serverless.yml gives the login function no table names');
  return { USERS_TABLE, FAMILIES_TABLE, LOGIN_ATTEMPTS_TABLE, PASSKEYS_TABLE, PASSKEY_CHALLENGES_TABLE };
}

/** Creates whichever of `tables` do not exist yet. */
export async function ensureTables(endpoint: string, tables: CreateTableCommandInput[]): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  for (const table of tables) {
    if (!TableNames.includes(table.TableName ?? '')) await client.send(new CreateTableCommand(table));
  }
  client.destroy();
}

/**
 * Adds the demo user `test`/`test` unless it exists; local stage only. Its hash has the deployed
 * scrypt cost unless `scrypt` says otherwise (the tests' cheap hasher).
 */
export async function seedDemoUser(endpoint: string, usersTable: string, scrypt?: ScryptParams): Promise<boolean> {
  const users = createDynamoUserStore(createDocumentClient({ region: LOCAL_REGION, dynamodbEndpoint: endpoint }), usersTable);
  if (await users.findUser('test')) return false;
  return users.createUser('test', await hashPassword('test', scrypt), Math.floor(Date.now() / 1000));
}
