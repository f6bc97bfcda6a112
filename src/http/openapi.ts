/**
 * The API's OpenAPI 3.1 description (GET /openapi.json), built from the route table below, the
 * error table (each route's error answers and challenges) and the token-location settings (the
 * security schemes). tests/e2e/openapi.test.ts holds the route table to serverless.yml's routes and
 * authorizers, validates the document with swagger-parser, and the handlers' answers against it.
 */
import { ACR_VALUES, type CookieConfig } from '../config/config';
import { ERROR_TABLE, STEP_UP } from '../errors/error-table';
import type { ErrorCode } from '../errors/errors';

type Schema = Record<string, unknown>;

/** Who may call a route: no one in particular, a refresh token (checked by the handler), or an authorizer. */
type Guard = 'none' | 'refresh-token' | 'any-valid' | 'any-valid-live' | 'fresh-only' | 'fresh-recent' | 'fresh-strong';

export interface RouteSpec {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** As in serverless.yml, with `{id}` parameters. */
  readonly path: string;
  readonly summary: string;
  readonly guard: Guard;
  readonly request?: Schema;
  /** The success answer's body (200, or 201 for a route that creates). */
  readonly response: Schema;
  /** The route creates something and answers 201 Created. */
  readonly created?: true;
  /** What the route itself answers besides 200 (the guard's own answers are added). */
  readonly errors: readonly ErrorCode[];
  /** The 200 answer is an HTML page, not JSON. */
  readonly html?: true;
}

const string = { type: 'string' } as const;
const msg = (text?: string): Schema => ({
  type: 'object',
  required: ['msg'],
  properties: { msg: text === undefined ? string : { const: text } },
  additionalProperties: false,
});
const object = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
});
const time = { type: 'string', format: 'date-time' } as const;
const PASSWORD_LENGTH = 'Lengths count the characters (code points) of the password’s NFKC form, the form that is hashed';
const credentials = object({
  username: { type: 'string', minLength: 1, maxLength: 256 },
  password: { type: 'string', minLength: 1, maxLength: 1024, description: PASSWORD_LENGTH },
});
/** Token bodies: the tokens with headers, `{"login"|"refresh": true}` with cookies only. */
const tokens = (withRefresh: boolean, cookieFlag: string): Schema => ({
  oneOf: [
    object(
      withRefresh ? { access_token: string, refresh_token: string } : { access_token: string },
      withRefresh ? ['access_token', 'refresh_token'] : ['access_token'],
    ),
    object({ [cookieFlag]: { const: true } }),
  ],
});
const session = object({
  id: string,
  created_at: time,
  last_used_at: time,
  expires_at: time,
  ip: { type: ['string', 'null'] },
  user_agent: { type: ['string', 'null'] },
  current: { type: 'boolean' },
});
const BODY: readonly ErrorCode[] = ['ERR_UNSUPPORTED_MEDIA_TYPE', 'ERR_BODY_TOO_LARGE', 'ERR_BODY_INVALID'];
/** An account write with a token: no row for its user, or a row that takes no writes from it (src/users/account-writes.ts). */
const ACCOUNT_WRITE: readonly ErrorCode[] = ['ERR_ACCOUNT_NOT_FOUND', 'ERR_SESSION_ENDED'];
/** The account's reads answer only a token of it (a disabled account, or one made after the token: 401). */
const ACCOUNT_READ = ACCOUNT_WRITE;
const LOGIN: readonly ErrorCode[] = [
  ...BODY,
  'ERR_BAD_CREDENTIALS',
  'ERR_TOO_MANY_ATTEMPTS',
  'ERR_STORE_UNAVAILABLE',
  'ERR_KEYS_UNAVAILABLE',
];
const REFRESH_TOKEN: readonly ErrorCode[] = [
  'ERR_AUTH_HEADER_MISSING',
  'ERR_AUTH_HEADER_MALFORMED',
  'ERR_TOKEN_INVALID',
  'ERR_TOKEN_EXPIRED',
  'ERR_REFRESH_TOKEN_REQUIRED',
  'ERR_CSRF_MISSING',
  'ERR_CSRF_MISMATCH',
  'ERR_STORE_UNAVAILABLE',
  'ERR_KEYS_UNAVAILABLE',
];

