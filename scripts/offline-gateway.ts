/**
 * What API Gateway decides by itself, for serverless-offline: the Lambda authorizers' outcomes
 * (Unauthorized → 401, Deny → 403, anything else → 500) and their cache, the Gateway Responses,
 * the preflights, an unknown route, and the headers it renames on a function's answer. Built on
 * serverless-offline's own extension point: `custom.offline.customAuthenticationProvider`
 * (plugins/offline-gateway.js sets it), whose scheme function receives the hapi server; the
 * functions, authorizers included, still run in serverless-offline's workers (invoked through its
 * Lambda endpoint). The answers are rendered from the same module that writes the Gateway
 * Responses into the CloudFormation template (src/errors/gateway-responses.ts).
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { renderGatewayResponse, type GatewayAnswer, type GatewayResponseProperties } from '../src/errors/gateway-responses';
import type { GatewayResponseType } from '../src/errors/error-table';

/** A Lambda authorizer as the template declares it (one per name, the last event's settings). */
export interface AuthorizerSettings {
  /** The deployed function name (serverless-offline's Lambda endpoint invokes by it). */
  readonly functionName: string;
  /** AuthorizerResultTtlInSeconds: 0 turns the cache off. */
  readonly ttlSeconds: number;
  /** The identity source headers (lower case); none means no cache and no pre-check. */
  readonly identityHeaders: readonly string[];
}

/** A preflight as serverless writes the OPTIONS method of a path (its validated `corsPreflight`). */
export interface PreflightSettings {
  readonly origin?: string;
  readonly origins?: readonly string[];
  readonly headers: readonly string[];
  readonly methods: readonly string[];
  readonly allowCredentials?: boolean;
  readonly maxAge?: number;
}

export interface OfflineGatewaySettings {
  readonly stage: string;
  readonly region: string;
  /** serverless-offline's Lambda endpoint, e.g. http://127.0.0.1:3002. */
  readonly lambdaEndpoint: string;
  readonly gatewayResponses: Readonly<Record<string, GatewayResponseProperties>>;
  readonly authorizers: Readonly<Record<string, AuthorizerSettings>>;
  /** By path as serverless.yml writes it (`sessions/{id}`). */
  readonly preflights: Readonly<Record<string, PreflightSettings>>;
}

/** An authorizer's outcome, as API Gateway reads the function's answer. */
export type AuthorizerOutcome =
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'fault'; readonly reason: string }
  | { readonly kind: 'policy'; readonly principalId: string; readonly policy: PolicyDocument; readonly context: Record<string, string> };

interface PolicyStatement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly Resource?: unknown;
}
interface PolicyDocument {
  readonly Statement: readonly PolicyStatement[];
}

/** The status and own words of each type API Gateway answers with (its defaults, before any Gateway Response). */
const GATEWAY_DEFAULTS: Readonly<Partial<Record<GatewayResponseType | 'REQUEST_TOO_LARGE', { status: number; message: string }>>> = {
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  ACCESS_DENIED: { status: 403, message: 'User is not authorized to access this resource with an explicit deny' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, message: 'Authorizer configuration error' },
  AUTHORIZER_FAILURE: { status: 500, message: 'Authorizer error' },
  THROTTLED: { status: 429, message: 'Too Many Requests' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long' },
};

/**
 * Headers a REST API renames on a Lambda proxy answer (`x-amzn-Remapped-…`), so a function cannot
 * set them for the client: among them `WWW-Authenticate`, which is why the authorizers' challenges
 * are Gateway Responses.
 */
const REMAPPED_HEADERS = ['authorization', 'connection', 'date', 'server', 'www-authenticate'];

/** API Gateway's answer of `type`: its Gateway Response, else DEFAULT_4XX/5XX, else its own. */
export function gatewayAnswer(
  responses: Readonly<Record<string, GatewayResponseProperties>>,
  type: GatewayResponseType | 'REQUEST_TOO_LARGE',
  authorizer?: Readonly<Record<string, string>>,
  ownAnswer?: { status: number; message: string },
): GatewayAnswer {
  const own = ownAnswer ?? GATEWAY_DEFAULTS[type];
  if (!own) throw new Error(`no default answer for ${type}`);
  const byType = new Map(Object.values(responses).map((response) => [response.ResponseType as string, response]));
  const response = byType.get(type) ?? byType.get(own.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  if (!response)
    return { statusCode: own.status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: own.message }) };
  return renderGatewayResponse(response, { status: own.status, errorMessage: own.message, ...(authorizer ? { authorizer } : {}) });
}

