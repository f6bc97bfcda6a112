import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIV3_1 } from 'openapi-types';
import { ERROR_TABLE, GATEWAY_OWN_MESSAGE } from '../../src/errors/error-table';
import { apiRoutesOf, type Guard, type ServiceFunction } from '../../src/http/api-routes';
import { httpEvent } from '../helpers/events';
import { functionOfUri, resourcePath, templateMethods } from '../helpers/template-api';
import { extractZip } from '../helpers/unzip';
import { NEUTRAL_ENV, packagedProd, ROOT, SERVERLESS } from './packaged-prod';

// What serverless-offline ignores (Gateway Responses, authorizer caching) is checked here, on the
// CloudFormation template that `serverless package` writes for AWS. No AWS credentials needed.

type Resource = { Type: string; Properties: Record<string, unknown> };

let resources: Record<string, Resource>;
let template: {
  Resources: Record<string, Resource>;
  Conditions?: unknown;
  Parameters?: unknown;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
};

/** The function zips of the tier's one full build (packaged-prod.ts); every variant reuses them. */
let builtZips: string;
/** The service as serverless resolved it for that build (its serverless-state.json): what each event declares. */
let declared: {
  service: { functions: Record<string, Omit<ServiceFunction, 'events'> & { events?: { http?: HttpEvent }[]; keyAccess?: unknown }> };
};
type HttpEvent = { path: string; method: string; cors?: unknown; authorizer?: { name: string; resultTtlInSeconds?: number } };

/**
 * The template text `serverless package` writes, for `stageArgs` (default: `--stage prod`), from
 * the zips of the tier's one build (REUSE_BUILD), as a variant changes the template, never the code.
 */
async function packageTemplate(env: Record<string, string>, stageArgs = ['--stage', 'prod'], region = 'eu-west-1'): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-package-'));
  try {
    for (const zip of readdirSync(builtZips)) copyFileSync(path.join(builtZips, zip), path.join(outDir, zip));
    await promisify(execFile)(SERVERLESS, ['package', ...stageArgs, '--region', region, '--package', outDir], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...NEUTRAL_ENV,
        BUILD_DIR: path.relative(ROOT, path.join(outDir, 'build')),
        REUSE_BUILD: 'true',
        ...env,
      },
    });
    return readFileSync(path.join(outDir, 'cloudformation-template-update-stack.json'), 'utf8');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function packageStage(env: Record<string, string>): Promise<Record<string, Resource>> {
  return resourcesOf(await packageTemplate(env));
}

function resourcesOf(template: string): Record<string, Resource> {
  return (JSON.parse(template) as { Resources: Record<string, Resource> }).Resources;
}

