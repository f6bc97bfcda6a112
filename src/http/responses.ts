import type { APIGatewayProxyResult } from 'aws-lambda';
import { ERROR_TABLE } from '../errors/error-table';
import { AppError, INTERNAL_ERROR_MSG } from '../errors/errors';

/** What a handler returns before it becomes an API Gateway response. */
export interface JsonReply {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
  /** Who the request acted for, for the log line. */
  readonly identity?: string;
  /** Responses carrying tokens must not be cached (RFC 6749 §5.1). */
  readonly noStore?: boolean;
  /** Public, cacheable for this many seconds (e.g. the JWKS). */
  readonly cacheSeconds?: number;
  /** Set-Cookie values (tokens in cookies, or their deletion at logout). */
  readonly cookies?: readonly string[];
}

/** Serializes a reply with JSON and the request's CORS headers (`corsHeaders`). */
export function jsonResponse(
  reply: JsonReply,
  cors: Record<string, string>,
  extraHeaders: Record<string, string> = {},
): APIGatewayProxyResult {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...cors, ...extraHeaders };
  if (reply.noStore) {
    headers['Cache-Control'] = 'no-store';
    headers.Pragma = 'no-cache';
  } else if (reply.cacheSeconds !== undefined) {
    headers['Cache-Control'] = `public, max-age=${reply.cacheSeconds}`;
  }
  const response: APIGatewayProxyResult = { statusCode: reply.status, headers, body: JSON.stringify(reply.body) };
  // Several Set-Cookie headers need API Gateway's multi-value form.
  if (reply.cookies && reply.cookies.length > 0) response.multiValueHeaders = { 'Set-Cookie': [...reply.cookies] };
  return response;
}

/**
 * The response for a thrown error, from the error table. Anything that is not an `AppError` is a
 * fault: the client gets a bare 500 and the detail stays in the log.
 */
export function errorResponse(err: unknown, cors: Record<string, string>): APIGatewayProxyResult {
  if (!(err instanceof AppError)) {
    return jsonResponse({ status: ERROR_TABLE.ERR_INTERNAL.status, body: { msg: INTERNAL_ERROR_MSG } }, cors);
  }
  const row = ERROR_TABLE[err.code];
  const extra: Record<string, string> = row.wwwAuthenticate ? { 'WWW-Authenticate': row.wwwAuthenticate } : {};
  if (err.retryAfterSeconds !== undefined) extra['Retry-After'] = String(err.retryAfterSeconds);
  return jsonResponse({ status: row.status, body: { msg: err.message } }, cors, extra);
}
