import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AppError, type ErrorCode } from '../errors/errors';
import { logger } from '../platform/logger';
import type { CorsPolicy } from '../config/config';
import { corsHeaders } from './cors';
import { getHeader } from './headers';
import { errorResponse, jsonResponse, type JsonReply } from './responses';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Told each request's outcome once it is answered: `ok`, the error code, or `fault`. */
export type OutcomeHook = (outcome: 'ok' | ErrorCode | 'fault') => void;

/**
 * Wraps an endpoint's logic: turns its reply or its error into a response and writes one log
 * line per request (function, request id, outcome, identity). Client errors are answered from the
 * error table; any other error is a fault, logged with its stack and answered with a bare 500.
 * `onOutcome` (the stateful functions' metrics) hears every outcome.
 */
export function httpHandler(
  corsPolicy: CorsPolicy,
  run: (event: APIGatewayProxyEvent) => JsonReply | Promise<JsonReply>,
  onOutcome?: OutcomeHook,
): HttpHandler {
  logger.prepare(); // every request writes a line
  return async (event, context) => {
    logger.addContext(context);
    const cors = corsHeaders(corsPolicy, getHeader(event.headers, 'origin'));
    try {
      const reply = await run(event);
      logger.info('request handled', { outcome: 'ok', status: reply.status, identity: reply.identity });
      onOutcome?.('ok');
      return jsonResponse(reply, cors);
    } catch (err) {
      const response = errorResponse(err, cors);
      if (err instanceof AppError && response.statusCode < 500) {
        logger.info('request rejected', { outcome: err.code, status: response.statusCode });
      } else if (err instanceof AppError) {
        // A known outage. The key ring logs its cause once per burst; a database fault is per call.
        const cause = err.code === 'ERR_KEYS_UNAVAILABLE' ? {} : { error: err };
        logger.warn('request failed', { outcome: err.code, status: response.statusCode, ...cause });
      } else {
        logger.error('request failed', { outcome: 'fault', status: response.statusCode, error: err });
      }
      onOutcome?.(err instanceof AppError ? err.code : 'fault');
      return response;
    }
  };
}
