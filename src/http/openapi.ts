/**
 * The API's OpenAPI 3.1 description (GET /openapi.json): every route serverless.yml declares, with
 * its guard (src/http/api-routes.ts), what it takes and answers when the schema table has its row
 * (src/http/route-schemas.ts), its error answers from the error table (its own, its guard's, API
 * Gateway's), and the security schemes of the token-location settings. tests/unit/http/openapi.test.ts
 * validates it with swagger-parser and the handlers' answers against it; the template tests hold the
 * packaged document to the packaged API, route by route.
 */
import type { CookieConfig } from '../config/config';
import { ERROR_TABLE, STEP_UP } from '../errors/error-table';
import type { ErrorCode } from '../errors/errors';
import type { ApiRoute, Guard } from './api-routes';
import { msg, ROUTE_SCHEMAS, string, type RouteSchema, type Schema } from './route-schemas';

/** What an authorizer answers by itself (through API Gateway's Gateway Responses), by what it checks. */
const AUTHORIZER: Record<Guard['checks'], readonly ErrorCode[]> = {
  'any-valid': ['ERR_TOKEN_INVALID'],
  'fresh-only': ['ERR_TOKEN_INVALID', 'ERR_FRESH_TOKEN_REQUIRED'],
  // Any authorizer's Unauthorized and Deny reach the client as the same Gateway Responses.
  other: ['ERR_TOKEN_INVALID', 'ERR_FRESH_TOKEN_REQUIRED'],
};
/** A Deny's body: the message, and the `acr_values` of a route that requires a class (see gateway-responses.ts). */
const denyBody: Schema = {
  type: 'object',
  required: ['msg'],
  properties: {
    msg: string,
    acr_values: {
      type: 'string',
      description: 'On a refused step-up of a route that requires a class: the acr it requires, space-separated (absent otherwise)',
    },
  },
  additionalProperties: false,
};
/** API Gateway's own answers on every route: throttling, and its faults. */
const GATEWAY: readonly ErrorCode[] = ['ERR_THROTTLED', 'ERR_INTERNAL'];

const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);

/** Who may call a route, in words: its authorizer and what that checks, or the refresh token its handler checks. */
function guardText(guard: Guard | undefined, refreshToken: boolean): string | undefined {
  if (refreshToken) return 'A refresh token, checked by the handler itself.';
  if (guard === undefined) return undefined;
  const limits = [
    ...(guard.maxAgeSeconds !== undefined ? [`the password proven at most ${guard.maxAgeSeconds} s ago`] : []),
    ...(guard.requireAcr !== undefined ? [`from an authentication of class ${guard.requireAcr}`] : []),
  ];
  const checks =
    guard.checks === 'any-valid'
      ? 'any valid access token'
      : guard.checks === 'fresh-only'
        ? ['a fresh access token', ...limits].join(', ')
        : 'what that authorizer checks';
  return `Behind the ${guard.name} authorizer: ${checks}.`;
}

function security(route: ApiRoute, refreshToken: boolean, transport: CookieConfig): Record<string, string[]>[] {
  if (route.guard === undefined && !refreshToken) return [];
  const options: Record<string, string[]>[] = [];
  if (transport.headers) options.push({ bearer: [] });
  if (transport.cookies) {
    const cookie = refreshToken ? 'refreshCookie' : 'accessCookie';
    const csrf = refreshToken ? 'refreshCsrf' : 'accessCsrf';
    options.push(STATE_CHANGING.has(route.method) && transport.csrfProtect ? { [cookie]: [], [csrf]: [] } : { [cookie]: [] });
  }
  return options;
}

