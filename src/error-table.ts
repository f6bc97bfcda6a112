import type { ErrorCode } from './errors';

/** What an authorizer does with an error: reject as 401, answer Deny, or fail as a real fault. */
export type AuthorizerOutcome = 'Unauthorized' | 'Deny' | 'Fault';

/** How one error code reaches a client over HTTP and through an authorizer. */
export interface ErrorRow {
  readonly status: number;
  /** RFC 6750 / RFC 9470 challenge, when the status is 401 or the request was a bad bearer request. */
  readonly wwwAuthenticate?: string;
  readonly authorizer: AuthorizerOutcome;
}

const INVALID_TOKEN = 'Bearer error="invalid_token"';
/** RFC 9470 step-up challenge for a token that is not fresh enough (without a route's max_age). */
export const STEP_UP =
  'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required"';

// Errors no authorizer can raise default to Fault: if one ever does, that is a bug, not a 401.
const row = (status: number, authorizer: AuthorizerOutcome = 'Fault', wwwAuthenticate?: string): ErrorRow =>
  wwwAuthenticate === undefined ? { status, authorizer } : { status, authorizer, wwwAuthenticate };

/**
 * The one table from error code to response. Adding an error means adding a row here.
 * A missing header or a foreign scheme carries no error code in its challenge (RFC 6750 §3.1);
 * a malformed bearer request is `invalid_request` (400), a bad token `invalid_token` (401),
 * a token that is not fresh enough the RFC 9470 step-up challenge.
 */
export const ERROR_TABLE: Readonly<Record<ErrorCode, ErrorRow>> = {
  //                          status  authorizer      WWW-Authenticate
  ERR_AUTH_HEADER_MISSING:    row(401, 'Unauthorized', 'Bearer'),
  ERR_AUTH_SCHEME_UNSUPPORTED: row(401, 'Unauthorized', 'Bearer'),
  ERR_AUTH_HEADER_MALFORMED:  row(400, 'Unauthorized', 'Bearer error="invalid_request"'),
  ERR_TOKEN_INVALID:          row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_TOKEN_EXPIRED:          row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_TOKEN_NOT_YET_VALID:    row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_ACCESS_TOKEN_REQUIRED:  row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_REFRESH_TOKEN_REQUIRED: row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_REFRESH_TOKEN_REVOKED:  row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_REFRESH_TOKEN_REUSED:   row(401, 'Unauthorized', INVALID_TOKEN),
  ERR_FRESH_TOKEN_REQUIRED:   row(401, 'Deny', STEP_UP),
  ERR_TOO_MANY_ATTEMPTS:      row(429),
  ERR_STORE_UNAVAILABLE:      row(503),
  ERR_BAD_CREDENTIALS:        row(401),
  ERR_UNSUPPORTED_MEDIA_TYPE: row(415),
  ERR_BODY_TOO_LARGE:         row(413),
  ERR_BODY_INVALID:           row(400),
  ERR_MISSING_IDENTITY:       row(500),
};
