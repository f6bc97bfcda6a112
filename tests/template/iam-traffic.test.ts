import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyMaterial } from '../../scripts/local-keys';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { addUser } from '../../src/users/user-admin';
import { startAwsCallRecorder, type AwsCall, type AwsCallRecorder } from '../helpers/aws-call-recorder';
import { startFakeSsm, type FakeSsm } from '../helpers/fake-ssm';
import { flaskToken } from '../helpers/flask-tokens';
import { apiClient } from '../helpers/http-client';
import {
  decide,
  functionRoles,
  type FunctionRole,
  grantsOf,
  iamRequestsOf,
  type IamRequest,
  type PolicyDocument,
  type Template,
} from '../helpers/iam-roles';
import { startTestApi, type TestApi } from '../helpers/local-stack';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { adminDeps } from '../helpers/users';
import { NEUTRAL_ENV, packagedProd, ROOT, SERVERLESS } from './packaged-prod';

// IAM proved by traffic, both ways. Every AWS call each function and authorizer makes while the
// routes are used (through serverless-offline, against dynalite and the SSM stand-in, each function
// signing with an access key id of its own: plugins/offline-identities.js) is judged by a real IAM
// evaluator against that function's role in the packaged CloudFormation template: every call must
// be Allowed, and every action a role grants must be used by some call here, or be listed below
// with the reason no local test can use it. Both key algorithms (HS256 with the previous-secrets
// parameter, EdDSA) and a customer-managed KMS key are covered.

const SERVICE = 'fresh-token-lambda';
// The stage serverless-offline runs; its template names the same tables and parameters.
const STAGE = 'local';
const REGION = 'us-east-1';
const KMS_KEY = `arn:aws:kms:${REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const PARAMETER = (name: string) => `/${SERVICE}/${STAGE}/${name}`;

/** Grants no test here can use, by action, with the reason. Nothing else may go unused. */
const UNUSED_BY_DESIGN: Record<string, string> = {
  'logs:CreateLogGroup': 'the Lambda runtime writes a function’s logs to CloudWatch Logs; none of our code calls it',
  'logs:CreateLogStream': 'the Lambda runtime writes a function’s logs to CloudWatch Logs; none of our code calls it',
  'logs:PutLogEvents': 'the Lambda runtime writes a function’s logs to CloudWatch Logs; none of our code calls it',
};

/** A packaged variant's roles, by function. */
type Variant = Map<string, FunctionRole>;

/**
 * `serverless package` of the local stage, as AWS would get it: each function's role. From the
 * tier's one build (packaged-prod.ts): a stage or an option changes the template, never the code.
 */
async function packageVariant(env: Record<string, string>): Promise<Variant> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-iam-'));
  try {
    const { zips } = packagedProd();
    for (const zip of readdirSync(zips)) copyFileSync(path.join(zips, zip), path.join(outDir, zip));
    await promisify(execFile)(SERVERLESS, ['package', '--stage', STAGE, '--region', REGION, '--package', outDir], {
      cwd: ROOT,
      env: { ...process.env, ...NEUTRAL_ENV, BUILD_DIR: path.relative(ROOT, path.join(outDir, 'build')), REUSE_BUILD: 'true', ...env },
    });
    const template = JSON.parse(readFileSync(path.join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
    return functionRoles(template, REGION, SERVICE, STAGE);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

interface Stack {
  readonly api: TestApi;
  readonly ssm: FakeSsm;
  readonly recorders: AwsCallRecorder[];
  readonly request: ReturnType<typeof apiClient>;
  readonly port: number;
  calls(): AwsCall[];
  stop(): Promise<void>;
}

/** A local stack whose every AWS call is recorded on its way to dynalite or the SSM stand-in. */
async function startRecordedStack(parameters: Record<string, string>, env: Record<string, string>): Promise<Stack> {
  const ssm = await startFakeSsm(parameters);
  const ssmRecorder = await startAwsCallRecorder(ssm.endpoint);
  const recorders = [ssmRecorder];
  const api = await startTestApi(
    {
      JWT_SECRET: '',
      AWS_ENDPOINT_URL_SSM: ssmRecorder.endpoint,
      OFFLINE_FUNCTION_IDENTITIES: 'true',
      KEYS_KMS_KEY_ARN: KMS_KEY,
      ...env,
    },
    async (database) => {
      const recorder = await startAwsCallRecorder(database);
      recorders.push(recorder);
      return recorder.endpoint;
    },
  );
  const port = Number(new URL(api.baseUrl).port);
  return {
    api,
    ssm,
    recorders,
    request: apiClient(api.baseUrl),
    port,
    calls: () => recorders.flatMap((recorder) => recorder.calls),
    stop: async () => {
      await api.stop();
      await Promise.all(recorders.map((recorder) => recorder.close()));
      await ssm.close();
    },
  };
}

type Tokens = { access_token: string; refresh_token: string };

async function ok(response: Promise<{ status: number; json: Record<string, unknown>; text: string }>, status = 200) {
  const answer = await response;
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${answer.text}`);
  return answer.json;
}

