import { AuthHeaderError } from '../errors/errors';

/** Far above any token this product issues, far below API Gateway's header limit. */
const MAX_HEADER_LENGTH = 4096;

// RFC 6750 §2.1: "Bearer" 1*SP b64token; the scheme name is case-insensitive (RFC 7235 §2.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCHEME = /^([A-Za-z0-9!#$%&'*+\-.^_`|~]+) /;

/**
 * The token of an `Authorization: Bearer <token>` header.
 * Error codes: ERR_AUTH_HEADER_MISSING, ERR_AUTH_SCHEME_UNSUPPORTED, ERR_AUTH_HEADER_MALFORMED.
 */
export function readBearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new AuthHeaderError('ERR_AUTH_HEADER_MISSING', 'Missing Authorization Header');
  }
  if (header.length > MAX_HEADER_LENGTH) {
    throw new AuthHeaderError('ERR_AUTH_HEADER_MALFORMED', 'Authorization header is too large');
  }
  const match = BEARER.exec(header);
  if (match?.[1]) return match[1];
  const scheme = SCHEME.exec(header)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== 'bearer') {
    throw new AuthHeaderError('ERR_AUTH_SCHEME_UNSUPPORTED', 'Authorization scheme must be Bearer');
  }
  throw new AuthHeaderError('ERR_AUTH_HEADER_MALFORMED', "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'");
}
