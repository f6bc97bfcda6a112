import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { loadCorsConfig, loadTransportConfig, type Acr } from '../../src/config/config';
import { createAuthorizer, type AuthorizerOptions } from '../../src/authorize/authorizer';
import { BadCredentialsError, PasskeyRejectedError, SessionRevokedError } from '../../src/errors/errors';
import { buildGatewayResponses } from '../../src/errors/gateway-responses';
import { errorResponse, jsonResponse, type JsonReply } from '../../src/http/responses';
import { PASSWORD_AUTHN, passkeyAuthn } from '../../src/tokens/authn';
import { gatewayAnswer, readAuthorizerResult } from '../../scripts/offline-gateway';
import { authorizerEvent } from './events';
import { serviceRoutes } from './service-routes';
import { testIssuer, testVerifier } from './test-config';

/**
 * A stand-in for the API in the client's unit tests, with no network: the routes the client
 * uses, answering as the product does. Tokens are signed and verified by the product's issuer and
 * verifier (real JWTs); the guarded routes run the product's authorizer pipeline, and its outcomes
 * become the Gateway Responses the template carries (rendered as serverless-offline's gateway
 * does); the handlers' refusals are the error table's answers (`errorResponse`), their
 * `WWW-Authenticate` moved to `x-amzn-Remapped-WWW-Authenticate` as API Gateway does. Refresh
 * tokens rotate strictly (REFRESH_REUSE_GRACE=0): a spent one revokes its session.
 */

export const USER = { username: 'alice', password: 'alice-passphrase' };

const transport = loadTransportConfig({});
const { cors, allowHeaders } = loadCorsConfig({});
const GATEWAY = buildGatewayResponses({
  cors: { allowOrigin: cors.origins === '*' ? '*' : '', credentials: false, allowHeaders },
  stepUpChallenge: 'static',
});
/** The authorizer in front of each route (`GET /me`), as serverless.yml says: the one list of routes. */
const GUARDS: Record<string, AuthorizerOptions> = Object.fromEntries(
  serviceRoutes().flatMap(({ method, path, guard }) =>
    guard === undefined || guard.checks === 'other'
      ? []
      : [
          [
            `${method.toUpperCase()} ${path}`,
            {
              requireFresh: guard.checks === 'fresh-only',
              ...(guard.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: guard.maxAgeSeconds }),
              ...(guard.requireAcr === undefined ? {} : { requireAcr: guard.requireAcr as Acr }),
              transport,
            },
          ],
        ],
  ),
);
const issuer = testIssuer();
const verifier = testVerifier();

/** A function's answer as API Gateway passes it on (a REST API renames `WWW-Authenticate`). */
function fromFunction(result: APIGatewayProxyResult): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    headers.set(name.toLowerCase() === 'www-authenticate' ? 'x-amzn-Remapped-WWW-Authenticate' : name, String(value));
  }
  return new Response(result.body, { status: result.statusCode, headers });
}

/** The `jti` of a JWT (read without verifying: the stand-in only keeps lists of its own tokens). */
function jtiOf(token: string): string {
  const payload = token.split('.')[1];
  if (payload === undefined) return '';
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti?: unknown };
    return typeof claims.jti === 'string' ? claims.jti : '';
  } catch {
    return '';
  }
}

const json = (status: number, body: Record<string, unknown>) => fromFunction(jsonResponse({ status, body, noStore: true }, {}));