const HS256_SECRET = 'iam-traffic-secret-0123456789abcdef-0123456789';
const HS256_OLD_SECRET = 'iam-traffic-old-secret-0123456789abcdef-01234';

let hs256: Variant;
let eddsa: Variant;
let stacks: { name: string; stack: Stack; variant: () => Variant }[] = [];

beforeAll(async () => {
  // One package at a time: serverless-esbuild moves zips through the service's own .serverless/.
  hs256 = await packageVariant({ JWT_ALG: 'HS256', KEYS_KMS_KEY_ARN: KMS_KEY });
  eddsa = await packageVariant({ JWT_ALG: 'EdDSA', KEYS_KMS_KEY_ARN: KMS_KEY });
  const keys = await generateKeyMaterial('EdDSA');
  const [flask, asymmetric] = await Promise.all([
    // HS256 with tokens of the flask-jwt-extended format: a Flask refresh token starts a family.
    startRecordedStack(
      { [PARAMETER('jwt-secret')]: HS256_SECRET, [PARAMETER('jwt-previous-secrets')]: JSON.stringify([HS256_OLD_SECRET]) },
      {
        JWT_ALG: 'HS256',
        TOKEN_FORMAT: 'flask-jwt-extended',
        JWT_SECRET_PARAM: PARAMETER('jwt-secret'),
        JWT_PREVIOUS_SECRETS_PARAM: PARAMETER('jwt-previous-secrets'),
      },
    ),
    startRecordedStack(
      { [PARAMETER('jwt-public-keys')]: keys.publicKeys, [PARAMETER('jwt-private-key')]: keys.privateKey },
      { JWT_ALG: 'EdDSA', JWT_PUBLIC_KEYS_PARAM: PARAMETER('jwt-public-keys'), JWT_PRIVATE_KEY_PARAM: PARAMETER('jwt-private-key') },
    ),
  ]);
  stacks = [
    { name: 'HS256', stack: flask, variant: () => hs256 },
    { name: 'EdDSA', stack: asymmetric, variant: () => eddsa },
  ];
}, 600_000);

afterAll(async () => {
  await Promise.all(stacks.map(({ stack }) => stack.stop()));
});

