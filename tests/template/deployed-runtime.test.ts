import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureTables, startDynalite, toCreateTableInput, type LocalDatabase } from '../../scripts/local-db';
import { generateKeyMaterial } from '../../scripts/local-keys';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import { hashPassword } from '../../src/users/password';
import { authorizerEvent, httpEvent } from '../helpers/events';
import { startFakeSsm, type FakeSsm } from '../helpers/fake-ssm';
import { installLambdaNode, installPackages, nodeMajorOf } from '../helpers/lambda-runtime';
import { extractZip } from '../helpers/unzip';
import { packagedProd, ROOT } from './packaged-prod';

// Every function of the packaged prod template, loaded from its own zip by its Handler string and
// invoked once, under the Node major of the template's Runtime (nodejs22.x → Node 22 from npm, while
// the tests themselves may run on another): a Node 20-only habit (an API, a module-loading rule)
// cannot slip through. The Lambda runtime's own loading rules are copied in
// tests/helpers/lambda-runtime-invoke.js, with the experimental features Lambda turns off turned off.
//
// The externals (serverless.yml custom.esbuild.external) come from the runtime (@aws-sdk/*) and the
// Powertools layer (@aws-lambda-powertools/*) on AWS. Here they come from node_modules, twice: at the
// lock file's versions, and at the oldest versions the runtime and the layer can provide
// (PROVIDED_FLOOR), so code that needs a newer SDK or Powertools than AWS gives fails here.

type Resource = { Type: string; Properties: Record<string, unknown> };
type Ref = { Ref: string };
type GetAtt = { 'Fn::GetAtt': [string, string] };

/**
 * The oldest versions the deployed runtime provides, as far as public sources say. Neither AWS nor
 * Powertools publishes a fixed version for what this template asks for:
 * - AWS SDK for JavaScript v3 in nodejs22.x: "a specific minor version … depends on the runtime
 *   version and your AWS Region", updated over time (docs.aws.amazon.com/lambda/latest/dg/
 *   lambda-nodejs.html#nodejs-sdk-included). 3.895.0 is what nodejs22.x shipped when aws/aws-cdk
 *   wrote it down (packages/@aws-cdk-testing/framework-integ/test/aws-lambda/test/
 *   integ.capacity-provider-defaults.ts: "The nodejs22.x Lambda runtime currently ships SDK
 *   3.895.0"); later runtime updates only raise it.
 * - Powertools in layer AWSLambdaPowertoolsTypeScriptV2:44: the layer's own description names its
 *   version, readable only with AWS credentials (aws lambda get-layer-version-by-arn). Powertools'
 *   docs (docs/getting-started/lambda-layers.md) show layer version 24 as 2.18.0; layer numbers
 *   only grow with releases, so layer 44 holds 2.18.0 or later.
 * Running every function on these floors and on the lock file's versions covers what lies between,
 * as long as neither package removes, within its major, an API the code calls (semver promises it
 * for public APIs; Powertools' packages have moved internal exports between each other, see below).
 */
const SDK_FLOOR = '3.895.0';
const POWERTOOLS_FLOOR = '2.18.0';
/**
 * The layer ships every Powertools package of one release, so Parameters comes with the Commons of
 * its own version (Parameters 2.18.0 under a newer Commons fails: Commons dropped an export it uses).
 */
const PROVIDED_FLOOR = {
  label: `SDK ${SDK_FLOOR}, Powertools ${POWERTOOLS_FLOOR}`,
  specs: [
    `@aws-sdk/client-ssm@${SDK_FLOOR}`,
    `@aws-lambda-powertools/parameters@${POWERTOOLS_FLOOR}`,
    `@aws-lambda-powertools/commons@${POWERTOOLS_FLOOR}`,
  ],
};
const FLOOR_LAYER_VERSION = 44;

