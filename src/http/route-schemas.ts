/**
 * What each route takes and answers, for the OpenAPI document (src/http/openapi.ts): the one table
 * of request and answer schemas, keyed by `METHOD /path` as serverless.yml declares the route. The
 * routes themselves and their guards come from serverless.yml (src/http/api-routes.ts); a route
 * with no row here is still described, with its guard and its error answers, and any JSON answer.
 */
import { ACR_VALUES } from '../config/config';
import type { ErrorCode } from '../errors/errors';

export type Schema = Record<string, unknown>;

/** One route's row: what it is for, what it takes and answers, and the errors it answers itself. */
export interface RouteSchema {
  readonly summary: string;
  /** The handler itself takes a refresh token (no authorizer in front of it): /refresh, /logout. */
  readonly refreshToken?: true;
  readonly request?: Schema;
  /** The success answer's body (200, or 201 for a route that creates). */
  readonly response: Schema;
  /** The route creates something and answers 201 Created. */
  readonly created?: true;
  /** What the route itself answers besides 200 (its guard's answers and API Gateway's own are added). */
  readonly errors: readonly ErrorCode[];
  /** The 200 answer is an HTML page, not JSON. */
  readonly html?: true;
}

export const string = { type: 'string' } as const;
/** An error answer's body: `{"msg"}`, with that text when given. */
export const msg = (text?: string): Schema => ({
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

/** The routes' rows, by `METHOD /path` (upper-case method, path as API Gateway shows it). */
export const ROUTE_SCHEMAS: Readonly<Record<string, RouteSchema>> = {
  'POST /login': {
    summary: 'Log in with the password, or a discoverable passkey: a fresh access token and the first refresh token of a new session',
    request: { oneOf: [credentials, passkeyRequest] },
    response: tokens(true, 'login'),
    errors: [...new Set([...LOGIN, ...PASSKEY])],
  },
  'POST /login/passkey/options': {
    summary: 'WebAuthn request options for a login with a discoverable passkey (one-time challenge, 5 minutes)',
    response: webauthnOptions,
    errors: ['ERR_PASSKEYS_NOT_CONFIGURED', 'ERR_STORE_UNAVAILABLE'],
  },
  'POST /fresh-login': {
    summary:
      'Prove the password again, or step up with a passkey: a fresh access token only (of the session whose refresh token is sent, if any)',
    request: { oneOf: [credentials, passkeyRequest] },
    response: tokens(false, 'login'),
    errors: [...new Set([...LOGIN, ...PASSKEY, 'ERR_TOKEN_INVALID', 'ERR_REFRESH_TOKEN_REVOKED'])] as ErrorCode[],
  },
  'POST /fresh-login/passkey/options': {
    summary: "WebAuthn request options for a step-up: the caller's passkeys, a one-time challenge for the caller (5 minutes)",
    response: webauthnOptions,
    errors: ['ERR_PASSKEYS_NOT_CONFIGURED', 'ERR_STORE_UNAVAILABLE'],
  },
  'POST /me/passkeys/options': {
    summary: 'WebAuthn creation options for a new passkey (attestation none, resident key preferred, user verification required)',
    response: webauthnOptions,
    errors: ['ERR_PASSKEY_REGISTRATION_REJECTED', ...ACCOUNT_WRITE, 'ERR_PASSKEYS_NOT_CONFIGURED', 'ERR_STORE_UNAVAILABLE'],
  },
  'POST /me/passkeys': {
    summary: 'Register a passkey from its credential.toJSON(), with an optional name',
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
  'GET /me/passkeys': {
    summary: "The caller's passkeys: name, created, last used, synced (backup state)",
    response: object({ passkeys: { type: 'array', items: passkeyView } }),
    errors: [...ACCOUNT_READ, 'ERR_STORE_UNAVAILABLE'],
  },
  'DELETE /me/passkeys/{id}': {
    summary: "Remove one of the caller's passkeys (anyone else's: 404)",
    response: msg('Passkey removed'),
    errors: ['ERR_PASSKEY_NOT_FOUND', 'ERR_STORE_UNAVAILABLE'],
  },
  'POST /refresh': {
    summary: "A non-fresh access token and the session's next refresh token",
    refreshToken: true,
    response: tokens(true, 'refresh'),
    errors: [...REFRESH_TOKEN, 'ERR_REFRESH_TOKEN_REVOKED', 'ERR_REFRESH_TOKEN_REUSED'],
  },
  'POST /logout': {
    summary: "End the refresh token's session (and delete the cookies)",
    refreshToken: true,
    response: msg('Logged out'),
    errors: REFRESH_TOKEN,
  },
  'GET /protected': {
    summary: 'Any valid access token',
    response: object({ logged_in_as: string }),
    errors: [],
  },
  'GET /protected-fresh': {
    summary: 'Fresh access tokens only',
    response: object({ fresh_logged_in_as: string }),
    errors: [],
  },
  'GET /protected-recent': {
    summary: 'Fresh, with the password proven at most RECENT_MAX_AGE ago',
    response: object({ recent_logged_in_as: string }),
    errors: [],
  },
  'GET /protected-strong': {
    summary: 'Fresh access tokens from a passkey step-up only (acr urn:fresh-token:acr:phr)',
    response: object({ strong_logged_in_as: string }),
    errors: [],
  },
  'GET /sessions': {
    summary: "The caller's live sessions, newest first, 100 a page",
    response: object({ sessions: { type: 'array', items: session, maxItems: 100 }, next: string }, ['sessions']),
    errors: ['ERR_QUERY_INVALID', 'ERR_SESSION_ENDED', 'ERR_STORE_UNAVAILABLE'],
  },
  'DELETE /sessions/{id}': {
    summary: "End one of the caller's sessions",
    response: msg('Session ended'),
    errors: ['ERR_SESSION_NOT_FOUND', ...ACCOUNT_WRITE, 'ERR_STORE_UNAVAILABLE'],
  },
  'DELETE /sessions': {
    summary: 'End every session of the caller (sign out everywhere)',
    response: object({ msg: { const: 'All sessions ended' }, ended: { type: 'integer', minimum: 0 } }),
    errors: [...ACCOUNT_WRITE, 'ERR_STORE_UNAVAILABLE'],
  },
  'GET /me': {
    summary: "The caller's account",
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
  'PUT /me/email': {
    summary: "Change the caller's e-mail address",
    request: object({ email: { type: 'string', minLength: 1 } }),
    response: object({ msg: { const: 'E-mail changed' }, email: { type: 'string', format: 'email', maxLength: 254 } }),
    errors: [...BODY, 'ERR_EMAIL_INVALID', ...ACCOUNT_WRITE, 'ERR_STORE_UNAVAILABLE'],
  },
  'PUT /me/password': {
    summary: "Change the caller's password; every other session ends",
    request: object({
      current_password: { type: 'string', minLength: 1 },
      new_password: { type: 'string', minLength: 8, maxLength: 1024, description: PASSWORD_LENGTH },
    }),
    response: msg('Password changed'),
    errors: [...BODY, 'ERR_BAD_CREDENTIALS', 'ERR_WEAK_PASSWORD', 'ERR_TOO_MANY_ATTEMPTS', 'ERR_SESSION_ENDED', 'ERR_STORE_UNAVAILABLE'],
  },
  'GET /.well-known/jwks.json': {
    summary: 'The public keys tokens are signed with (EdDSA/ES256; empty with HS256)',
    response: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' } } } },
    errors: ['ERR_KEYS_UNAVAILABLE'],
  },
  'GET /': {
    summary: 'The demo page: the fresh-token pattern in a browser',
    response: string,
    errors: [],
    html: true,
  },
  'GET /openapi.json': {
    summary: 'This document',
    response: { type: 'object', required: ['openapi'] },
    errors: [],
  },
};