/** A credential's `toJSON()` (WebAuthn JSON, base64url fields), as browsers and @simplewebauthn/browser give it. */
const webauthnCredential = (response: Record<string, Schema>, required: string[]): Schema => ({
  type: 'object',
  required: ['id', 'rawId', 'type', 'response'],
  properties: {
    id: string,
    rawId: string,
    type: { const: 'public-key' },
    response: { type: 'object', required, properties: response },
    clientExtensionResults: { type: 'object' },
    authenticatorAttachment: { type: ['string', 'null'] },
  },
});
const assertion = webauthnCredential(
  { clientDataJSON: string, authenticatorData: string, signature: string, userHandle: { type: ['string', 'null'] } },
  ['clientDataJSON', 'authenticatorData', 'signature'],
);
const passkeyRequest = object({ passkey: assertion });
/** WebAuthn options as @simplewebauthn/server makes them (PublicKeyCredential.parse*OptionsFromJSON reads them). */
const webauthnOptions: Schema = { type: 'object', required: ['challenge'], properties: { challenge: string } };
const passkeyView = object({
  id: string,
  name: string,
  created_at: time,
  last_used_at: { type: ['string', 'null'], format: 'date-time' },
  backed_up: { type: 'boolean', description: 'The authenticator reports the key as synced (backup state)' },
});
const PASSKEY: readonly ErrorCode[] = [
  ...BODY,
  'ERR_PASSKEY_REJECTED',
  'ERR_CHALLENGE_INVALID',
  'ERR_TOO_MANY_ATTEMPTS',
  'ERR_PASSKEYS_NOT_CONFIGURED',
  'ERR_STORE_UNAVAILABLE',
  'ERR_KEYS_UNAVAILABLE',
];