function errorResponses(codes: readonly ErrorCode[], extraChallenges: readonly string[] = []): Record<string, Schema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_TABLE[code].status, [...(byStatus.get(ERROR_TABLE[code].status) ?? []), code]);
  const responses: Record<string, Schema> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const own = group.map((code) => ERROR_TABLE[code].wwwAuthenticate).filter((value) => value !== undefined);
    const denies = group.some((code) => ERROR_TABLE[code].authorizer === 'Deny');
    const challenges = [...new Set([...own, ...(denies ? extraChallenges : [])])];
    // Every 429 and 503 of this API says when to retry (lockout window, throttling, an outage).
    const retry = status === 429 || status === 503;
    const headers: Record<string, Schema> = {};
    if (challenges.length > 0) {
      headers['WWW-Authenticate'] = {
        description:
          'RFC 6750 challenge (RFC 9470 step-up for a token that is not fresh enough, with acr_values on a route that requires a passkey; on AWS, with STEP_UP_CHALLENGE=static, the route’s acr_values arrive in the body); on AWS a handler’s arrives as x-amzn-Remapped-WWW-Authenticate',
        schema: { type: 'string', examples: challenges },
      };
    }
    if (retry) headers['Retry-After'] = { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } };
    responses[String(status)] = {
      description: group.join(', '),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: { 'application/json': { schema: denies ? denyBody : msg() } },
    };
  }
  return responses;
}

/**
 * Where the API is, relative to the document (OpenAPI 3.1 §4.8.5.1): the folder it was fetched from,
 * which is the stage path on AWS (or a custom domain's base path) and / locally. Nothing of the
 * request shapes it, so every client and cache sees one document.
 */
const SERVER = { url: '.', description: 'Relative to this document: the base URL it was fetched from' };

/** A route with no row in the schema table: any JSON answer, and the errors of its guard and of API Gateway. */
const UNDESCRIBED: RouteSchema = { summary: '', response: {}, errors: [] };

/**
 * The OpenAPI 3.1 document of `routes` (serverless.yml's, src/http/api-routes.ts) for a deployment
 * with these token-location settings.
 */
export function openApiDocument(options: { transport: CookieConfig; routes: readonly ApiRoute[] }): Record<string, unknown> {
  const { transport, routes } = options;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const key = `${route.method.toUpperCase()} ${route.path}`;
    const schema = ROUTE_SCHEMAS[key] ?? { ...UNDESCRIBED, summary: route.description ?? key };
    const refreshToken = schema.refreshToken === true;
    const guardErrors = route.guard === undefined ? [] : AUTHORIZER[route.guard.checks];
    const codes = [...new Set([...schema.errors, ...guardErrors, ...GATEWAY])];
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: string }));
    const described = guardText(route.guard, refreshToken);
    const acrChallenge = route.guard?.requireAcr === undefined ? [] : [`${STEP_UP}, acr_values="${route.guard.requireAcr}"`];
    (paths[route.path] ??= {})[route.method] = {
      summary: schema.summary,
      ...(described !== undefined ? { description: described } : {}),
      operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      security: security(route, refreshToken, transport),
      ...(route.guard !== undefined ? { 'x-authorizer': route.guard } : {}),
      ...(schema.request ? { requestBody: { required: true, content: { 'application/json': { schema: schema.request } } } } : {}),
      responses: {
        [schema.created ? '201' : '200']: {
          description: schema.created ? 'Created' : 'OK',
          content: { [schema.html ? 'text/html' : 'application/json']: { schema: schema.response } },
        },
        ...errorResponses(codes, acrChallenge),
      },
    };
  }
  const securitySchemes: Record<string, Schema> = {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token; on /refresh and /logout, a refresh token',
    },
    accessCookie: { type: 'apiKey', in: 'cookie', name: transport.accessCookieName, description: 'The access token, HttpOnly' },
    refreshCookie: { type: 'apiKey', in: 'cookie', name: transport.refreshCookieName, description: 'The refresh token, HttpOnly' },
    accessCsrf: {
      type: 'apiKey',
      in: 'header',
      name: transport.accessCsrfHeaderName,
      description: `CSRF double-submit: the value of the ${transport.accessCsrfCookieName} cookie, on POST, PUT, PATCH and DELETE with the access cookie`,
    },
    refreshCsrf: {
      type: 'apiKey',
      in: 'header',
      name: transport.refreshCsrfHeaderName,
      description: `CSRF double-submit: the value of the ${transport.refreshCsrfCookieName} cookie, with the refresh cookie`,
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'fresh-token-lambda',
      version: '1',
      description: `Token freshness for serverless APIs: logins give fresh access tokens, refreshes non-fresh ones; critical routes take fresh tokens only and answer others with the RFC 9470 challenge (${STEP_UP}).`,
    },
    servers: [SERVER],
    paths,
    components: { securitySchemes },
  };
}