/** IAM's wildcards in an execute-api ARN: `*` any run of characters, `?` one. */
function arnMatches(pattern: string, arn: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${regex}$`).test(arn);
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : [value]);
const INVOKE_ACTIONS = new Set(['*', 'execute-api:*', 'execute-api:invoke']);

/** Whether `policy` lets the caller invoke `methodArn`: an explicit Deny wins, else an Allow is needed. */
export function policyAllows(policy: PolicyDocument, methodArn: string): boolean {
  const applies = (statement: PolicyStatement) =>
    asList(statement.Action).some((action) => typeof action === 'string' && INVOKE_ACTIONS.has(action.toLowerCase())) &&
    asList(statement.Resource).some((resource) => typeof resource === 'string' && arnMatches(resource, methodArn));
  const matching = policy.Statement.filter(applies);
  return !matching.some((statement) => statement.Effect === 'Deny') && matching.some((statement) => statement.Effect === 'Allow');
}

/**
 * Reads an authorizer function's result as API Gateway does: an error whose message is exactly
 * `Unauthorized` is a 401; a policy needs a principal, a statement list and a flat context (its
 * values become strings); anything else is a fault (500).
 */
export function readAuthorizerResult(result: { error?: string; value?: unknown }): AuthorizerOutcome {
  if (result.error !== undefined)
    return result.error === 'Unauthorized' ? { kind: 'unauthorized' } : { kind: 'fault', reason: result.error };
  const value = result.value as { principalId?: unknown; policyDocument?: { Statement?: unknown }; context?: unknown } | null;
  if (typeof value !== 'object' || value === null) return { kind: 'fault', reason: 'the authorizer returned no policy' };
  const { principalId, policyDocument, context = {} } = value;
  if (typeof principalId !== 'string' || principalId === '') return { kind: 'fault', reason: 'no principalId' };
  if (!Array.isArray(policyDocument?.Statement)) return { kind: 'fault', reason: 'no policy statements' };
  if (typeof context !== 'object' || context === null) return { kind: 'fault', reason: 'the context is not an object' };
  const flat: Record<string, string> = {};
  for (const [key, item] of Object.entries(context)) {
    if (!['string', 'number', 'boolean'].includes(typeof item)) return { kind: 'fault', reason: `context value ${key} is not a primitive` };
    flat[key] = String(item as string | number | boolean);
  }
  return { kind: 'policy', principalId, policy: { Statement: policyDocument.Statement as PolicyStatement[] }, context: flat };
}

/** API Gateway's authorizer cache: one entry per authorizer and identity source values, for its TTL. */
export class AuthorizerCache {
  readonly #entries = new Map<string, { outcome: AuthorizerOutcome; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): AuthorizerOutcome | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt > this.now()) return entry.outcome;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, outcome: AuthorizerOutcome, ttlSeconds: number): void {
    this.#entries.set(key, { outcome, expiresAt: this.now() + ttlSeconds * 1000 });
  }
}

/** The OPTIONS answer serverless writes for a path (a MOCK integration): the listed origin that asks, else the first. */
export function preflightAnswer(preflight: PreflightSettings, origin: string | undefined): GatewayAnswer {
  const origins = preflight.origin?.includes(',') ? preflight.origin.split(',').map((item) => item.trim()) : (preflight.origins ?? []);
  const matches = (pattern: string) =>
    origin !== undefined && new RegExp(`^${pattern.replace(/\./g, '[.]').replace('*', '.+')}$`).test(origin);
  const allowOrigin = origins.length > 0 ? (origins.find(matches) ? origin! : origins[0]!) : (preflight.origin ?? '*');
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Access-Control-Allow-Origin': allowOrigin,
    'Access-Control-Allow-Headers': preflight.headers.join(','),
    'Access-Control-Allow-Methods': preflight.methods.join(',').replace('ANY', 'DELETE,GET,HEAD,PATCH,POST,PUT'),
  };
  if (preflight.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  if (preflight.maxAge) headers['Access-Control-Max-Age'] = String(preflight.maxAge);
  return { statusCode: 200, headers, body: '' };
}

/** `sessions/{id}` against `/sessions/abc`. */
function pathMatches(template: string, path: string): boolean {
  const want = template.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  return want.length === got.length && want.every((segment, index) => segment.startsWith('{') || segment === got[index]);
}

// The few parts of hapi (serverless-offline's HTTP server) used here.
interface HapiResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  isBoom?: boolean;
  message?: string;
  output?: { statusCode: number };
  code(status: number): HapiResponse;
  header(name: string, value: string): HapiResponse;
  takeover(): HapiResponse;
  charset(charset: string | null): HapiResponse;
}
interface HapiRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  info: { remoteAddress: string };
  raw: { req: { rawHeaders: string[] } };
  response: HapiResponse | null;
  plugins: Record<string, unknown>;
  /** `settings.cache`: hapi's Cache-Control policy for the route (false: it adds none). */
  route: { path: string; settings?: { cache?: unknown } };
}
interface HapiToolkit {
  readonly continue: symbol;
  response(body?: string): HapiResponse;
  authenticated(data: { credentials: Record<string, unknown> }): unknown;
}
interface HapiServer {
  /** The Node server under hapi (absent in the unit tests' stand-in). */
  readonly listener?: Pick<Server, 'on' | 'removeAllListeners'>;
  ext(event: string, method: (request: HapiRequest, h: HapiToolkit) => unknown): void;
  route(route: {
    method: string;
    path: string;
    options: Record<string, unknown>;
    handler: (request: HapiRequest, h: HapiToolkit) => unknown;
  }): void;
}
/** serverless-offline's endpoint (the http event as serverless.yml gives it). */
interface OfflineEndpoint {
  readonly authorizer?: string | { readonly name?: string };
}
export interface AuthenticationStrategy {
  readonly name: string;
  readonly scheme: string;
  getAuthenticateFunction(server: HapiServer): { authenticate(request: HapiRequest, h: HapiToolkit): Promise<unknown> };
}

/**
 * The raw HTTP answer to a request Node's parser refused before hapi saw it (`code`: Node's
 * `HPE_HEADER_OVERFLOW` for headers over its 16 KB limit, 431; anything else malformed, 400): API
 * Gateway's DEFAULT_4XX in JSON, where hapi would write a bare `400 Bad Request` with no body.
 */
export function parserRefusal(responses: Readonly<Record<string, GatewayResponseProperties>>, code: string | undefined): string {
  const own =
    code === 'HPE_HEADER_OVERFLOW' ? { status: 431, message: 'Request Header Fields Too Large' } : { status: 400, message: 'Bad Request' };
  const answer = gatewayAnswer(responses, 'DEFAULT_4XX', undefined, own);
  const headers = { ...answer.headers, 'Content-Length': String(Buffer.byteLength(answer.body)), Connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? ''}`, ...lines, '', answer.body].join('\r\n');
}