/** One request as the stand-in saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: unknown;
}

export class ClientApi {
  /** `basePath`: the stage's path in the API's URL (`/prod`), which the routes come after. */
  constructor(private readonly basePath = '') {}

  readonly requests: SeenRequest[] = [];
  /** Answers to give instead of the route's, first in first out, for the request they match. */
  readonly scripted: { readonly match: string; readonly answer: () => Response }[] = [];
  /** Refreshes under way at this moment, and the most there ever were at once. */
  refreshesInFlight = 0;
  maxRefreshesInFlight = 0;
  private readonly families = new Map<string, { current: string; revoked: boolean }>();
  /** Access tokens the stand-in treats as expired (by `jti`), as the authorizer would after `exp`. */
  private readonly expired = new Set<string>();
  private readonly issued: string[] = [];
  /** The refresh token issued last (what a thief who copied it would hold). */
  lastRefreshToken = '';

  /** The requests of `method path` so far. */
  count(route: string): number {
    return this.requests.filter(({ method, path }) => `${method} ${path}` === route).length;
  }

  /** From now on, every access token issued so far is refused as an expired one is. */
  expireAccessTokens(): void {
    for (const token of this.issued) this.expired.add(jtiOf(token));
  }

  /** Answers the next `route` request (`GET /me`) with `answer` instead. */
  script(route: string, answer: () => Response): void {
    this.scripted.push({ match: route, answer });
  }

  /** A Gateway Response of `type`, as the template carries it (throttling's `Retry-After` included). */
  static gateway(type: Parameters<typeof gatewayAnswer>[1], authorizer?: Record<string, string>): Response {
    const answer = gatewayAnswer(GATEWAY, type, authorizer);
    return new Response(answer.body, { status: answer.statusCode, headers: answer.headers });
  }

  /** A handler's answer for a reply of `src/http/replies.ts`. */
  static reply(reply: JsonReply): Response {
    return fromFunction(jsonResponse(reply, {}));
  }

  /** A handler's answer for an `AppError` (status, headers and body from the error table). */
  static error(err: unknown): Response {
    return fromFunction(errorResponse(err, {}));
  }

  readonly fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(`${this.basePath}/`)) return ClientApi.gateway('MISSING_AUTHENTICATION_TOKEN');
    const path = url.pathname.slice(this.basePath.length);
    const text = request.body === null ? '' : await request.text();
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const route = `${request.method} ${path}`;
    this.requests.push({ method: request.method, path, headers: request.headers, body });
    const at = this.scripted.findIndex(({ match }) => match === route);
    if (at >= 0) return this.scripted.splice(at, 1)[0]!.answer();
    if (route === 'POST /refresh') {
      this.refreshesInFlight++;
      this.maxRefreshesInFlight = Math.max(this.maxRefreshesInFlight, this.refreshesInFlight);
      // Another turn of the event loop, so concurrent refreshes would overlap here.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return await this.refresh(request.headers.get('authorization'));
      } finally {
        this.refreshesInFlight--;
      }
    }
    if (route === 'POST /login') return this.login(body as Record<string, unknown>);
    if (route === 'POST /login/passkey/options')
      return json(200, { challenge: 'login-challenge', rpId: 'localhost', userVerification: 'required' });
    if (route === 'POST /fresh-login') return this.freshLogin(body as Record<string, unknown>, request.headers.get('authorization'));
    if (route === 'POST /logout') return this.logout(request.headers.get('authorization'));
    const guard = GUARDS[route];
    if (!guard) return ClientApi.gateway('MISSING_AUTHENTICATION_TOKEN');
    const decided = await this.authorize(guard, request);
    if (decided instanceof Response) return decided;
    switch (route) {
      case 'GET /protected':
        return json(200, { logged_in_as: decided });
      case 'GET /protected-fresh':
        return json(200, { fresh_logged_in_as: decided });
      case 'GET /protected-strong':
        return json(200, { strong_logged_in_as: decided });
      case 'GET /me':
        return json(200, { username: decided });
      case 'POST /fresh-login/passkey/options':
        return json(200, { challenge: 'step-up-challenge', rpId: 'localhost', allowCredentials: [], userVerification: 'required' });
      case 'POST /me/passkeys/options':
        return json(200, {
          challenge: 'register-challenge',
          rp: { name: 'fresh-token-lambda', id: 'localhost' },
          user: { id: 'dXNlcg', name: decided },
        });
      case 'POST /me/passkeys':
        return json(201, {
          passkey: {
            id: (body as { credential: { id: string } }).credential.id,
            name: (body as { name?: string }).name ?? 'Passkey',
            created_at: new Date().toISOString(),
            last_used_at: null,
            backed_up: false,
          },
        });
      default:
        return json(200, { msg: 'ok' });
    }
  };

  /** The product's authorizer for `guard`, its outcome as API Gateway answers it; the user when allowed. */
  private async authorize(guard: AuthorizerOptions, request: Request): Promise<string | Response> {
    const authorization = request.headers.get('authorization') ?? undefined;
    if (authorization !== undefined && this.expired.has(jtiOf(authorization.replace(/^Bearer /, ''))))
      return ClientApi.gateway('UNAUTHORIZED');
    let outcome;
    try {
      outcome = readAuthorizerResult({ value: await createAuthorizer(guard, verifier)(authorizerEvent(authorization)) });
    } catch (err) {
      outcome = readAuthorizerResult({ error: (err as Error).message });
    }
    if (outcome.kind === 'unauthorized') return ClientApi.gateway('UNAUTHORIZED');
    if (outcome.kind === 'fault') throw new Error(outcome.reason);
    if (outcome.policy.Statement.some((statement) => statement.Effect === 'Deny'))
      return ClientApi.gateway('ACCESS_DENIED', outcome.context);
    return outcome.principalId;
  }

  private async issueAccess(fresh: boolean, sid?: string, passkey = false): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.issueAccessToken(USER.username, fresh, now, {
      ...(sid ? { sid } : {}),
      authn: passkey ? passkeyAuthn(false) : PASSWORD_AUTHN,
    });
    this.issued.push(token);
    return token;
  }

  private async issueRefresh(fam: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    this.families.set(fam, { current: jti, revoked: false });
    this.lastRefreshToken = await issuer.issueRefreshToken(USER.username, { fam, jti, authTime: now, iat: now, exp: now + 3600 });
    return this.lastRefreshToken;
  }

  private async login(body: Record<string, unknown>): Promise<Response> {
    if (body.passkey !== undefined) {
      if ((body.passkey as { id?: unknown }).id !== 'good-passkey') return ClientApi.error(new PasskeyRejectedError('unknown credential'));
      const fam = randomUUID();
      return json(200, { access_token: await this.issueAccess(true, fam, true), refresh_token: await this.issueRefresh(fam) });
    }
    if (body.username !== USER.username || body.password !== USER.password) return ClientApi.error(new BadCredentialsError());
    const fam = randomUUID();
    return json(200, { access_token: await this.issueAccess(true, fam), refresh_token: await this.issueRefresh(fam) });
  }

  private async refresh(authorization: string | null): Promise<Response> {
    let claims;
    try {
      claims = await verifier.verifyRefreshToken(authorization?.replace(/^Bearer /, '') ?? '');
    } catch (err) {
      return ClientApi.error(err);
    }
    const family = this.families.get(claims.fam!);
    if (!family || family.revoked)
      return ClientApi.error(new SessionRevokedError('ERR_REFRESH_TOKEN_REVOKED', 'Refresh token has been revoked'));
    if (family.current !== claims.jti) {
      family.revoked = true;
      return ClientApi.error(
        new SessionRevokedError('ERR_REFRESH_TOKEN_REUSED', 'Refresh token reuse detected; the session has been revoked'),
      );
    }
    return json(200, { access_token: await this.issueAccess(false, claims.fam), refresh_token: await this.issueRefresh(claims.fam!) });
  }

  private async freshLogin(body: Record<string, unknown>, authorization: string | null): Promise<Response> {
    let sid: string | undefined;
    if (authorization !== null) {
      try {
        sid = (await verifier.verifyRefreshToken(authorization.replace(/^Bearer /, ''))).fam;
      } catch (err) {
        return ClientApi.error(err);
      }
    }
    if (body.passkey !== undefined) {
      if ((body.passkey as { id?: unknown }).id !== 'good-passkey') return ClientApi.error(new PasskeyRejectedError('unknown credential'));
      return json(200, { access_token: await this.issueAccess(true, sid, true) });
    }
    if (body.username !== USER.username || body.password !== USER.password) return ClientApi.error(new BadCredentialsError());
    return json(200, { access_token: await this.issueAccess(true, sid) });
  }

  private async logout(authorization: string | null): Promise<Response> {
    try {
      const claims = await verifier.verifyRefreshToken(authorization?.replace(/^Bearer /, '') ?? '');
      const family = this.families.get(claims.fam!);
      if (family) family.revoked = true;
    } catch (err) {
      return ClientApi.error(err);
    }
    return json(200, { msg: 'Logged out' });
  }
}