/** What the operator's shell gives `serverless deploy` for passkeys (unset, those routes answer 501). */
const OPERATOR_SETTINGS = { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.com' };
const REGION = 'eu-west-1';
const INVOKER = path.join(ROOT, 'tests/helpers/lambda-runtime-invoke.js');
/** The experimental features Lambda's Node 22 runtime turns off (lambda-nodejs.html#nodejs-experimental-features). */
const LAMBDA_NODE_FLAGS = ['--no-experimental-require-module', '--no-experimental-detect-module'];

interface LambdaFunction {
  readonly id: string;
  readonly name: string;
  readonly handler: string;
  readonly runtime: string;
  readonly memory: number;
  readonly timeout: number;
  readonly zip: string;
  readonly variables: Record<string, string>;
}

interface Route {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly functionId: string;
  readonly authorizerFunctionId?: string;
}

type Outcome = ({ ok: true; result: unknown } | { ok: false; errorType: string; errorMessage: string }) & { log?: string };

let resources: Record<string, Resource>;
let functions: Map<string, LambdaFunction>;
let routes: Route[];
let authorizerFunctionIds: string[];
let node: { bin: string; version: string };
let work: string;
let db: LocalDatabase;
let ssm: FakeSsm;

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** The function a `…/functions/${Fn::GetAtt …Arn}/invocations` URI names. */
function functionOfUri(uri: unknown): string {
  const parts = (uri as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const arn = parts.find((part): part is GetAtt => typeof part === 'object' && part !== null && 'Fn::GetAtt' in part);
  if (!arn) throw new Error(`no function in ${JSON.stringify(uri)}`);
  return arn['Fn::GetAtt'][0];
}

/** The path of an API Gateway resource id, from its PathPart chain. */
function pathOf(resourceId: Ref | GetAtt): string {
  if ('Fn::GetAtt' in resourceId) return '/';
  const parts: string[] = [];
  let id: Ref | GetAtt = resourceId;
  while ('Ref' in id) {
    const properties = resources[id.Ref]!.Properties as { PathPart: string; ParentId: Ref | GetAtt };
    parts.unshift(properties.PathPart);
    id = properties.ParentId;
  }
  return `/${parts.join('/')}`;
}

function readTemplate(): void {
  const prod = packagedProd();
  resources = (JSON.parse(prod.template) as { Resources: Record<string, Resource> }).Resources;
  functions = new Map(
    ofType('AWS::Lambda::Function').map(([id, { Properties: p }]) => [
      id,
      {
        id,
        name: p.FunctionName as string,
        handler: p.Handler as string,
        runtime: p.Runtime as string,
        memory: p.MemorySize as number,
        timeout: p.Timeout as number,
        zip: path.join(prod.zips, path.basename((p.Code as { S3Key: string }).S3Key)),
        variables: (p.Environment as { Variables: Record<string, string> } | undefined)?.Variables ?? {},
      },
    ]),
  );
  const authorizers = new Map(ofType('AWS::ApiGateway::Authorizer').map(([id, { Properties: p }]) => [id, functionOfUri(p.AuthorizerUri)]));
  authorizerFunctionIds = [...new Set(authorizers.values())].sort();
  routes = ofType('AWS::ApiGateway::Method')
    .filter(([, { Properties: p }]) => (p.Integration as { Type: string }).Type === 'AWS_PROXY')
    .map(([, { Properties: p }]) => {
      const method = p.HttpMethod as string;
      const routePath = pathOf(p.ResourceId as Ref | GetAtt);
      const authorizerId = (p.AuthorizerId as Ref | undefined)?.Ref;
      return {
        key: `${method} ${routePath}`,
        method,
        path: routePath,
        functionId: functionOfUri((p.Integration as { Uri: unknown }).Uri),
        ...(authorizerId === undefined ? {} : { authorizerFunctionId: authorizers.get(authorizerId)! }),
      };
    });
}

/** A value for each key parameter the template names, by the setting that names it. */
async function parameterValues(): Promise<Record<string, string>> {
  const pair = await generateKeyMaterial('EdDSA');
  const byVariable: Record<string, string> = {
    JWT_SECRET_PARAM: randomBytes(48).toString('base64url'),
    JWT_PREVIOUS_SECRETS_PARAM: JSON.stringify([randomBytes(48).toString('base64url')]),
    JWT_PUBLIC_KEYS_PARAM: pair.publicKeys,
    JWT_PRIVATE_KEY_PARAM: pair.privateKey,
  };
  const values: Record<string, string> = {};
  for (const fn of functions.values()) {
    for (const [variable, name] of Object.entries(fn.variables)) {
      if (!variable.endsWith('_PARAM') || name === '') continue;
      const value = byVariable[variable];
      if (value === undefined) throw new Error(`${fn.name}: the test has no value for the parameter ${variable} names`);
      values[name] = value;
    }
  }
  return values;
}

async function startDatabase(): Promise<void> {
  db = await startDynalite();
  await ensureTables(
    db.endpoint,
    ofType('AWS::DynamoDB::Table').map(([, table]) => toCreateTableInput(table.Properties)),
  );
}

/** A user as `npm run users` would add one: the deployed scrypt cost, since the functions verify at it. */
async function addUser(username: string, password: string): Promise<void> {
  const usersTable = [...functions.values()].find((fn) => fn.variables.USERS_TABLE)?.variables.USERS_TABLE;
  if (usersTable === undefined) throw new Error('no function names the users table');
  const users = createDynamoUserStore(createDocumentClient({ region: REGION, dynamodbEndpoint: db.endpoint }), usersTable);
  expect(await users.createUser(username, await hashPassword(password), Math.floor(Date.now() / 1000))).toBe(true);
}

/**
 * A folder standing for Lambda's view of the code: each function's zip unpacked into `<root>/<name>`,
 * and `<root>/node_modules` holding only what the runtime and the layer provide (`provided`: the
 * @aws-sdk and @aws-lambda-powertools scopes), nothing else of the project's node_modules.
 */
function unpackFunctions(root: string, provided: string): void {
  mkdirSync(path.join(root, 'node_modules'), { recursive: true });
  for (const scope of ['@aws-sdk', '@aws-lambda-powertools'])
    symlinkSync(path.join(provided, scope), path.join(root, 'node_modules', scope), 'dir');
  for (const fn of functions.values()) extractZip(fn.zip, path.join(root, fn.name));
}

/** Invokes `fn` once under the template's Node major, with its template environment, as Lambda would. */
async function invoke(root: string, fn: LambdaFunction, event: unknown): Promise<Outcome> {
  const taskRoot = path.join(root, fn.name);
  const eventFile = path.join(root, `${fn.name}-event.json`);
  const resultFile = path.join(root, `${fn.name}-result.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  rmSync(resultFile, { force: true });
  const present = (names: Record<string, string>) => Object.fromEntries(Object.entries(names).filter(([name]) => name in fn.variables));
  const env = {
    ...fn.variables,
    ...present(OPERATOR_SETTINGS),
    // Locally, what AWS gives a deployed function: its database, SSM, credentials (placeholders here).
    ...present({ DYNAMODB_ENDPOINT: db.endpoint }),
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ACCESS_KEY_ID: 'runtime-test',
    AWS_SECRET_ACCESS_KEY: 'runtime-test',
    AWS_EC2_METADATA_DISABLED: 'true',
    // What the Lambda runtime sets for every function.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memory),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeout),
    LAMBDA_TASK_ROOT: taskRoot,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: process.env.PATH ?? '',
  };
  let log: string;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      node.bin,
      [...LAMBDA_NODE_FLAGS, INVOKER, taskRoot, fn.handler, eventFile, resultFile],
      {
        cwd: taskRoot,
        env,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    log = stdout + stderr;
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`${fn.name} did not run under Node ${node.version}: ${stderr ?? String(err)}`, { cause: err });
  }
  const { node: ranOn, ...outcome } = JSON.parse(readFileSync(resultFile, 'utf8')) as Outcome & { node: string };
  // The function's own process says which Node ran it.
  if (ranOn !== `v${node.version}`) throw new Error(`${fn.name} ran on Node ${ranOn}, not ${node.version}`);
  // The function's own log lines (Powertools JSON; never a token), kept out of the compared outcome.
  Object.defineProperty(outcome, 'log', { value: log, enumerable: false });
  return outcome;
}

/** `@scope/name` or `name` of an import specifier with a subpath. */
function packageOf(specifier: string): string {
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}

function functionNamed(shortName: string): LambdaFunction {
  const found = [...functions.values()].find((fn) => fn.name === `fresh-token-lambda-prod-${shortName}`);
  if (!found) throw new Error(`no function ${shortName}`);
  return found;
}

function shortName(fn: LambdaFunction): string {
  return fn.name.replace('fresh-token-lambda-prod-', '');
}

beforeAll(async () => {
  readTemplate();
  const runtimes = [...new Set([...functions.values()].map((fn) => fn.runtime))];
  expect(runtimes).toHaveLength(1);
  node = await installLambdaNode(nodeMajorOf(runtimes[0]!));
  work = mkdtempSync(path.join(tmpdir(), 'fresh-token-runtime-'));
  ssm = await startFakeSsm(await parameterValues());
  await startDatabase();
}, 300_000);

afterAll(async () => {
  await ssm?.close();
  await db?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

it('runs the functions under the Node major of the template runtime, which is not necessarily this one', () => {
  const [runtime] = new Set([...functions.values()].map((fn) => fn.runtime));
  expect(Number(node.version.split('.')[0])).toBe(nodeMajorOf(runtime!));
  // The binary answers for itself, not only its package's manifest.
  return expect(promisify(execFile)(node.bin, ['--version'])).resolves.toMatchObject({ stdout: `v${node.version}\n` });
});

it('names the Powertools layer version whose floor PROVIDED_FLOOR states', () => {
  const layers = new Set([...ofType('AWS::Lambda::Function')].flatMap(([, fn]) => (fn.Properties.Layers as string[] | undefined) ?? []));
  expect([...layers].map((arn) => arn.replace(/^arn:aws:lambda:[^:]+:/, ''))).toEqual([
    `094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:${FLOOR_LAYER_VERSION}`,
  ]);
});

it('leaves to the runtime and the layer only the packages PROVIDED_FLOOR covers', async () => {
  // Every bare import a bundle keeps (esbuild's parse of the unzipped bundle; the rest is bundled).
  const imports = new Set<string>();
  const root = path.join(work, 'scan');
  for (const fn of functions.values()) {
    for (const file of extractZip(fn.zip, path.join(root, fn.name))) {
      const { metafile } = await build({
        entryPoints: [path.join(root, fn.name, file)],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        logLevel: 'silent',
      });
      for (const { path: specifier, external } of Object.values(metafile.inputs).flatMap((input) => input.imports))
        if (external && !isBuiltin(specifier)) imports.add(packageOf(specifier));
    }
  }
  expect(imports.size).toBeGreaterThan(0);
  expect([...imports].filter((name) => !PROVIDED_FLOOR.specs.some((spec) => spec.startsWith(`${name}@`)))).toEqual([]);
});

/** The version of `name` the lock file installs. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  return lock.packages[`node_modules/${name}`]!.version;
}

describe.each([
  [
    'lock',
    'the lock file’s versions of the externals',
    () => Promise.resolve(path.join(ROOT, 'node_modules')),
    () => ({ sdk: lockedVersion('@aws-sdk/client-ssm'), powertools: lockedVersion('@aws-lambda-powertools/parameters') }),
  ],
  [
    'floor',
    `the oldest the runtime and layer provide (${PROVIDED_FLOOR.label})`,
    () => installPackages(PROVIDED_FLOOR.specs),
    () => ({ sdk: SDK_FLOOR, powertools: POWERTOOLS_FLOOR }),
  ],
])('every packaged function answers under the template runtime, with %s: %s', (set, _label, providedModules, versions) => {
  const root = () => path.join(work, set);
  const username = `runtime-${set}`;
  const password = randomBytes(18).toString('base64url');
  const state: {
    access?: string;
    refresh?: string;
    contexts: Map<string, Record<string, unknown>>;
    answered: Set<string>;
    routes: Set<string>;
  } = { contexts: new Map(), answered: new Set(), routes: new Set() };

  beforeAll(async () => {
    unpackFunctions(root(), await providedModules());
    await addUser(username, password);
  }, 300_000);

  /** The API Gateway REST proxy event of `route`, with the context its authorizer gave. */
  function routeEvent(route: Route, parts: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
    const event = httpEvent({ httpMethod: route.method, path: route.path, resource: route.path, ...parts });
    const identity = { ...event.requestContext.identity, sourceIp: '198.51.100.7', userAgent: 'runtime-test' };
    const authorizer = route.authorizerFunctionId === undefined ? undefined : contextFor(route.authorizerFunctionId);
    return {
      ...event,
      requestContext: {
        ...event.requestContext,
        httpMethod: route.method,
        path: route.path,
        resourcePath: route.path,
        identity,
        authorizer,
      },
    };
  }

  /**
   * What API Gateway passes a handler: the context of its authorizer's Allow. A route behind
   * fresh-strong gets the context an Allow gave the same token, as a passkey step-up is beyond one
   * invocation.
   */
  function contextFor(authorizerFunctionId: string): Record<string, unknown> {
    const context = state.contexts.get(authorizerFunctionId) ?? state.contexts.get(functionNamed('fresh-only').id);
    if (!context) throw new Error(`no Allow context for ${authorizerFunctionId}`);
    return context;
  }

  async function call(
    key: string,
    parts: Partial<APIGatewayProxyEvent> = {},
  ): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
    const route = routes.find((candidate) => candidate.key === key);
    if (!route) throw new Error(`no route ${key} in the template`);
    const outcome = await invoke(root(), functions.get(route.functionId)!, routeEvent(route, parts));
    if (!outcome.ok) throw new Error(`${key} threw ${outcome.errorType}: ${outcome.errorMessage}`);
    state.answered.add(route.functionId);
    state.routes.add(key);
    const result = outcome.result as APIGatewayProxyResult;
    // A fault is reported with what the function logged, since the answer alone says only 503.
    if (result.statusCode >= 500) throw new Error(`${key} answered ${result.statusCode} ${result.body}; it logged:\n${outcome.log}`);
    return { status: result.statusCode, body: result.body, headers: result.headers ?? {} };
  }

  const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  const bearer = (token: string | undefined, extra: Record<string, string> = {}) => ({
    headers: { Authorization: `Bearer ${token}`, ...extra },
  });

  it('gives the functions the SSM client and Powertools Parameters at these versions', () => {
    const versionOf = (name: string) =>
      (JSON.parse(readFileSync(path.join(root(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect({ sdk: versionOf('@aws-sdk/client-ssm'), powertools: versionOf('@aws-lambda-powertools/parameters') }).toEqual(versions());
  });

  it('login answers 200 with a fresh access token and a refresh token for a real user', async () => {
    const answer = await call('POST /login', json({ username, password }));
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { access_token: string; refresh_token: string };
    expect(body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String) });
    state.access = body.access_token;
    state.refresh = body.refresh_token;
  });

  it('each authorizer allows or denies a valid token and throws exactly Unauthorized without one', async () => {
    for (const id of authorizerFunctionIds) {
      const fn = functions.get(id)!;
      const allowed = await invoke(root(), fn, authorizerEvent(`Bearer ${state.access}`));
      const missing = await invoke(root(), fn, authorizerEvent(undefined));
      expect({ fn: shortName(fn), missing }).toEqual({
        fn: shortName(fn),
        missing: { ok: false, errorType: 'Error', errorMessage: 'Unauthorized' },
      });
      expect(allowed.ok).toBe(true);
      const policy = (
        allowed as {
          result: { principalId: string; policyDocument: { Statement: { Effect: string }[] }; context: Record<string, unknown> };
        }
      ).result;
      expect(policy.principalId).toBe(username);
      // A password-fresh token: fresh-strong wants a passkey proof (Deny with its challenge); the rest allow.
      const effect = shortName(fn) === 'fresh-strong' ? 'Deny' : 'Allow';
      expect({ fn: shortName(fn), effects: policy.policyDocument.Statement.map((s) => s.Effect) }).toEqual({
        fn: shortName(fn),
        effects: [effect],
      });
      if (effect === 'Allow') state.contexts.set(id, policy.context);
      state.answered.add(id);
    }
  });

  it.each([
    ['GET /protected', 'logged_in_as'],
    ['GET /protected-fresh', 'fresh_logged_in_as'],
    ['GET /protected-recent', 'recent_logged_in_as'],
    ['GET /protected-strong', 'strong_logged_in_as'],
  ])('%s answers 200 naming the caller the authorizer context gives', async (key, field) => {
    const answer = await call(key);
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({ status: 200, body: { [field]: username } });
  });

  it('GET /me answers 200 with the account', async () => {
    const answer = await call('GET /me');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ username, fresh: true });
  });

  it('GET /sessions answers 200 listing the session login began', async () => {
    const answer = await call('GET /sessions');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ sessions: [expect.objectContaining({ current: true })] });
  });

  it('PUT /me/email answers 200 with the new address', async () => {
    const answer = await call('PUT /me/email', json({ email: `${username}@example.com` }));
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({
      status: 200,
      body: { msg: 'E-mail changed', email: `${username}@example.com` },
    });
  });

  it.each(['POST /login/passkey/options', 'POST /me/passkeys/options', 'POST /fresh-login/passkey/options'])(
    '%s answers 200 with a WebAuthn challenge',
    async (key) => {
      const answer = await call(key, json({}));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ challenge: expect.any(String) });
    },
  );

  it('POST /me/passkeys refuses a credential that is not one with 400', async () => {
    const answer = await call('POST /me/passkeys', json({ credential: {} }));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ msg: expect.any(String) });
  });

  it('GET /me/passkeys answers 200 with none', async () => {
    const answer = await call('GET /me/passkeys');
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({ status: 200, body: { passkeys: [] } });
  });

  it.each([
    ['DELETE /me/passkeys/{id}', 'Passkey not found'],
    ['DELETE /sessions/{id}', 'Session not found'],
  ])('%s answers 404 for an id that is not the caller’s', async (key, msg) => {
    const answer = await call(key, { pathParameters: { id: 'no-such-id' } });
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({ status: 404, body: { msg } });
  });

  it('GET /.well-known/jwks.json answers 200 with the public keys (none with HS256)', async () => {
    const answer = await call('GET /.well-known/jwks.json');
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({ status: 200, body: { keys: [] } });
  });

  it('GET /openapi.json answers 200 with an OpenAPI 3.1 document', async () => {
    const answer = await call('GET /openapi.json');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./), paths: expect.any(Object) });
  });

  it('GET / answers 200 with the demo page', async () => {
    const answer = await call('GET /');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^<!doctype html>/i);
  });

  it('POST /fresh-login answers 200 with a fresh access token only', async () => {
    const answer = await call('POST /fresh-login', json({ username, password }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ access_token: expect.any(String) });
  });

  it('POST /refresh answers 200 with a new pair for the refresh token', async () => {
    const answer = await call('POST /refresh', bearer(state.refresh));
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { access_token: string; refresh_token: string };
    expect(body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(body.refresh_token).not.toBe(state.refresh);
    state.refresh = body.refresh_token;
  });

  it('PUT /me/password answers 200 for the right current password', async () => {
    const answer = await call(
      'PUT /me/password',
      json({ current_password: password, new_password: randomBytes(18).toString('base64url') }),
    );
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({ status: 200, body: { msg: 'Password changed' } });
  });

  it('POST /logout answers 200 for the refresh token', async () => {
    const answer = await call('POST /logout', bearer(state.refresh));
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({ status: 200, body: { msg: 'Logged out' } });
  });

  it('DELETE /sessions answers 200, ending every session', async () => {
    const answer = await call('DELETE /sessions');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ msg: 'All sessions ended', ended: expect.any(Number) });
  });

  it('left no function of the template, and no route, unanswered: a route no test above calls (one of your own) must answer a bare call without a fault', async () => {
    for (const route of routes.filter((each) => !state.routes.has(each.key))) {
      const pathParameters = Object.fromEntries([...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name ?? '', 'runtime-test']));
      await call(route.key, { ...json({}), ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}) });
    }
    expect([...functions.values()].filter((fn) => !state.answered.has(fn.id)).map(shortName)).toEqual([]);
    expect(routes.map((route) => route.key).filter((key) => !state.routes.has(key))).toEqual([]);
    expect(readdirSync(root()).filter((name) => name.endsWith('-result.json')).length).toBe(functions.size);
  });
});