/** The consumer service of docs/own-routes.md, packaged on its own: its template. */
async function packageConsumer(): Promise<string> {
  const readme = readFileSync(path.join(ROOT, 'docs', 'own-routes.md'), 'utf8');
  const snippet = /<!-- doc-check: consumer-service[^>]*-->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (snippet === undefined) throw new Error('no consumer-service block in docs/own-routes.md');
  const dir = mkdtempSync(path.join(tmpdir(), 'fresh-token-consumer-'));
  try {
    writeFileSync(path.join(dir, 'serverless.yml'), snippet);
    writeFileSync(path.join(dir, 'handler.js'), 'exports.pay = async () => ({ statusCode: 200, body: "{}" });\n');
    await promisify(execFile)(SERVERLESS, ['package', '--stage', 'prod', '--region', 'eu-west-1', '--package', path.join(dir, 'out')], {
      cwd: dir,
      env: { ...process.env, ...NEUTRAL_ENV },
    });
    return readFileSync(path.join(dir, 'out', 'cloudformation-template-update-stack.json'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every other `serverless package` (or refused command) this file needs, queued once the first
 * build is done, in the order the tests want them; each test awaits its own. One at a time:
 * serverless-esbuild moves the zips through the service's own `.serverless/` folder, so two
 * packages of this service at once take each other's files. Options that touch different resources
 * share one template. A refusal's rejection is handled here and asserted by its test.
 */
function startVariants() {
  const handled = <T>(promise: Promise<T>): Promise<T> => {
    promise.catch(() => undefined);
    return promise;
  };
  // A queue: each task starts when the one before it has settled, whichever way.
  let queue: Promise<unknown> = Promise.resolve();
  const start = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = handled(run);
    return run;
  };
  return {
    dev: start(() => packageTemplate({ JWT_SECRET: 'a-secret-in-the-deploying-shell-0123456789', JWT_PRIVATE_KEY: '{"d":"x"}' }, [])),
    localDeploy: start(() =>
      promisify(execFile)(SERVERLESS, ['deploy', '--stage', 'local', '--region', 'eu-west-1'], {
        cwd: ROOT,
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'none', AWS_SECRET_ACCESS_KEY: 'none', AWS_EC2_METADATA_DISABLED: 'true' },
      }),
    ),
    // Independent options on one prod template: the challenge from the context, the any-valid
    // cache TTL, and a counting WAF.
    tuned: start(() =>
      packageStage({ STEP_UP_CHALLENGE: 'context', ANY_VALID_CACHE_TTL: '5', WAF: 'true', WAF_MODE: 'count', WAF_LOGIN_RATE: '500' }),
    ),
    everything: start(() =>
      packageTemplate(
        { JWT_ALG: 'EdDSA', KEYS_KMS_KEY_ARN: EVERY_OPTION.kms, WAF: 'true', ALARM_EMAIL: 'ops@example.com' },
        ['--stage', EVERY_OPTION.stage],
        'ap-southeast-5',
      ),
    ),
    longRoleName: start(() => packageTemplate({}, ['--stage', 'a-stage-name-of-thirty-letters'], 'ap-southeast-5')),
    kmsAlias: start(() => packageTemplate({ KEYS_KMS_KEY_ARN: 'alias/my-key' })),
    // Another service in a folder of its own: it runs beside the queue.
    consumer: handled(packageConsumer()),
    cookies: start(() => packageStage({ TOKEN_LOCATION: 'cookies', CORS_ALLOW_ORIGINS: 'https://app.example,https://admin.example' })),
    cookiesAnyOrigin: start(() => packageTemplate({ TOKEN_LOCATION: 'cookies', CORS_ALLOW_ORIGINS: '*' })),
    headersAndCookies: start(() => packageStage({ TOKEN_LOCATION: 'headers,cookies' })),
    bodyLocation: start(() => packageTemplate({ TOKEN_LOCATION: 'body' })),
  };
}

/** The "every option on" variant: a 20-character stage and a customer-managed key in the longest region name. */
const EVERY_OPTION = {
  stage: 'feature-abcdefghijkl',
  kms: 'arn:aws:kms:ap-southeast-5:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};
let variants: ReturnType<typeof startVariants>;

function ofType(type: string): Resource[] {
  return Object.values(resources).filter((resource) => resource.Type === type);
}

function authorizerNamed(name: string): Record<string, unknown> {
  const found = ofType('AWS::ApiGateway::Authorizer').find((resource) => resource.Properties.Name === name);
  if (!found) throw new Error(`no authorizer ${name}`);
  return found.Properties;
}

function gatewayResponse(type: string): Record<string, unknown> {
  const found = ofType('AWS::ApiGateway::GatewayResponse').find((resource) => resource.Properties.ResponseType === type);
  if (!found) throw new Error(`no gateway response ${type}`);
  return found.Properties;
}

function variablesOf(functionName: string): Record<string, string> {
  const found = ofType('AWS::Lambda::Function').find((fn) => fn.Properties.FunctionName === `fresh-token-lambda-prod-${functionName}`);
  if (!found) throw new Error(`no function ${functionName}`);
  return (found.Properties.Environment as { Variables: Record<string, string> }).Variables;
}

type Statement = { Action: string[]; Resource: unknown };

/** The IAM role of a function (in `within`, default the prod template). */
function roleOf(functionName: string, within = resources, stage = 'prod'): Resource {
  const fn = Object.values(within).find(
    (f) => f.Type === 'AWS::Lambda::Function' && f.Properties.FunctionName === `fresh-token-lambda-${stage}-${functionName}`,
  );
  if (!fn) throw new Error(`no function ${functionName}`);
  return within[(fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]]!;
}

/** The IAM statements of a function's role. */
/** `Table` for `{"Fn::GetAtt": ["Table", "Arn"]}`, `Table/index/name` for an index ARN built with Fn::Join. */
function tableOf(resource: unknown): string {
  const arn = resource as { 'Fn::GetAtt'?: [string]; 'Fn::Join'?: [string, [{ 'Fn::GetAtt': [string] }, ...string[]]] };
  if (arn['Fn::GetAtt']) return arn['Fn::GetAtt'][0];
  const [separator, [table, ...rest]] = arn['Fn::Join']!;
  return [table['Fn::GetAtt'][0], ...rest].join(separator);
}

function statementsOf(functionName: string, within = resources, stage = 'prod'): Statement[] {
  const role = roleOf(functionName, within, stage);
  return (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (policy) => policy.PolicyDocument.Statement,
  );
}

/** The names of the key parameters a function may read. */
function keyParametersOf(functionName: string, within = resources, stage = 'prod'): (string | undefined)[] {
  return statementsOf(functionName, within, stage)
    .filter((statement) => statement.Action.includes('ssm:GetParameters'))
    .flatMap((statement) => (statement.Resource as { 'Fn::Sub': string }[]).map((resource) => resource['Fn::Sub'].split('/').pop()));
}

/** A function's serverless.yml name from its logical id (`FreshDashonlyLambdaFunction` → `fresh-only`). */
function functionNameOf(logicalId: string): string {
  return (resources[logicalId]!.Properties.FunctionName as string).replace('fresh-token-lambda-prod-', '');
}

/** Every method of the packaged API but the CORS preflights: `get /me`, the function behind it, its authorizer's name. */
function apiMethods(): { route: string; function: string; authorizer?: string }[] {
  return templateMethods(resources).map(({ route, functionId, authorizer }) => ({
    route,
    function: functionNameOf(functionId),
    ...(authorizer === undefined ? {} : { authorizer }),
  }));
}

/**
 * The document the packaged openapi function serves: its bundle from the tier's build, run by this
 * Node with its template environment, called as API Gateway would call it.
 */
async function packagedDocument(): Promise<OpenAPIV3_1.Document> {
  const [id, fn] = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'fresh-token-lambda-prod-openapi',
  )!;
  const dir = mkdtempSync(path.join(tmpdir(), 'fresh-token-openapi-'));
  try {
    extractZip(path.join(builtZips, `${functionNameOf(id)}.zip`), dir);
    const handler = fn.Properties.Handler as string;
    const bundle = `./${handler.slice(0, handler.lastIndexOf('.'))}.mjs`;
    const event = httpEvent({ httpMethod: 'GET', path: '/openapi.json', resource: '/openapi.json' });
    writeFileSync(
      path.join(dir, 'run.mjs'),
      `import { writeFileSync } from 'node:fs';\nconst { handler } = await import(${JSON.stringify(bundle)});\n` +
        `writeFileSync('answer.json', JSON.stringify(await handler(${JSON.stringify(event)}, {})));\n`,
    );
    const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    await promisify(execFile)(process.execPath, ['run.mjs'], { cwd: dir, env: { PATH: process.env.PATH, ...variables } });
    const answer = JSON.parse(readFileSync(path.join(dir, 'answer.json'), 'utf8')) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    return JSON.parse(answer.body) as OpenAPIV3_1.Document;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every function of the template, by its serverless.yml name. */
let ALL_FUNCTIONS: string[];
/** The functions that read key material (serverless.yml's `keyAccess`); the others get none: their authorizer checked the token. */
let KEY_READERS: string[];

beforeAll(() => {
  const prod = packagedProd();
  builtZips = prod.zips;
  declared = JSON.parse(prod.state) as typeof declared;
  template = JSON.parse(prod.template) as typeof template;
  resources = template.Resources;
  ALL_FUNCTIONS = ofType('AWS::Lambda::Function').map((fn) =>
    (fn.Properties.FunctionName as string).replace('fresh-token-lambda-prod-', ''),
  );
  KEY_READERS = Object.entries(declared.service.functions)
    .filter(([, fn]) => fn.keyAccess !== undefined)
    .map(([name]) => name);
  variants = startVariants();
});

describe('a deploy without --stage', () => {
  it('targets dev and carries no key value and no development secret, even with keys in the shell', async () => {
    const template = await variants.dev;
    expect(template).not.toContain('DEV-ONLY');
    expect(template).not.toContain('a-secret-in-the-deploying-shell');
    expect(template).not.toContain('"d":"x"');
    const functions = Object.values((JSON.parse(template) as { Resources: Record<string, Resource> }).Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    for (const fn of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(variables.STAGE).toBe('dev');
      for (const name of ['JWT_SECRET', 'JWT_PREVIOUS_SECRETS', 'JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEYS'])
        expect(variables[name] ?? '').toBe('');
    }
  }, 300_000);

  it('refuses to deploy the local stage before touching AWS, saying why', async () => {
    await expect(variants.localDeploy).rejects.toMatchObject({ stdout: expect.stringContaining('Refusing to deploy the "local" stage') });
  }, 300_000);
});

describe('the packaged CloudFormation template', () => {
  it('declares every authorizer as a REQUEST authorizer on the Authorization header', () => {
    const authorizers = ofType('AWS::ApiGateway::Authorizer');
    expect(authorizers.map((authorizer) => authorizer.Properties.Name)).toEqual(
      expect.arrayContaining(['any-valid', 'any-valid-live', 'fresh-only', 'fresh-recent', 'fresh-strong']),
    );
    for (const authorizer of authorizers)
      expect(authorizer.Properties).toMatchObject({ Type: 'REQUEST', IdentitySource: 'method.request.header.Authorization' });
  });

  it('declares fresh-recent over the same handler as fresh-only, with a max age of its own', () => {
    const handlerOf = (name: string) =>
      ofType('AWS::Lambda::Function').find((fn) => fn.Properties.FunctionName === `fresh-token-lambda-prod-${name}`)?.Properties.Handler;
    expect(handlerOf('fresh-recent')).toBe(handlerOf('fresh-only'));
    expect(variablesOf('fresh-recent').FRESH_MAX_AGE).toBe('300');
    expect(variablesOf('fresh-only')).not.toHaveProperty('FRESH_MAX_AGE');
    expect(handlerOf('fresh-strong')).toBe(handlerOf('fresh-only'));
    expect(variablesOf('fresh-strong').FRESH_REQUIRE_ACR).toBe('urn:fresh-token:acr:phr');
    expect(variablesOf('fresh-only')).not.toHaveProperty('FRESH_REQUIRE_ACR');
  });

  it('never caches the fresh authorizers and caches any-valid briefly by default', () => {
    expect(authorizerNamed('fresh-only').AuthorizerResultTtlInSeconds).toBe(0);
    expect(authorizerNamed('fresh-recent').AuthorizerResultTtlInSeconds).toBe(0);
    expect(authorizerNamed('fresh-strong').AuthorizerResultTtlInSeconds).toBe(0);
    expect(authorizerNamed('any-valid').AuthorizerResultTtlInSeconds).toBe(30);
    expect(authorizerNamed('any-valid-live').AuthorizerResultTtlInSeconds).toBe(0);
  });

  it('applies to each route the authorizer cache TTL its event declares (serverless merges one name into one authorizer)', () => {
    // What API Gateway will apply: the TTL of the authorizer the method points to.
    const ttlById = new Map(
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::ApiGateway::Authorizer')
        .map(([id, r]) => [id, r.Properties.AuthorizerResultTtlInSeconds as number]),
    );
    const applied = Object.fromEntries(
      ofType('AWS::ApiGateway::Method')
        .filter((method) => method.Properties.AuthorizerId !== undefined)
        .map((method) => {
          const props = method.Properties as { HttpMethod: string; AuthorizerId: { Ref: string }; ResourceId: { Ref: string } };
          return [`${props.HttpMethod} ${resourcePath(resources, props.ResourceId)}`, ttlById.get(props.AuthorizerId.Ref)];
        }),
    );
    const events = Object.values(declared.service.functions).flatMap((fn) =>
      (fn.events ?? []).flatMap((event) => (event.http ? [event.http] : [])),
    );
    const wanted = Object.fromEntries(
      events
        .filter((event) => event.authorizer !== undefined)
        .map((event) => [`${event.method.toUpperCase()} /${event.path}`, Number(event.authorizer?.resultTtlInSeconds ?? 300)]),
    );
    expect(applied).toEqual(wanted);
    // Route by route, as README and serverless.yml say: only GET /protected is cached.
    expect(Object.entries(applied).filter(([, ttl]) => ttl !== 0)).toEqual([['GET /protected', 30]]);
  });

  it('has a Gateway Response for every answer API Gateway makes, each as the error table says', () => {
    const table = Object.entries(ERROR_TABLE).flatMap(([code, row]) => (row.gateway?.responses ?? []).map((type) => ({ code, row, type })));
    expect(
      ofType('AWS::ApiGateway::GatewayResponse')
        .map((r) => r.Properties.ResponseType)
        .sort(),
    ).toEqual(table.map(({ type }) => type).sort());
    for (const { row, type } of table) {
      const response = gatewayResponse(type);
      const headers = response.ResponseParameters as Record<string, string>;
      expect(response.StatusCode).toBe(type.startsWith('DEFAULT_') ? undefined : String(row.status));
      const body = (response.ResponseTemplates as Record<string, string>)['application/json'];
      // A Deny's body also names the route's acr_values, a whole member from the authorizer context.
      const deny = row.authorizer === 'Deny' ? '$context.authorizer.acrValuesMember' : '';
      expect(body).toBe(
        row.gateway?.msg === GATEWAY_OWN_MESSAGE
          ? '{"msg":$context.error.messageString}'
          : `${JSON.stringify({ msg: row.gateway?.msg }).slice(0, -1)}${deny}}`,
      );
      expect(headers).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
        'gatewayresponse.header.Access-Control-Expose-Headers': "'WWW-Authenticate,Retry-After'",
      });
      expect(headers['gatewayresponse.header.WWW-Authenticate']).toBe(
        row.wwwAuthenticate === undefined ? undefined : `'${row.wwwAuthenticate}'`,
      );
      expect(headers['gatewayresponse.header.Retry-After']).toBe(
        row.retryAfterSeconds === undefined ? undefined : `'${row.retryAfterSeconds}'`,
      );
    }
  });

  it('answers as the README promises: 404 for an unknown route, 429 with Retry-After, 401s with challenges, 500 for a broken authorizer', () => {
    const summary = (type: string) => {
      const response = gatewayResponse(type);
      const headers = response.ResponseParameters as Record<string, string>;
      return [
        response.StatusCode,
        (response.ResponseTemplates as Record<string, string>)['application/json'],
        headers['gatewayresponse.header.WWW-Authenticate'] ?? headers['gatewayresponse.header.Retry-After'],
      ];
    };
    expect(summary('MISSING_AUTHENTICATION_TOKEN')).toEqual(['404', '{"msg":"Not found"}', undefined]);
    expect(summary('THROTTLED')).toEqual(['429', '{"msg":"Too many requests; slow down"}', "'1'"]);
    expect(summary('UNAUTHORIZED')).toEqual(['401', '{"msg":"Missing or invalid access token"}', `'Bearer error="invalid_token"'`]);
    expect(summary('ACCESS_DENIED')).toEqual([
      '401',
      '{"msg":"Fresh token required"$context.authorizer.acrValuesMember}',
      `'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required"'`,
    ]);
    for (const type of ['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR'])
      expect(summary(type)).toEqual(['500', '{"msg":"Internal server error"}', undefined]);
  });

  it('deploys the stage after every Gateway Response, so a change reaches it in the same deploy', () => {
    const [deployment] = ofType('AWS::ApiGateway::Deployment') as (Resource & { DependsOn?: string[] })[];
    const ids = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::ApiGateway::GatewayResponse')
      .map(([id]) => id);
    expect(ids).toHaveLength(8);
    expect(deployment?.DependsOn).toEqual(expect.arrayContaining(ids));
  });

  it('can take the Deny challenge, with its max_age, from the authorizer context when asked to', async () => {
    const denied = Object.values(await variants.tuned).find(
      (r) => r.Type === 'AWS::ApiGateway::GatewayResponse' && r.Properties.ResponseType === 'ACCESS_DENIED',
    );
    expect(denied?.Properties.ResponseParameters).toMatchObject({
      'gatewayresponse.header.WWW-Authenticate': 'context.authorizer.challenge',
    });
  }, 300_000);

  it('wires each route to the function serverless.yml names for it, behind the authorizer its event names', () => {
    const declaredRoutes = apiRoutesOf(declared.service.functions).map(
      (route) => `${route.method} ${route.path} → ${route.function} ${route.guard?.name ?? '(public)'}`,
    );
    const wired = apiMethods().map((method) => `${method.route} → ${method.function} ${method.authorizer ?? '(public)'}`);
    expect(wired.sort()).toEqual(declaredRoutes.sort());
    // Every authorizer of the template guards some route.
    expect(new Set(apiMethods().flatMap((method) => (method.authorizer ? [method.authorizer] : []))).size).toBe(
      ofType('AWS::ApiGateway::Authorizer').length,
    );
  });

  it('serves, from the packaged openapi function, exactly the routes of the packaged API, each with the guard its authorizer makes', async () => {
    const document = await packagedDocument();
    const described = Object.entries(document.paths ?? {}).flatMap(([routePath, operations]) =>
      Object.entries(operations as Record<string, { 'x-authorizer'?: Guard }>).map(([method, operation]) => ({
        route: `${method} ${routePath}`,
        guard: operation['x-authorizer'],
      })),
    );
    expect(described.map(({ route, guard }) => `${route} ${guard?.name ?? '(public)'}`).sort()).toEqual(
      apiMethods()
        .map((method) => `${method.route} ${method.authorizer ?? '(public)'}`)
        .sort(),
    );
    // Each guard as its authorizer's function in the template says: its handler's pipeline and its limits.
    const PIPELINES: Record<string, Guard['checks']> = {
      'authorizers/any-valid.handler': 'any-valid',
      'authorizers/fresh-only.handler': 'fresh-only',
    };
    const byName = new Map(
      ofType('AWS::ApiGateway::Authorizer').map((authorizer) => {
        const fn = resources[functionOfUri(authorizer.Properties.AuthorizerUri)]!.Properties;
        const variables = (fn.Environment as { Variables: Record<string, string> }).Variables;
        const checks = PIPELINES[fn.Handler as string] ?? 'other';
        const maxAge = Number(variables.FRESH_MAX_AGE ?? 0);
        const name = authorizer.Properties.Name as string;
        return [
          name,
          {
            name,
            checks,
            ...(checks === 'fresh-only' && maxAge > 0 ? { maxAgeSeconds: maxAge } : {}),
            ...(checks === 'fresh-only' && variables.FRESH_REQUIRE_ACR ? { requireAcr: variables.FRESH_REQUIRE_ACR } : {}),
          },
        ];
      }),
    );
    const guarded = described.filter((each) => each.guard !== undefined);
    for (const { route, guard } of guarded) expect({ route, guard }).toEqual({ route, guard: byName.get(guard!.name) });
    expect(guarded.filter(({ guard }) => guard?.maxAgeSeconds === 300).map(({ route }) => route)).toContain('get /protected-recent');
  });

  it('answers CORS preflight on every route', () => {
    const preflights = ofType('AWS::ApiGateway::Method').filter((method) => method.Properties.HttpMethod === 'OPTIONS');
    // One per path whose events say `cors: true` (every path but the demo page's): two methods of a path share one.
    const corsPaths = Object.values(declared.service.functions).flatMap((fn) =>
      (fn.events ?? []).flatMap((event) => (event.http?.cors ? [event.http.path] : [])),
    );
    expect(preflights.map((preflight) => resourcePath(resources, preflight.Properties.ResourceId as { Ref?: string })).sort()).toEqual(
      [...new Set(corsPaths)].map((each) => `/${each}`).sort(),
    );
  });

  it('runs every function on nodejs22.x with a 10 s timeout on a deployed stage', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(Object.keys(declared.service.functions).length);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 10, Environment: { Variables: { STAGE: 'prod' } } });
    }
    expect(variablesOf('login')).toMatchObject({ USERS_TABLE: 'fresh-token-lambda-prod-users', DYNAMODB_ENDPOINT: '' });
  });

  it('declares the tables pay-per-request, encrypted, with point-in-time recovery, and TTL where items expire', () => {
    const tables = Object.fromEntries(
      ofType('AWS::DynamoDB::Table').map((table) => [table.Properties.TableName as string, table.Properties]),
    );
    expect(Object.keys(tables).sort()).toEqual([
      'fresh-token-lambda-prod-login-attempts',
      'fresh-token-lambda-prod-passkey-challenges',
      'fresh-token-lambda-prod-passkeys',
      'fresh-token-lambda-prod-refresh-families',
      'fresh-token-lambda-prod-users',
    ]);
    for (const [name, table] of Object.entries(tables)) {
      expect(table).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', SSESpecification: { SSEEnabled: true } });
      // Challenges live five minutes: nothing to recover.
      if (!name.endsWith('passkey-challenges'))
        expect(table).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    }
    expect(tables['fresh-token-lambda-prod-passkey-challenges']?.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    expect(tables['fresh-token-lambda-prod-refresh-families']?.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    expect(tables['fresh-token-lambda-prod-login-attempts']?.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    // Kept when the stack goes, but not after a failed first deploy (which would block the next).
    for (const table of ['UsersTable', 'FamiliesTable', 'PasskeysTable']) {
      expect(resources[table]).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    }
  });

  it('gives each stateful function only the DynamoDB actions it uses, and the others none', () => {
    const grants = (functionName: string) =>
      statementsOf(functionName)
        .filter((statement) => statement.Action.some((action) => action.startsWith('dynamodb:')))
        .map((statement) => `${tableOf(statement.Resource)}: ${statement.Action.join(',')}`)
        .sort();
    // A passkey proof: read the passkey and record its use, consume the challenge.
    const proof = ['PasskeyChallengesTable: dynamodb:DeleteItem', 'PasskeysTable: dynamodb:GetItem,dynamodb:UpdateItem'];
    expect(grants('login')).toEqual([
      'FamiliesTable: dynamodb:PutItem',
      'LoginAttemptsTable: dynamodb:UpdateItem,dynamodb:DeleteItem',
      ...proof,
      'UsersTable: dynamodb:GetItem',
    ]);
    expect(grants('fresh-login')).toEqual([
      'FamiliesTable: dynamodb:GetItem',
      'LoginAttemptsTable: dynamodb:UpdateItem,dynamodb:DeleteItem',
      ...proof,
      'UsersTable: dynamodb:GetItem',
    ]);
    const userPasskeys = 'PasskeysTable/index/username-created-index: dynamodb:Query';
    // Account writes read the caller's session and hold only while the user's row takes them.
    const session = 'FamiliesTable: dynamodb:GetItem';
    expect(grants('passkey-options')).toEqual([
      session,
      'PasskeyChallengesTable: dynamodb:PutItem',
      userPasskeys,
      'UsersTable: dynamodb:GetItem',
    ]);
    expect(grants('passkey-add')).toEqual([
      session,
      'PasskeyChallengesTable: dynamodb:DeleteItem',
      userPasskeys,
      'PasskeysTable: dynamodb:PutItem',
      'UsersTable: dynamodb:GetItem,dynamodb:UpdateItem',
    ]);
    expect(grants('passkeys')).toEqual([userPasskeys, 'UsersTable: dynamodb:GetItem']);
    expect(grants('passkey-remove')).toEqual([
      session,
      'PasskeysTable: dynamodb:DeleteItem',
      'UsersTable: dynamodb:GetItem,dynamodb:UpdateItem',
    ]);
    expect(grants('step-up-options')).toEqual(['PasskeyChallengesTable: dynamodb:PutItem', userPasskeys]);
    expect(grants('login-options')).toEqual(['PasskeyChallengesTable: dynamodb:PutItem']);
    expect(grants('refresh')).toEqual([
      'FamiliesTable: dynamodb:GetItem,dynamodb:UpdateItem,dynamodb:PutItem',
      'UsersTable: dynamodb:GetItem',
    ]);
    expect(grants('logout')).toEqual(['FamiliesTable: dynamodb:UpdateItem,dynamodb:PutItem']);
    expect(grants('sessions')).toEqual(['FamiliesTable/index/username-created-index: dynamodb:Query', 'UsersTable: dynamodb:GetItem']);
    expect(grants('me')).toEqual(['UsersTable: dynamodb:GetItem']);
    expect(grants('me-email')).toEqual([session, 'UsersTable: dynamodb:GetItem,dynamodb:UpdateItem']);
    expect(grants('me-password')).toEqual([
      'FamiliesTable/index/username-created-index: dynamodb:Query',
      'FamiliesTable: dynamodb:GetItem,dynamodb:UpdateItem',
      'LoginAttemptsTable: dynamodb:UpdateItem,dynamodb:DeleteItem',
      'UsersTable: dynamodb:GetItem,dynamodb:UpdateItem',
    ]);
    expect(grants('end-sessions')).toEqual([
      'FamiliesTable/index/username-created-index: dynamodb:Query',
      'FamiliesTable: dynamodb:GetItem,dynamodb:UpdateItem',
      'UsersTable: dynamodb:GetItem,dynamodb:UpdateItem',
    ]);
    // A function serverless.yml gives no table settings reads no table: no DynamoDB grant either.
    const tableUsers = ALL_FUNCTIONS.filter((name) => Object.keys(variablesOf(name)).some((key) => key.endsWith('_TABLE')));
    expect(tableUsers).toEqual(expect.arrayContaining(['login', 'refresh', 'me', 'passkeys', 'login-options']));
    for (const name of ALL_FUNCTIONS.filter((fn) => !tableUsers.includes(fn))) expect(grants(name)).toEqual([]);
  });

  it('throttles the stage, and the password routes harder', () => {
    const [deployment] = ofType('AWS::ApiGateway::Deployment');
    expect(deployment?.Properties.StageDescription).toEqual({
      ThrottlingRateLimit: 200,
      ThrottlingBurstLimit: 100,
      MethodSettings: [
        { HttpMethod: 'POST', ResourcePath: '/~1login', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 10 },
        { HttpMethod: 'POST', ResourcePath: '/~1fresh-login', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 10 },
        { HttpMethod: 'POST', ResourcePath: '/~1login~1passkey~1options', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 10 },
      ],
    });
  });

  it('gives no key material to any function, only SSM parameter names, and private-key names only to issuers', () => {
    const verifying = ['logout', 'any-valid', 'any-valid-live', 'fresh-only', 'fresh-recent', 'fresh-strong'];
    const signing = ['login', 'fresh-login', 'refresh'];
    for (const name of [...verifying, ...signing]) {
      expect(variablesOf(name)).toMatchObject({
        JWT_SECRET: '',
        JWT_SECRET_PARAM: '/fresh-token-lambda/prod/jwt-secret',
        JWT_PUBLIC_KEYS_PARAM: '/fresh-token-lambda/prod/jwt-public-keys',
      });
    }
    for (const name of signing) expect(variablesOf(name).JWT_PRIVATE_KEY_PARAM).toBe('/fresh-token-lambda/prod/jwt-private-key');
    for (const name of verifying) expect(variablesOf(name)).not.toHaveProperty('JWT_PRIVATE_KEY_PARAM');
    for (const name of ALL_FUNCTIONS.filter((fn) => !KEY_READERS.includes(fn))) {
      // Token settings and keys; the cookie settings (JWT_*COOKIE*, JWT_*CSRF*) say only where tokens travel.
      expect(Object.keys(variablesOf(name)).filter((key) => key.startsWith('JWT_') && !/COOKIE|CSRF/.test(key))).toEqual([]);
    }
    expect(Object.keys(variablesOf('jwks')).filter((key) => key.startsWith('JWT_SECRET') || key.startsWith('JWT_PRIVATE'))).toEqual([]);
  });

  it('with HS256, lets the key users read the secrets only (login, which verifies nothing, the current one), and the JWKS route no key at all', () => {
    expect(keyParametersOf('login')).toEqual(['jwt-secret']);
    for (const name of ['fresh-login', 'refresh', 'logout', 'any-valid', 'any-valid-live', 'fresh-only', 'fresh-recent', 'fresh-strong']) {
      expect(keyParametersOf(name)).toEqual(['jwt-secret', 'jwt-previous-secrets']);
    }
    for (const name of ['jwks', 'protected', 'protected-fresh', 'protected-recent'])
      expect(statementsOf(name).filter((s) => s.Action.some((a) => !a.startsWith('logs:')))).toEqual([]);
  });

  it("gives every function a role of its own, named within IAM's 64 characters", () => {
    const names = ALL_FUNCTIONS.map((name) => roleOf(name).Properties.RoleName as string);
    expect(new Set(names).size).toBe(ALL_FUNCTIONS.length);
    expect(names).toContain('fresh-token-prod-fresh-recent-eu-west-1');
  });

  it('alarms on any refresh-token reuse, any database outage, and lockouts above ALARM_LOCKOUTS, to one SNS topic', () => {
    const alarms = Object.fromEntries(
      ofType('AWS::CloudWatch::Alarm').map((alarm) => [alarm.Properties.MetricName as string, alarm.Properties]),
    );
    expect(Object.keys(alarms).sort()).toEqual(['LoginLocked', 'RefreshReuseDetected', 'StoreUnavailable']);
    for (const alarm of Object.values(alarms)) {
      expect(alarm).toMatchObject({
        Namespace: 'fresh-token-lambda-prod',
        Dimensions: [{ Name: 'service', Value: 'fresh-token-lambda' }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      });
    }
    expect([alarms.RefreshReuseDetected?.Threshold, alarms.StoreUnavailable?.Threshold, alarms.LoginLocked?.Threshold]).toEqual([0, 0, 20]);
    expect(variablesOf('login').POWERTOOLS_METRICS_NAMESPACE).toBe('fresh-token-lambda-prod');
    // No address given: the e-mail subscription's condition is false.
    expect(resources.AlarmEmailSubscription).toMatchObject({ Condition: 'HasAlarmEmail' });
    expect(template.Conditions).toEqual({ HasAlarmEmail: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] } });
    expect(template.Parameters).toMatchObject({ AlarmEmail: { Type: 'String', Default: '' } });
  });

  it('takes the any-valid cache TTL from the environment of the package command', async () => {
    const tuned = Object.values(await variants.tuned);
    const ttlOf = (name: string) =>
      tuned.find((r) => r.Type === 'AWS::ApiGateway::Authorizer' && r.Properties.Name === name)?.Properties.AuthorizerResultTtlInSeconds;
    expect(ttlOf('any-valid')).toBe(5);
    expect(ttlOf('fresh-only')).toBe(0);
  }, 300_000);
});

describe('every option on: EdDSA, a customer-managed key, WAF, an alarm e-mail, a 20-character stage, the longest region name', () => {
  const { stage: STAGE, kms: KMS } = EVERY_OPTION;
  let edResources: Record<string, Resource>;
  let edTemplate: { Resources: Record<string, Resource>; Parameters: Record<string, { Default: string }> };

  beforeAll(async () => {
    const template = await variants.everything;
    edTemplate = JSON.parse(template) as typeof edTemplate;
    edResources = edTemplate.Resources;
  }, 300_000);

  it('lets the JWKS route and the verifiers read only the public keys, and only issuers the private key', () => {
    expect(keyParametersOf('jwks', edResources, STAGE)).toEqual(['jwt-public-keys']);
    for (const name of ['logout', 'any-valid', 'any-valid-live', 'fresh-only', 'fresh-recent', 'fresh-strong'])
      expect(keyParametersOf(name, edResources, STAGE)).toEqual(['jwt-public-keys']);
    expect(keyParametersOf('login', edResources, STAGE)).toEqual(['jwt-private-key']);
    for (const name of ['fresh-login', 'refresh'])
      expect(keyParametersOf(name, edResources, STAGE)).toEqual(['jwt-private-key', 'jwt-public-keys']);
  });

  it('adds kms:Decrypt on that key to exactly the functions that read keys', () => {
    const decrypting = ALL_FUNCTIONS.filter((name) => statementsOf(name, edResources, STAGE).some((s) => s.Action.includes('kms:Decrypt')));
    expect(decrypting.sort()).toEqual([...KEY_READERS].sort());
    expect(statementsOf('login', edResources, STAGE).find((s) => s.Action.includes('kms:Decrypt'))?.Resource).toBe(KMS);
  });

  it('keeps every role name within 64 characters', () => {
    const names = Object.values(edResources)
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .map((r) => r.Properties.RoleName as string);
    expect(names).toContain(`fresh-token-${STAGE}-fresh-recent-ap-southeast-5`);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
  });

  it('stops packaging with a clear message when a role name would be too long', async () => {
    await expect(variants.longRoleName).rejects.toMatchObject({
      stdout: expect.stringContaining('characters; IAM allows 64'),
    });
  }, 300_000);

  it('with WAF=true, puts a web ACL on the stage: a per-IP rate limit on the password routes and two managed rule groups, blocking', () => {
    const acl = edResources.WebAcl!.Properties as { Scope: string; DefaultAction: unknown; Rules: Record<string, unknown>[] };
    expect(acl).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    const [rate, common, badInputs] = acl.Rules;
    expect(rate).toMatchObject({
      Name: 'LoginRatePerIp',
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 100, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } },
    });
    const scope = JSON.stringify(rate);
    for (const part of [
      '"SearchString":"POST"',
      '"SearchString":"/login"',
      '"SearchString":"/fresh-login"',
      '"PositionalConstraint":"ENDS_WITH"',
    ])
      expect(scope).toContain(part);
    expect(common).toMatchObject({
      OverrideAction: { None: {} },
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
    });
    expect(badInputs).toMatchObject({ Statement: { ManagedRuleGroupStatement: { Name: 'AWSManagedRulesKnownBadInputsRuleSet' } } });
    const association = edResources.WebAclAssociation as Resource & { DependsOn: string[] };
    expect(association.Properties.ResourceArn).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/restapis/\${ApiGatewayRestApi}/stages/${STAGE}`,
    });
    expect(edResources[association.DependsOn[0]!]?.Type).toBe('AWS::ApiGateway::Deployment');
  });

  it('subscribes ALARM_EMAIL to the alarm topic', () => {
    expect(edTemplate.Parameters.AlarmEmail?.Default).toBe('ops@example.com');
  });

  it('has no WAF unless asked, and can only count with WAF_MODE=count', async () => {
    expect(Object.values(resources).some((r) => r.Type.startsWith('AWS::WAFv2::'))).toBe(false);
    const counting = await variants.tuned;
    const rules = (counting.WebAcl!.Properties as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules[0]).toMatchObject({ Action: { Count: {} }, Statement: { RateBasedStatement: { Limit: 500 } } });
    expect(rules.slice(1).map((rule) => rule.OverrideAction)).toEqual([{ Count: {} }, { Count: {} }]);
  }, 300_000);

  it('refuses a KMS key that is not a key ARN', async () => {
    await expect(variants.kmsAlias).rejects.toMatchObject({
      stdout: expect.stringContaining('KEYS_KMS_KEY_ARN must be a KMS key ARN'),
    });
  }, 300_000);
});

describe('for other stacks', () => {
  it('exports the four authorizers, the base URL and the JWKS URL, named after service and stage', () => {
    const outputs = template.Outputs ?? {};
    const exported = Object.fromEntries(
      Object.entries(outputs)
        .filter(([, output]) => output.Export)
        .map(([name, output]) => [name, output.Export!.Name]),
    );
    // Serverless exports its own outputs too, as sls-<service>-<stage>-…; these are ours.
    expect(exported).toMatchObject({
      AnyValidAuthorizerArn: 'fresh-token-lambda-prod-AnyValidAuthorizerArn',
      FreshOnlyAuthorizerArn: 'fresh-token-lambda-prod-FreshOnlyAuthorizerArn',
      FreshRecentAuthorizerArn: 'fresh-token-lambda-prod-FreshRecentAuthorizerArn',
      FreshStrongAuthorizerArn: 'fresh-token-lambda-prod-FreshStrongAuthorizerArn',
      ApiBaseUrl: 'fresh-token-lambda-prod-ApiBaseUrl',
      JwksUrl: 'fresh-token-lambda-prod-JwksUrl',
    });
    expect(outputs.AnyValidAuthorizerArn?.Value).toEqual({ 'Fn::GetAtt': ['AnyDashvalidLambdaFunction', 'Arn'] });
    expect(outputs.FreshOnlyAuthorizerArn?.Value).toEqual({ 'Fn::GetAtt': ['FreshDashonlyLambdaFunction', 'Arn'] });
    expect(outputs.FreshRecentAuthorizerArn?.Value).toEqual({ 'Fn::GetAtt': ['FreshDashrecentLambdaFunction', 'Arn'] });
    expect(outputs.FreshStrongAuthorizerArn?.Value).toEqual({ 'Fn::GetAtt': ['FreshDashstrongLambdaFunction', 'Arn'] });
    const base = [
      'https://',
      { Ref: 'ApiGatewayRestApi' },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
      '/prod',
    ];
    expect(outputs.ApiBaseUrl?.Value).toEqual({ 'Fn::Join': ['', base] });
    expect(outputs.JwksUrl?.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::Join': ['', base] }, '/.well-known/jwks.json']] });
    for (const name of [
      'AnyDashvalidLambdaFunction',
      'FreshDashonlyLambdaFunction',
      'FreshDashrecentLambdaFunction',
      'FreshDashstrongLambdaFunction',
    ]) {
      expect(resources[name]?.Type).toBe('AWS::Lambda::Function');
    }
  });

  it('lets the documented consumer service attach the imported fresh-only authorizer, with its invoke permission', async () => {
    const all = Object.values(resourcesOf(await variants.consumer));
    const imported = { 'Fn::ImportValue': 'fresh-token-lambda-prod-FreshOnlyAuthorizerArn' };
    const authorizer = all.find((resource) => resource.Type === 'AWS::ApiGateway::Authorizer');
    expect(authorizer?.Properties).toMatchObject({ Type: 'REQUEST', IdentitySource: 'method.request.header.Authorization' });
    expect(JSON.stringify(authorizer?.Properties.AuthorizerUri)).toContain(JSON.stringify(imported));
    const permissions = all.filter((resource) => resource.Type === 'AWS::Lambda::Permission');
    expect(permissions.map((permission) => permission.Properties.FunctionName)).toContainEqual(imported);
  }, 300_000);
});

describe('TOKEN_LOCATION and the authorizers', () => {
  const authorizersOf = (within: Record<string, Resource>) =>
    Object.values(within)
      .filter((resource) => resource.Type === 'AWS::ApiGateway::Authorizer')
      .map((resource) => resource.Properties);

  it('takes the identity from the Cookie header with cookies, and caches no decision (CSRF depends on the method and a header)', async () => {
    const cookies = authorizersOf(await variants.cookies);
    expect(cookies).toHaveLength(ofType('AWS::ApiGateway::Authorizer').length);
    for (const authorizer of cookies) {
      expect(authorizer).toMatchObject({ IdentitySource: 'method.request.header.Cookie', AuthorizerResultTtlInSeconds: 0 });
    }
  }, 300_000);

  it('answers preflights for exact origins with credentials and the CSRF header, and puts the first origin on API Gateway’s own answers', async () => {
    const within = await variants.cookies;
    const preflights = Object.values(within).filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'OPTIONS');
    expect(preflights.length).toBeGreaterThan(0);
    for (const preflight of preflights) {
      const [response] = (preflight.Properties.Integration as { IntegrationResponses: Record<string, Record<string, string>>[] })
        .IntegrationResponses;
      expect(response?.ResponseParameters).toMatchObject({
        'method.response.header.Access-Control-Allow-Origin': "'https://app.example'",
        'method.response.header.Access-Control-Allow-Headers': "'Authorization,Content-Type,X-CSRF-TOKEN'",
        'method.response.header.Access-Control-Allow-Credentials': "'true'",
      });
      // The listed origin that asks is echoed (a mapping template), any other gets the first.
      expect(response?.ResponseTemplates?.['application/json']).toContain('$origin.matches("https://admin[.]example")');
    }
    const unauthorized = Object.values(within).find(
      (r) => r.Type === 'AWS::ApiGateway::GatewayResponse' && r.Properties.ResponseType === 'UNAUTHORIZED',
    );
    expect(unauthorized?.Properties.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example'",
      'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
      'gatewayresponse.header.Vary': "'Origin'",
    });
    await expect(variants.cookiesAnyOrigin).rejects.toMatchObject({
      stdout: expect.stringContaining('CORS_ALLOW_ORIGINS=* cannot go with tokens in cookies'),
    });
  }, 300_000);

  it('names no identity source with headers and cookies, which API Gateway allows only uncached', async () => {
    const both = authorizersOf(await variants.headersAndCookies);
    for (const authorizer of both) {
      expect(authorizer).not.toHaveProperty('IdentitySource');
      expect(authorizer.AuthorizerResultTtlInSeconds).toBe(0);
    }
    await expect(variants.bodyLocation).rejects.toMatchObject({
      stdout: expect.stringContaining('TOKEN_LOCATION must be one of headers, cookies, headers,cookies'),
    });
  }, 300_000);
});
