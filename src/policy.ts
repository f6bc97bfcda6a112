import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { AccessClaims } from './tokens/token-types';

/** Flat primitives only: API Gateway rejects nested values in an authorizer context. */
export interface IdentityContext {
  readonly identity: string;
  readonly fresh: boolean;
  readonly jti: string;
  readonly expiresAt: number;
}

/**
 * `arn:…:apiId/stage/METHOD/path` → `arn:…:apiId/stage/*`. A cached policy is reused for every
 * route the same authorizer guards, so it must cover all of them, not just the first method.
 * Throws on an ARN that is not an execute-api method ARN (a fault, not a client error).
 */
export function apiWideResource(methodArn: string): string {
  const parts = methodArn.split('/');
  if (!methodArn.startsWith('arn:') || parts.length < 3 || !parts[0] || !parts[1]) {
    throw new Error('methodArn is not an execute-api method ARN');
  }
  return `${parts[0]}/${parts[1]}/*`;
}

/** The identity fields API Gateway hands to the route's handler. */
export function identityContext(claims: AccessClaims): IdentityContext {
  return { identity: claims.sub, fresh: claims.fresh, jti: claims.jti, expiresAt: claims.exp };
}

/** An IAM policy allowing or denying `execute-api:Invoke` on `resource`, with the identity context. */
export function buildPolicy(
  principalId: string,
  effect: 'Allow' | 'Deny',
  resource: string,
  context?: IdentityContext,
): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    ...(context ? { context: { ...context } } : {}),
  };
}