/** Every route of the API. */
export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'post',
    path: '/login',
    summary: 'Log in with the password, or a discoverable passkey: a fresh access token and the first refresh token of a new session',
    guard: 'none',
    request: { oneOf: [credentials, passkeyRequest] },
    response: tokens(true, 'login'),
    errors: [...new Set([...LOGIN, ...PASSKEY])],
  },
  {
    method: 'post',
    path: '/login/passkey/options',
    summary: 'WebAuthn request options for a login with a discoverable passkey (one-time challenge, 5 minutes)',
    guard: 'none',
    response: webauthnOptions,
    errors: ['ERR_PASSKEYS_NOT_CONFIGURED', 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'post',
    path: '/fresh-login',
    summary:
      'Prove the password again, or step up with a passkey: a fresh access token only (of the session whose refresh token is sent, if any)',
    guard: 'none',
    request: { oneOf: [credentials, passkeyRequest] },
    response: tokens(false, 'login'),
    errors: [...new Set([...LOGIN, ...PASSKEY, 'ERR_TOKEN_INVALID', 'ERR_REFRESH_TOKEN_REVOKED'])] as ErrorCode[],
  },
  {
    method: 'post',
    path: '/fresh-login/passkey/options',
    summary: "WebAuthn request options for a step-up: the caller's passkeys, a one-time challenge for the caller (5 minutes)",
    guard: 'any-valid-live',
    response: webauthnOptions,
    errors: ['ERR_PASSKEYS_NOT_CONFIGURED', 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'post',
    path: '/me/passkeys/options',
    summary: 'WebAuthn creation options for a new passkey (attestation none, resident key preferred, user verification required)',
    guard: 'fresh-only',
    response: webauthnOptions,
    errors: ['ERR_PASSKEY_REGISTRATION_REJECTED', ...ACCOUNT_WRITE, 'ERR_PASSKEYS_NOT_CONFIGURED', 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'post',
    path: '/me/passkeys',
    summary: 'Register a passkey from its credential.toJSON(), with an optional name',
    guard: 'fresh-only',
    created: true,
    request: object(
      {
        credential: webauthnCredential({ clientDataJSON: string, attestationObject: string, transports: { type: 'array' } }, [
          'clientDataJSON',
          'attestationObject',
        ]),
        name: { type: 'string', minLength: 1, maxLength: 64 },
      },
      ['credential'],
    ),
    response: object({ passkey: passkeyView }),
    errors: [
      ...BODY,
      'ERR_PASSKEY_REGISTRATION_REJECTED',
      'ERR_CHALLENGE_INVALID',
      ...ACCOUNT_WRITE,
      'ERR_PASSKEYS_NOT_CONFIGURED',
      'ERR_STORE_UNAVAILABLE',
    ],
  },
  {
    method: 'get',
    path: '/me/passkeys',
    summary: "The caller's passkeys: name, created, last used, synced (backup state)",
    guard: 'any-valid-live',
    response: object({ passkeys: { type: 'array', items: passkeyView } }),
    errors: [...ACCOUNT_READ, 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'delete',
    path: '/me/passkeys/{id}',
    summary: "Remove one of the caller's passkeys (anyone else's: 404)",
    guard: 'fresh-only',
    response: msg('Passkey removed'),
    errors: ['ERR_PASSKEY_NOT_FOUND', 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'post',
    path: '/refresh',
    summary: "A non-fresh access token and the session's next refresh token",
    guard: 'refresh-token',
    response: tokens(true, 'refresh'),
    errors: [...REFRESH_TOKEN, 'ERR_REFRESH_TOKEN_REVOKED', 'ERR_REFRESH_TOKEN_REUSED'],
  },
  {
    method: 'post',
    path: '/logout',
    summary: "End the refresh token's session (and delete the cookies)",
    guard: 'refresh-token',
    response: msg('Logged out'),
    errors: REFRESH_TOKEN,
  },
  {
    method: 'get',
    path: '/protected',
    summary: 'Any valid access token',
    guard: 'any-valid',
    response: object({ logged_in_as: string }),
    errors: [],
  },
  {
    method: 'get',
    path: '/protected-fresh',
    summary: 'Fresh access tokens only',
    guard: 'fresh-only',
    response: object({ fresh_logged_in_as: string }),
    errors: [],
  },
  {
    method: 'get',
    path: '/protected-recent',
    summary: 'Fresh, with the password proven at most RECENT_MAX_AGE ago',
    guard: 'fresh-recent',
    response: object({ recent_logged_in_as: string }),
    errors: [],
  },
  {
    method: 'get',
    path: '/protected-strong',
    summary: 'Fresh access tokens from a passkey step-up only (acr urn:fresh-token:acr:phr)',
    guard: 'fresh-strong',
    response: object({ strong_logged_in_as: string }),
    errors: [],
  },
  {
    method: 'get',
    path: '/sessions',
    summary: "The caller's live sessions, newest first, 100 a page",
    guard: 'any-valid-live',
    response: object({ sessions: { type: 'array', items: session, maxItems: 100 }, next: string }, ['sessions']),
    errors: ['ERR_QUERY_INVALID', 'ERR_SESSION_ENDED', 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'delete',
    path: '/sessions/{id}',
    summary: "End one of the caller's sessions",
    guard: 'fresh-only',
    response: msg('Session ended'),
    errors: ['ERR_SESSION_NOT_FOUND', ...ACCOUNT_WRITE, 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'delete',
    path: '/sessions',
    summary: 'End every session of the caller (sign out everywhere)',
    guard: 'fresh-only',
    response: object({ msg: { const: 'All sessions ended' }, ended: { type: 'integer', minimum: 0 } }),
    errors: [...ACCOUNT_WRITE, 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'get',
    path: '/me',
    summary: "The caller's account",
    guard: 'any-valid-live',
    response: object({
      username: string,
      email: { type: ['string', 'null'] },
      created_at: time,
      auth_time: { type: ['integer', 'null'] },
      fresh: { type: 'boolean' },
      fresh_until: { type: ['number', 'null'] },
      expires_at: { type: ['integer', 'null'] },
      acr: { enum: Object.values(ACR_VALUES) },
      amr: { type: 'array', items: string, minItems: 1 },
    }),
    errors: [...ACCOUNT_READ, 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'put',
    path: '/me/email',
    summary: "Change the caller's e-mail address",
    guard: 'fresh-only',
    request: object({ email: { type: 'string', minLength: 1 } }),
    response: object({ msg: { const: 'E-mail changed' }, email: { type: 'string', format: 'email', maxLength: 254 } }),
    errors: [...BODY, 'ERR_EMAIL_INVALID', ...ACCOUNT_WRITE, 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'put',
    path: '/me/password',
    summary: "Change the caller's password; every other session ends",
    guard: 'fresh-recent',
    request: object({
      current_password: { type: 'string', minLength: 1 },
      new_password: { type: 'string', minLength: 8, maxLength: 1024, description: PASSWORD_LENGTH },
    }),
    response: msg('Password changed'),
    errors: [...BODY, 'ERR_BAD_CREDENTIALS', 'ERR_WEAK_PASSWORD', 'ERR_TOO_MANY_ATTEMPTS', 'ERR_SESSION_ENDED', 'ERR_STORE_UNAVAILABLE'],
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'The public keys tokens are signed with (EdDSA/ES256; empty with HS256)',
    guard: 'none',
    response: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' } } } },
    errors: ['ERR_KEYS_UNAVAILABLE'],
  },
  {
    method: 'get',
    path: '/',
    summary: 'The demo page: the fresh-token pattern in a browser',
    guard: 'none',
    response: string,
    errors: [],
    html: true,
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    guard: 'none',
    response: { type: 'object', required: ['openapi'] },
    errors: [],
  },
];

/** What an authorizer answers by itself (through API Gateway's Gateway Responses). */
const AUTHORIZER: Record<Exclude<Guard, 'none' | 'refresh-token'>, readonly ErrorCode[]> = {
  'any-valid': ['ERR_TOKEN_INVALID'],
  'any-valid-live': ['ERR_TOKEN_INVALID'],
  'fresh-only': ['ERR_TOKEN_INVALID', 'ERR_FRESH_TOKEN_REQUIRED'],
  'fresh-recent': ['ERR_TOKEN_INVALID', 'ERR_FRESH_TOKEN_REQUIRED'],
  'fresh-strong': ['ERR_TOKEN_INVALID', 'ERR_FRESH_TOKEN_REQUIRED'],
};
/** The RFC 9470 challenge of a route that requires a passkey step-up, as its authorizer's Deny says it. */
const STRONG_CHALLENGE = `${STEP_UP}, acr_values="${ACR_VALUES.phr}"`;
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

const STATE_CHANGING = new Set(['post', 'put', 'delete']);

function security(route: RouteSpec, transport: CookieConfig): Record<string, string[]>[] | undefined {
  if (route.guard === 'none') return undefined;
  const refresh = route.guard === 'refresh-token';
  const options: Record<string, string[]>[] = [];
  if (transport.headers) options.push({ bearer: [] });
  if (transport.cookies) {
    const cookie = refresh ? 'refreshCookie' : 'accessCookie';
    const csrf = refresh ? 'refreshCsrf' : 'accessCsrf';
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

/** The OpenAPI 3.1 document for a deployment with these token-location settings. */
export function openApiDocument(options: { transport: CookieConfig }): Record<string, unknown> {
  const { transport } = options;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const guardErrors = route.guard === 'none' || route.guard === 'refresh-token' ? [] : AUTHORIZER[route.guard];
    const codes = [...new Set([...route.errors, ...guardErrors, ...GATEWAY])];
    const secured = security(route, transport);
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: string }));
    (paths[route.path] ??= {})[route.method] = {
      summary: route.summary,
      operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(secured ? { security: secured } : { security: [] }),
      ...(route.request ? { requestBody: { required: true, content: { 'application/json': { schema: route.request } } } } : {}),
      responses: {
        [route.created ? '201' : '200']: {
          description: route.created ? 'Created' : 'OK',
          content: { [route.html ? 'text/html' : 'application/json']: { schema: route.response } },
        },
        ...errorResponses(codes, route.guard === 'fresh-strong' ? [STRONG_CHALLENGE] : []),
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
