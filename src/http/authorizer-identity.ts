import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MissingIdentityError } from '../errors/errors';
import { authnOf, type Authn } from '../tokens/authn';

/** Who called a route behind one of the authorizers, as the authorizer judged the token. */
export interface Caller {
  readonly username: string;
  /** Whether the token was fresh when the authorizer looked (a cached decision may be older). */
  readonly fresh: boolean;
  /** When the password was last verified, when the token says. */
  readonly authTime?: number;
  /** The caller's session (refresh-token family), when the token names one. */
  readonly sessionId?: string;
  /** When the token stops being fresh, for a "fresh until" token. */
  readonly freshUntil?: number;
  /** When the token was issued (`iat`), when the authorizer says. */
  readonly issuedAt?: number;
  /** When the token expires. */
  readonly expiresAt?: number;
  /** How the user last authenticated (`acr`/`amr`, carried through refreshes); a token without them counts as the password. */
  readonly authn: Authn;
}

/**
 * The caller, from the context the authorizer returned; the token is not decoded a second time.
 * API Gateway (and serverless-offline) may hand numbers and booleans over as strings: both read.
 * Error code: ERR_MISSING_IDENTITY (the route is not behind an authorizer: a deployment fault).
 */
export function readCaller(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Caller {
  const context = event.requestContext.authorizer ?? {};
  const { identity, fresh, authTime, sid, freshUntil, issuedAt, expiresAt, acr, amr } = context as Record<string, unknown>;
  if (typeof identity !== 'string' || identity === '') throw new MissingIdentityError();
  const caller: { -readonly [K in keyof Caller]: Caller[K] } = {
    username: identity,
    fresh: fresh === true || fresh === 'true',
    // The authorizer joins `amr` with spaces (context values are scalars).
    authn: authnOf({
      ...(typeof acr === 'string' ? { acr } : {}),
      ...(typeof amr === 'string' && amr !== '' ? { amr: amr.split(' ') } : {}),
    }),
  };
  const [auth, until, issued, expiry] = [seconds(authTime), seconds(freshUntil), seconds(issuedAt), seconds(expiresAt)];
  if (auth !== undefined) caller.authTime = auth;
  if (issued !== undefined) caller.issuedAt = issued;
  if (until !== undefined) caller.freshUntil = until;
  if (expiry !== undefined) caller.expiresAt = expiry;
  if (typeof sid === 'string' && sid !== '') caller.sessionId = sid;
  return caller;
}

/** A NumericDate from the context: a number, or its string form. */
function seconds(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}
