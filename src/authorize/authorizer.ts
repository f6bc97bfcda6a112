/**
 * The one pipeline behind every Lambda authorizer:
 * read the token (Bearer header, or cookie with TOKEN_LOCATION) → verify it as an access token →
 * (cookie, state-changing method) CSRF double-submit → (fresh-only) require freshness, and the
 * authentication class when the authorizer names one → policy.
 * Outcomes follow the AWS contract: throw exactly `Unauthorized` (401), return Deny (403, turned
 * into 401 "Fresh token required" by a Gateway Response), or let a real fault escape (500).
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { ERROR_TABLE } from '../errors/error-table';
import { AppError, FreshTokenRequiredError } from '../errors/errors';
import { readRequestToken } from '../http/request-token';
import type { Acr, CookieConfig } from '../config/config';
import { checkCsrf } from '../tokens/csrf';
import { logger } from '../platform/logger';
import { nowSeconds } from '../platform/clock';
import { isFresh } from '../tokens/freshness';
import { meetsAcr } from '../tokens/authn';
import { apiWideResource, buildPolicy, identityContext, stepUpContext } from './policy';
import type { TokenVerifier } from '../tokens/token-verifier';

export interface AuthorizerOptions {
  /** Accept only fresh access tokens (`fresh: true`, or a "fresh until" still ahead). */
  readonly requireFresh: boolean;
  /** With `requireFresh`: also require the password to have been verified at most this long ago. */
  readonly maxAgeSeconds?: number;
  /** With `requireFresh`: also require at least this authentication context class (`acr`). */
  readonly requireAcr?: Acr;
  /** Where tokens travel (TOKEN_LOCATION). */
  readonly transport: CookieConfig;
}

export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context?: Context) => Promise<APIGatewayAuthorizerResult>;

/**
 * Decides one request. Error codes: those of `readRequestToken` and `verifyAccessToken`,
 * ERR_CSRF_MISSING, ERR_CSRF_MISMATCH, ERR_FRESH_TOKEN_REQUIRED.
 */
async function authorize(
  event: APIGatewayRequestAuthorizerEvent,
  options: AuthorizerOptions,
  verifier: TokenVerifier,
): Promise<APIGatewayAuthorizerResult> {
  const { token, csrf } = readRequestToken({ headers: event.headers, method: event.httpMethod }, options.transport, 'access');
  const claims = await verifier.verifyAccessToken(token);
  if (csrf) checkCsrf(claims, csrf.header);
  const now = nowSeconds();
  if (options.requireFresh && (!isFresh(claims, now, options.maxAgeSeconds) || !meetsAcr(claims.acr, options.requireAcr))) {
    throw new FreshTokenRequiredError(claims.sub, options.maxAgeSeconds, options.requireAcr);
  }
  return buildPolicy(claims.sub, 'Allow', apiWideResource(event.methodArn), identityContext(claims, now));
}

/**
 * A Lambda authorizer handler over `authorize`, mapping errors through the error table. The
 * authorizer files pass the verifier built at cold start (`src/wiring/`).
 */
export function createAuthorizer(options: AuthorizerOptions, verifier: TokenVerifier): AuthorizerHandler {
  return async (event, context) => {
    try {
      const result = await authorize(event, options, verifier);
      logger.debug('authorized', { requestId: context?.awsRequestId, outcome: 'Allow', identity: result.principalId });
      return result;
    } catch (err) {
      const outcome = err instanceof AppError ? ERROR_TABLE[err.code].authorizer : 'Fault';
      if (outcome === 'Deny' && err instanceof FreshTokenRequiredError) {
        logger.info('denied', { requestId: context?.awsRequestId, outcome: err.code, identity: err.subject });
        return buildPolicy(err.subject, 'Deny', apiWideResource(event.methodArn), stepUpContext(err.maxAgeSeconds, err.acrValues));
      }
      if (outcome === 'Unauthorized' && err instanceof AppError) {
        logger.info('unauthorized', { requestId: context?.awsRequestId, outcome: err.code });
        // Exactly this error: API Gateway turns it, and only it, into a 401. The cause is logged above.
        // eslint-disable-next-line preserve-caught-error
        throw new Error('Unauthorized');
      }
      if (err instanceof AppError) {
        // A known outage (keys unreadable): logged once, with its cause, where it happens; here one
        // terse line per request. Any error but `Unauthorized` makes API Gateway answer 500.
        logger.warn('authorizer unavailable', { requestId: context?.awsRequestId, outcome: err.code });
      } else {
        logger.error('authorizer fault', { requestId: context?.awsRequestId, outcome: 'fault', error: err });
      }
      throw err;
    }
  };
}
