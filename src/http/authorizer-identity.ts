import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MissingIdentityError } from '../errors/errors';

/**
 * The identity the authorizer put in its context; the token is not decoded a second time.
 * Error code: ERR_MISSING_IDENTITY (the route is not behind an authorizer: a deployment fault).
 */
export function readAuthorizerIdentity(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string {
  const identity: unknown = event.requestContext.authorizer?.identity;
  if (typeof identity !== 'string' || identity === '') throw new MissingIdentityError();
  return identity;
}
