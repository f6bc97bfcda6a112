import { INTERNAL_ERROR_MSG, type ErrorCode } from './errors';

/** What an authorizer does with an error: reject as 401, answer Deny, or fail as a real fault. */
type AuthorizerOutcome = 'Unauthorized' | 'Deny' | 'Fault';

/** The answers API Gateway makes itself, without running a function, that this API shapes. */
export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'THROTTLED'
  | 'AUTHORIZER_FAILURE'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

/**
 * The `msg` of a gateway answer. API Gateway cannot see a thrown error's message, so the table
 * states it; `GATEWAY_OWN_MESSAGE` passes on API Gateway's own (e.g. "Request Too Long").
 */
export const GATEWAY_OWN_MESSAGE = Symbol('API Gateway message');

/** Which of API Gateway's own answers speak for a code, and what they say. */
interface GatewayColumn {
  readonly responses: readonly GatewayResponseType[];
  readonly msg: string | typeof GATEWAY_OWN_MESSAGE;
}

/** The operational metrics (CloudWatch, through EMF log lines) that outcomes are counted in. */
export type MetricName =
  | 'LoginSucceeded'
  | 'LoginFailed'
  | 'LoginLocked'
  | 'RefreshRotated'
  | 'RefreshReuseDetected'
  | 'SessionRevoked'
  | 'StoreUnavailable'
  | 'PasswordChanged'
  | 'PasskeyRegistered'
  | 'PasskeyFailed';

/** How one error code reaches a client over HTTP, through an authorizer, and from API Gateway. */
export interface ErrorRow {
  readonly status: number;
  /** RFC 6750 / RFC 9470 challenge, when the status is 401 or the request was a bad bearer request. */
  readonly wwwAuthenticate?: string;
  readonly authorizer: AuthorizerOutcome;
  /** A fixed `Retry-After` for answers that cannot compute one (API Gateway's throttling). */
  readonly retryAfterSeconds?: number;
  readonly gateway?: GatewayColumn;
  /** The metric a handler counts when it answers with this code (alarms watch some of them). */
  readonly metric?: MetricName;
}

const INVALID_TOKEN = 'Bearer error="invalid_token"';
/** RFC 9470 step-up challenge for a token that is not fresh enough (without a route's max_age). */
export const STEP_UP = 'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required"';

// Errors no authorizer can raise default to Fault: if one ever does, that is a bug, not a 401.
const row = (status: number, authorizer: AuthorizerOutcome = 'Fault', wwwAuthenticate?: string): ErrorRow =>
  wwwAuthenticate === undefined ? { status, authorizer } : { status, authorizer, wwwAuthenticate };
const gateway = (msg: GatewayColumn['msg'], ...responses: GatewayResponseType[]): { gateway: GatewayColumn } => ({
  gateway: { responses, msg },
});

/**
 * The one table from error code to response. Adding an error means adding a row here.
 * A missing header or a foreign scheme carries no error code in its challenge (RFC 6750 §3.1);
 * a malformed bearer request is `invalid_request` (400), a bad token `invalid_token` (401),
 * a token that is not fresh enough the RFC 9470 step-up challenge.
 *
 * The gateway column: API Gateway answers for the authorizers (one UNAUTHORIZED for every
 * `Unauthorized`, ACCESS_DENIED for every Deny) and on its own (unknown route, throttling, a broken
 * authorizer). `plugins/gateway-responses.js` writes a Gateway Response from each such row.
 */
// A table, aligned by column; the formatter leaves it as written.
// prettier-ignore
export const ERROR_TABLE: Readonly<Record<ErrorCode, ErrorRow>> = {
  //                          status  authorizer      WWW-Authenticate
  ERR_AUTH_HEADER_MISSING:    row(401, 'Unauthorized', 'Bearer'),
  ERR_AUTH_SCHEME_UNSUPPORTED: row(401, 'Unauthorized', 'Bearer'),
  ERR_AUTH_HEADER_MALFORMED:  row(400, 'Unauthorized', 'Bearer error="invalid_request"'),
  ERR_TOKEN_INVALID:          { ...row(401, 'Unauthorized', INVALID_TOKEN), ...gateway('Missing or invalid access token', 'UNAUTHORIZED') },
  ERR_TOKEN_EXPIRED:          row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_TOKEN_NOT_YET_VALID:    row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_ACCESS_TOKEN_REQUIRED:  row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_REFRESH_TOKEN_REQUIRED: row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_REFRESH_TOKEN_REVOKED:  row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_REFRESH_TOKEN_REUSED:   { ...row(401, 'Unauthorized', INVALID_TOKEN), metric: 'RefreshReuseDetected' },
  ERR_FRESH_TOKEN_REQUIRED:   { ...row(401, 'Deny', STEP_UP), ...gateway('Fresh token required', 'ACCESS_DENIED') },
  ERR_TOO_MANY_ATTEMPTS:      { ...row(429), metric: 'LoginLocked' },
  ERR_STORE_UNAVAILABLE:      { ...row(503), metric: 'StoreUnavailable' },
  // Keys unreadable: 503 from a handler, a fault (500) from an authorizer, never a 401.
  ERR_KEYS_UNAVAILABLE:       row(503),
  ERR_BAD_CREDENTIALS:        { ...row(401), metric: 'LoginFailed' },
  ERR_UNSUPPORTED_MEDIA_TYPE: row(415),
  ERR_BODY_TOO_LARGE:         row(413),
  ERR_BODY_INVALID:           row(400),
  ERR_MISSING_IDENTITY:       row(500),
  ERR_QUERY_INVALID:          row(400),
  ERR_SESSION_NOT_FOUND:      row(404),
  ERR_ACCOUNT_NOT_FOUND:      row(404),
  // An account write with a token of an ended session, a disabled user or an earlier same-named account.
  ERR_SESSION_ENDED:          row(401, 'Fault', INVALID_TOKEN),
  ERR_WEAK_PASSWORD:          row(400),
  // No Bearer challenge: the credential was a cookie (RFC 6750 does not apply).
  ERR_CSRF_MISSING:           row(401, 'Unauthorized'),
  ERR_CSRF_MISMATCH:          row(401, 'Unauthorized'),
  ERR_EMAIL_INVALID:          row(400),
  // Passkeys: an assertion that proves nothing is a failed login (counted like a wrong password).
  ERR_PASSKEY_REJECTED:       { ...row(401), metric: 'PasskeyFailed' },
  ERR_PASSKEY_REGISTRATION_REJECTED: { ...row(400), metric: 'PasskeyFailed' },
  ERR_CHALLENGE_INVALID:      { ...row(400), metric: 'PasskeyFailed' },
  ERR_PASSKEY_NOT_FOUND:      row(404),
  ERR_PASSKEYS_NOT_CONFIGURED: row(501),
  // API Gateway's answers: an unknown path or method (its "Missing Authentication Token" 403),
  // stage or route throttling, and any other 4xx (too large, WAF) in its own words.
  ERR_NOT_FOUND:              { ...row(404), ...gateway('Not found', 'MISSING_AUTHENTICATION_TOKEN') },
  ERR_THROTTLED:              { ...row(429), retryAfterSeconds: 1, ...gateway('Too many requests; slow down', 'THROTTLED') },
  ERR_GATEWAY_REJECTED:       { ...row(400), ...gateway(GATEWAY_OWN_MESSAGE, 'DEFAULT_4XX') },
  // Every fault, ours or API Gateway's (an authorizer that failed or is misconfigured, a timeout).
  ERR_INTERNAL:               { ...row(500), ...gateway(INTERNAL_ERROR_MSG, 'AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR', 'DEFAULT_5XX') },
};
