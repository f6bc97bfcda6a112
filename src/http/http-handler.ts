import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AppError } from '../errors';
import { logger } from '../logger';
import { errorResponse, jsonResponse, type JsonReply } from './responses';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Wraps an endpoint's logic: turns its reply or its error into a response and writes one log
 * line per request (function, request id, outcome, identity). Client errors are answered from the
 * error table; any other error is a fault, logged with its stack and answered with a bare 500.
 */
export function httpHandler(
  corsAllowOrigin: string,
  run: (event: APIGatewayProxyEvent) => Promise<JsonReply>,
): HttpHandler {
  return async (event, context) => {
    logger.addContext(context);
    try {
      const reply = await run(event);
      logger.info('request handled', { outcome: 'ok', status: reply.status, identity: reply.identity });
      return jsonResponse(reply, corsAllowOrigin);
    } catch (err) {
      const response = errorResponse(err, corsAllowOrigin);
      if (err instanceof AppError && response.statusCode < 500) {
        logger.info('request rejected', { outcome: err.code, status: response.statusCode });
      } else {
        logger.error('request failed', { outcome: 'fault', status: response.statusCode, error: err });
      }
      return response;
    }
  };
}