/** The password routes, sessions and the account routes, as a user goes through them. */
async function useTheAccountRoutes(stack: Stack, username: string) {
  const { request } = stack;
  const password = `${username}-first-passphrase`;
  await addUser(adminDeps(stack.api.db), username, password);
  await ok(request('POST', '/login', { json: { username, password: 'wrong-password' } }), 401);
  const first = (await ok(request('POST', '/login', { json: { username, password } }))) as Tokens;
  // A second session, for the list and for ending one of them.
  await ok(request('POST', '/login', { json: { username, password } }));
  await ok(request('GET', '/protected', { token: first.access_token }));
  await ok(request('GET', '/protected-fresh', { token: first.access_token }));
  await ok(request('GET', '/protected-recent', { token: first.access_token }));
  // A password is not the passkey fresh-strong asks for: refused, after reading the keys.
  await ok(request('GET', '/protected-strong', { token: first.access_token }), 401);
  const rotated = (await ok(request('POST', '/refresh', { token: first.refresh_token }))) as Tokens;
  // A retry of the same refresh, as a client whose answer was lost: the same successor, looked up.
  await ok(request('POST', '/refresh', { token: first.refresh_token }));
  await ok(request('POST', '/fresh-login', { json: { username, password: 'wrong-password' } }), 401);
  const fresh = (await ok(request('POST', '/fresh-login', { json: { username, password }, token: rotated.refresh_token }))) as Tokens;
  await ok(request('GET', '/me', { token: fresh.access_token }));
  await ok(request('PUT', '/me/email', { token: fresh.access_token, json: { email: `${username}@example.com` } }));
  const sessions = (await ok(request('GET', '/sessions', { token: fresh.access_token }))) as {
    sessions: { id: string; current: boolean }[];
  };
  const other = sessions.sessions.find((session) => !session.current);
  await ok(request('DELETE', `/sessions/${encodeURIComponent(other!.id)}`, { token: fresh.access_token }));
  const newPassword = `${username}-second-passphrase-9`;
  await ok(
    request('PUT', '/me/password', { token: fresh.access_token, json: { current_password: 'wrong-password', new_password: newPassword } }),
    401,
  );
  await ok(request('PUT', '/me/password', { token: fresh.access_token, json: { current_password: password, new_password: newPassword } }));
  await ok(request('DELETE', '/sessions', { token: fresh.access_token }));
  const last = (await ok(request('POST', '/login', { json: { username, password: newPassword } }))) as Tokens;
  await ok(request('POST', '/logout', { token: last.refresh_token }));
}

/** Passkeys: registered, listed, used to log in and to step up, removed. */
async function useThePasskeyRoutes(stack: Stack, username: string) {
  const { request } = stack;
  const password = `${username}-first-passphrase`;
  await addUser(adminDeps(stack.api.db), username, password);
  // A row from before passkey slots were counted: the first registration counts its passkeys.
  const db = createDocumentClient({ region: REGION, dynamodbEndpoint: stack.api.db.endpoint });
  await db.send(new UpdateCommand({ TableName: stack.api.db.env.USERS_TABLE, Key: { username }, UpdateExpression: 'REMOVE passkeyCount' }));
  db.destroy();
  const key = new SoftAuthenticator({ origin: `http://localhost:${stack.port}` });
  const tokens = (await ok(request('POST', '/login', { json: { username, password } }))) as Tokens;
  const creation = (await ok(request('POST', '/me/passkeys/options', { token: tokens.access_token }))) as { challenge: string };
  await ok(request('POST', '/me/passkeys', { token: tokens.access_token, json: { credential: key.create(creation), name: 'Phone' } }), 201);
  await ok(request('GET', '/me/passkeys', { token: tokens.access_token }));
  const loginOptions = (await ok(request('POST', '/login/passkey/options'))) as { challenge: string };
  const byPasskey = (await ok(request('POST', '/login', { json: { passkey: key.get(loginOptions) } }))) as Tokens;
  const stepUpOptions = (await ok(request('POST', '/fresh-login/passkey/options', { token: byPasskey.access_token }))) as {
    challenge: string;
  };
  const strong = (await ok(
    request('POST', '/fresh-login', { token: byPasskey.refresh_token, json: { passkey: key.get(stepUpOptions) } }),
  )) as Tokens;
  await ok(request('GET', '/protected-strong', { token: strong.access_token }));
  await ok(request('DELETE', `/me/passkeys/${key.credentialId}`, { token: strong.access_token }));
  await ok(request('GET', '/.well-known/jwks.json'));
  await ok(request('GET', '/openapi.json'));
  expect((await request('GET', '/')).status).toBe(200);
}