/** What this module records on a request: the status and headers its answer must keep. */
interface Answered {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
}
const STATE = 'fresh-token-gateway';

/** Invokes a function through serverless-offline's Lambda endpoint (the AWS Lambda Invoke API). */
async function invokeFunction(endpoint: string, functionName: string, event: unknown): Promise<{ error?: string; value?: unknown }> {
  const response = await fetch(`${endpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, {
    method: 'POST',
    body: JSON.stringify(event),
  });
  const text = await response.text();
  if (response.status !== 200) return { error: `invoke answered ${response.status}` };
  const payload: unknown = text === '' ? null : JSON.parse(text);
  if (response.headers.get('x-amz-function-error')) {
    const message = (payload as { errorMessage?: unknown } | null)?.errorMessage;
    return { error: typeof message === 'string' ? message : 'unhandled error' };
  }
  return { value: payload };
}

/** The request's headers as a REST API passes them (single value: the last; multi-value: all). */
function headerMaps(rawHeaders: readonly string[]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const [name, value] = [rawHeaders[index]!, rawHeaders[index + 1]!];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

/**
 * The gateway for one serverless-offline run: `provider` is what
 * `custom.offline.customAuthenticationProvider` must export; `installed` says whether
 * serverless-offline called it (plugins/offline-gateway.js fails the start if not).
 */
export function createOfflineGateway(
  settings: OfflineGatewaySettings,
  options: {
    now?: () => number;
    invoke?: (functionName: string, event: unknown) => Promise<{ error?: string; value?: unknown }>;
  } = {},
) {
  const cache = new AuthorizerCache(options.now);
  const invoke = options.invoke ?? ((functionName: string, event: unknown) => invokeFunction(settings.lambdaEndpoint, functionName, event));
  let server: HapiServer | undefined;
  let schemes = 0;

  /** Answers `answer` and records it, so no later step (serverless-offline's CORS) changes it. */
  const reply = (request: HapiRequest, h: HapiToolkit, answer: GatewayAnswer): HapiResponse => {
    request.plugins[STATE] = { statusCode: answer.statusCode, headers: answer.headers } satisfies Answered;
    const response = h.response(answer.body).code(answer.statusCode);
    for (const [name, value] of Object.entries(answer.headers)) response.header(name, value);
    return response.takeover();
  };
  const replyType = (
    request: HapiRequest,
    h: HapiToolkit,
    type: GatewayResponseType | 'REQUEST_TOO_LARGE',
    context?: Record<string, string>,
    own?: { status: number; message: string },
  ) => reply(request, h, gatewayAnswer(settings.gatewayResponses, type, context, own));

  const install = (hapi: HapiServer): void => {
    // hapi hands each scheme its own view of the one server: install once.
    if (server) return;
    server = hapi;
    // Every request no route takes: a preflight the template answers, or API Gateway's
    // MISSING_AUTHENTICATION_TOKEN. Registered before serverless-offline's own 404 route, which
    // then steps aside (it yields to any catch-all route).
    hapi.route({
      method: '*',
      path: '/{p*}',
      options: { cors: false, cache: false, payload: { parse: false, maxBytes: 10 * 1024 * 1024 } },
      handler: (request, h) => {
        const preflight = Object.entries(settings.preflights).find(([path]) => pathMatches(path, request.path))?.[1];
        if (request.method === 'options' && preflight) return reply(request, h, preflightAnswer(preflight, request.headers.origin));
        return replyType(request, h, 'MISSING_AUTHENTICATION_TOKEN');
      },
    });
    // What Node's parser refuses (headers over its limit) never reaches hapi, which would answer a
    // bare 400: API Gateway's DEFAULT_4XX instead, in JSON.
    hapi.listener?.removeAllListeners('clientError');
    hapi.listener?.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (socket.writable) socket.end(parserRefusal(settings.gatewayResponses, err.code));
      else socket.destroy(err);
    });
    // A REST API has no HEAD method unless one is declared; hapi would answer it from GET.
    hapi.ext('onRequest', (request, h) => (request.method === 'head' ? replyType(request, h, 'MISSING_AUTHENTICATION_TOKEN') : h.continue));
    // A function's answer: its own headers, and none of those API Gateway renames.
    hapi.ext('onPostHandler', (request, h) => {
      const response = request.response;
      if (!response || response.isBoom || request.plugins[STATE]) return h.continue;
      for (const name of Object.keys(response.headers)) {
        if (!REMAPPED_HEADERS.includes(name.toLowerCase())) continue;
        response.headers[`x-amzn-Remapped-${name}`] = response.headers[name];
        delete response.headers[name];
      }
      request.plugins[STATE] = {
        statusCode: response.statusCode,
        headers: Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)])),
      } satisfies Answered;
      return h.continue;
    });
    // Runs after serverless-offline's own onPreResponse, which echoes any Origin with credentials
    // (and turns every OPTIONS into a 200): put back the answer as API Gateway would send it.
    hapi.ext('onPreResponse', (request, h) => {
      // API Gateway adds no Cache-Control: hapi's default policy ("no-cache" on an answer without
      // one) is turned off for every route, so only what a function or Gateway Response sets is sent.
      if (request.route.settings) request.route.settings.cache = false;
      const response = request.response;
      if (!response) return h.continue;
      if (response.isBoom) {
        // hapi's own refusals (a body over 10 MB, a malformed request): API Gateway's 4XX/5XX.
        const status = response.output?.statusCode ?? 500;
        if (status === 413) return replyType(request, h, 'REQUEST_TOO_LARGE');
        return replyType(request, h, status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX', undefined, { status, message: response.message ?? '' });
      }
      const answered = request.plugins[STATE] as Answered | undefined;
      if (!answered) return h.continue;
      response.statusCode = answered.statusCode;
      // The Content-Type as written: hapi would add "; charset=utf-8".
      response.charset(null);
      const kept = new Set(Object.keys(answered.headers).map((name) => name.toLowerCase()));
      for (const name of Object.keys(response.headers)) {
        if (name.toLowerCase().startsWith('access-control-') && !kept.has(name.toLowerCase())) delete response.headers[name];
      }
      for (const [name, value] of Object.entries(answered.headers)) {
        if (name.toLowerCase().startsWith('access-control-')) response.header(name, value);
      }
      return h.continue;
    });
  };

  const authenticate = async (authorizerName: string | undefined, request: HapiRequest, h: HapiToolkit): Promise<unknown> => {
    if (authorizerName === undefined) return h.authenticated({ credentials: {} });
    const authorizer = settings.authorizers[authorizerName];
    if (!authorizer) return replyType(request, h, 'AUTHORIZER_CONFIGURATION_ERROR');
    const { headers, multiValueHeaders } = headerMaps(request.raw.req.rawHeaders);
    // A missing identity source is a 401 before any authorizer runs.
    const identity = authorizer.identityHeaders.map((name) => request.headers[name]);
    if (identity.some((value) => value === undefined || value === '')) return replyType(request, h, 'UNAUTHORIZED');
    const httpMethod = request.method.toUpperCase();
    const methodArn = `arn:aws:execute-api:${settings.region}:123456789012:offline/${settings.stage}/${httpMethod}${request.path}`;
    const key = authorizer.ttlSeconds > 0 && identity.length > 0 ? JSON.stringify([authorizerName, ...identity]) : undefined;
    let outcome = key === undefined ? undefined : cache.get(key);
    if (!outcome) {
      const resource = `/${request.route.path.replace(/^\//, '')}`;
      const event = {
        type: 'REQUEST',
        methodArn,
        resource,
        path: request.path,
        httpMethod,
        headers,
        multiValueHeaders,
        queryStringParameters: Object.keys(request.query).length > 0 ? request.query : null,
        pathParameters: Object.keys(request.params).length > 0 ? request.params : null,
        stageVariables: null,
        requestContext: {
          path: request.path,
          accountId: '123456789012',
          apiId: 'offline',
          stage: settings.stage,
          httpMethod,
          resourcePath: resource,
          identity: { sourceIp: request.info.remoteAddress, userAgent: request.headers['user-agent'] ?? null },
        },
      };
      outcome = readAuthorizerResult(await invoke(authorizer.functionName, event));
      // Only a decision is cached: a fault or an Unauthorized runs the authorizer again next time.
      if (key !== undefined && outcome.kind === 'policy') cache.set(key, outcome, authorizer.ttlSeconds);
    }
    if (outcome.kind === 'unauthorized') return replyType(request, h, 'UNAUTHORIZED');
    if (outcome.kind === 'fault') return replyType(request, h, 'AUTHORIZER_CONFIGURATION_ERROR');
    if (!policyAllows(outcome.policy, methodArn)) return replyType(request, h, 'ACCESS_DENIED', outcome.context);
    const { principalId, context } = outcome;
    return h.authenticated({ credentials: { principalId, context: { ...context }, authorizer: { principalId, ...context } } });
  };

  /** `custom.offline.customAuthenticationProvider`: called by serverless-offline once per route. */
  const provider = (endpoint: OfflineEndpoint, functionKey: string, method: string, path: string): AuthenticationStrategy => {
    const authorizerName = typeof endpoint.authorizer === 'string' ? endpoint.authorizer : endpoint.authorizer?.name;
    const id = `${functionKey}-${method}-${path}-${(schemes += 1)}`;
    return {
      name: `fresh-token-gateway-strategy-${id}`,
      scheme: `fresh-token-gateway-scheme-${id}`,
      getAuthenticateFunction: (hapi) => {
        install(hapi);
        return { authenticate: (request, h) => authenticate(authorizerName, request, h) };
      },
    };
  };

  return { provider, installed: () => server !== undefined };
}
