import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { STEP_UP } from '../errors/error-table';
import { isFresh } from '../tokens/freshness';
import type { AccessClaims } from '../tokens/token-types';

/** Flat primitives only: API Gateway rejects nested values in an authorizer context. */
export interface IdentityContext {
  readonly identity: string;
  /** Whether the token was fresh when authorized (a cached decision may be older). */
  readonly fresh: boolean;
  readonly jti: string;
  /** When the token was issued (its `iat`): account writes compare it with the account's own times. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** When the password was last verified, when the token says. */
  readonly authTime?: number;
  /** The session (refresh-token family) the token belongs to, when it says. */
  readonly sid?: string;
  /** A "fresh until" token's limit (its `fresh` claim as a NumericDate). */
  readonly freshUntil?: number;
  /** How the user authenticated: the token's `acr`, and its `amr` joined by spaces. */
  readonly acr?: string;
  readonly amr?: string;
}

/**
 * What a Deny tells the gateway response: the RFC 9470 challenge, with the route's max age and
 * required `acr_values`. A Gateway Response template only substitutes variables (no `#if`), and
 * substitutes nothing for one the context lacks, so the body's `acr_values` member comes whole
 * from `acrValuesMember`, set only when the route requires a class: without one the body is
 * exactly the seed's `{"msg":"Fresh token required"}`.
 */
export interface DenyContext {
  readonly challenge: string;
  /** `,"acr_values":"…"`: the member the Deny's body adds, when the route requires a class. */
  readonly acrValuesMember?: string;
  readonly maxAge?: number;
}

/**
 * `arn:…:apiId/stage/METHOD/path` → `arn:…:apiId/stage/*`. A cached policy is reused for every
 * route the same authorizer guards, so it must cover all of them, not just the first method.
 * Throws on an ARN that is not an execute-api method ARN (a fault, not a client error).
 */
export function apiWideResource(methodArn: string): string {
  const api = methodArn.indexOf('/');
  const stage = methodArn.indexOf('/', api + 1);
  if (!methodArn.startsWith('arn:') || api < 5 || stage <= api + 1) {
    throw new Error('methodArn is not an execute-api method ARN');
  }
  return `${methodArn.slice(0, stage)}/*`;
}

/** The identity fields API Gateway hands to the route's handler. */
export function identityContext(claims: AccessClaims, now: number): IdentityContext {
  const { sub: identity, jti, iat: issuedAt, exp: expiresAt, auth_time: authTime, sid } = claims;
  const context: { -readonly [K in keyof IdentityContext]: IdentityContext[K] } = {
    identity,
    fresh: isFresh(claims, now),
    jti,
    issuedAt,
    expiresAt,
  };
  if (authTime !== undefined) context.authTime = authTime;
  if (sid !== undefined) context.sid = sid;
  if (typeof claims.fresh === 'number') context.freshUntil = claims.fresh;
  if (claims.acr !== undefined) context.acr = claims.acr;
  if (claims.amr !== undefined) context.amr = claims.amr.join(' ');
  return context;
}

/** The RFC 9470 step-up challenge for a token that is not fresh (or strong) enough. */
export function stepUpContext(maxAgeSeconds: number | undefined, acrValues?: string): DenyContext {
  const params = [
    ...(acrValues === undefined ? [] : [`acr_values="${acrValues}"`]),
    ...(maxAgeSeconds === undefined ? [] : [`max_age="${maxAgeSeconds}"`]),
  ];
  const challenge = [STEP_UP, ...params].join(', ');
  return {
    challenge,
    ...(acrValues === undefined ? {} : { acrValuesMember: `,"acr_values":${JSON.stringify(acrValues)}` }),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

/** An IAM policy allowing or denying `execute-api:Invoke` on `resource`, with the identity context. */
export function buildPolicy(
  principalId: string,
  effect: 'Allow' | 'Deny',
  resource: string,
  context?: IdentityContext | DenyContext,
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