/** Refresh tokens of a flask-jwt-extended app: exchanged for a family of ours, logged out. */
async function useFlaskTokens(stack: Stack, username: string) {
  const { request } = stack;
  await addUser(adminDeps(stack.api.db), username, `${username}-first-passphrase`);
  await ok(request('GET', '/protected', { token: await flaskToken(HS256_SECRET, 'access', { sub: username }) }));
  await ok(request('POST', '/refresh', { token: await flaskToken(HS256_SECRET, 'refresh', { sub: username }) }));
  await ok(request('POST', '/logout', { token: await flaskToken(HS256_SECRET, 'refresh', { sub: username }) }));
}

/** Each recorded call as IAM requests, by function; a call signed by no function fails here. */
function requestsByFunction(calls: readonly AwsCall[], variant: Variant): Map<string, IamRequest[]> {
  const byFunction = new Map<string, IamRequest[]>();
  for (const call of calls) {
    expect({ call: `${call.service}.${call.operation}`, signedBy: variant.has(call.keyId) ? 'a function' : call.keyId }).toEqual({
      call: `${call.service}.${call.operation}`,
      signedBy: 'a function',
    });
    byFunction.set(call.keyId, [...(byFunction.get(call.keyId) ?? []), ...iamRequestsOf(call, REGION, KMS_KEY)]);
  }
  return byFunction;
}

describe('IAM, proved by traffic', () => {
  let observed: { stack: string; variant: Variant; byFunction: Map<string, IamRequest[]> }[] = [];

  beforeAll(async () => {
    const [flask, asymmetric] = stacks.map(({ stack }) => stack) as [Stack, Stack];
    try {
      await Promise.all([
        useTheAccountRoutes(flask, 'hal'),
        useFlaskTokens(flask, 'flo'),
        useTheAccountRoutes(asymmetric, 'eve'),
        useThePasskeyRoutes(asymmetric, 'pia'),
      ]);
    } catch (err) {
      // What the functions logged says why a route answered otherwise.
      throw new Error(
        `${(err as Error).message}\n${stacks.map(({ name, stack }) => `--- ${name}:\n${stack.api.output().slice(-4000)}`).join('\n')}`,
        { cause: err },
      );
    }
    observed = stacks.map(({ name, stack, variant }) => ({
      stack: name,
      variant: variant(),
      byFunction: requestsByFunction(stack.calls(), variant()),
    }));
  }, 600_000);

  it('allows every AWS call each function made, under its own role in the packaged template', async () => {
    const denied: string[] = [];
    let judged = 0;
    for (const { stack, variant, byFunction } of observed) {
      for (const [fn, requests] of byFunction) {
        const unique = [...new Map(requests.map((r) => [`${r.action} ${r.resource}`, r])).values()];
        for (const request of unique) {
          judged += 1;
          const { policies, roleName } = variant.get(fn)!;
          const decision = await decide(policies, request, roleName);
          if (decision !== 'Allowed') denied.push(`${stack}: ${fn} → ${request.action} on ${request.resource}: ${decision}`);
        }
      }
    }
    expect(denied).toEqual([]);
    expect(judged).toBeGreaterThan(0);
  });

  it('grants no action that no call here used, but those listed with their reason', async () => {
    const unused: string[] = [];
    for (const { stack, variant } of observed) {
      for (const [fn, { policies, roleName }] of variant) {
        const requests = observed.flatMap((seen) => seen.byFunction.get(fn) ?? []);
        for (const grant of grantsOf(policies)) {
          if (grant.action in UNUSED_BY_DESIGN) continue;
          const alone: PolicyDocument[] = [
            { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: grant.action, Resource: grant.resource }] },
          ];
          let used = false;
          for (const request of requests.filter((r) => r.action === grant.action)) {
            if ((await decide(alone, request, roleName)) === 'Allowed') {
              used = true;
              break;
            }
          }
          if (!used) unused.push(`${stack}: ${fn} is granted ${grant.action} on ${grant.resource}, never used`);
        }
      }
    }
    expect(unused).toEqual([]);
  });
});
