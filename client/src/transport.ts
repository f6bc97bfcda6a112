/**
 * The session-aware fetch behind every call of the client: it sends a request with the session's
 * credentials, and on the answer does at most one of each, never in a loop:
 * - refresh once when the access token has expired (before sending) or the route answers 401
 *   `invalid_token`, then send again;
 * - step up once on 401 `insufficient_user_authentication` (RFC 9470), then send again; a second
 *   such refusal is `StepUpFailedError`;
 * - wait out `Retry-After` on 429 and 503, for idempotent methods only, a bounded number of times.
 * Whatever answer is left is returned as it is, for the caller to read.
 */
import { readBearerChallenge, splitAcrValues } from './challenge.ts';
import { InvalidArgumentError, SignedOutError, StepUpFailedError } from './errors.ts';
import { readRetryAfter } from './retry-after.ts';
import { answerMsg, type Session } from './session.ts';
import type { StepUpChallenge } from './types.ts';

/** RFC 9110 §9.2.2: sending these twice has the effect of sending them once. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export interface TransportDeps {
  /** Absolute, without a trailing slash: the only place the session's credentials go. */
  readonly baseUrl: string;
  readonly session: Session;
  /** The platform's fetch; rejects with `NetworkError` when no answer came. */
  readonly fetch: (request: Request) => Promise<Response>;
  readonly now: () => number;
  readonly sleep: (milliseconds: number) => Promise<void>;
  readonly retryAttempts: number;
  readonly maxRetryDelaySeconds: number;
  /** Runs a step-up for `challenge`; rejects with `StepUpCancelledError`, `StepUpFailedError`, … */
  readonly stepUp: (challenge: StepUpChallenge, refusal: string) => Promise<void>;
}

/** Options of one send. */
export interface SendOptions {
  /** Answer a step-up challenge by stepping up (false for the step-up's own requests). */
  readonly stepUp?: boolean;
}

/** A 401's `WWW-Authenticate`, where API Gateway may have moved a function's (`x-amzn-Remapped-…`). */
function challengeHeader(response: Response): string | null {
  return response.headers.get('WWW-Authenticate') ?? response.headers.get('x-amzn-Remapped-WWW-Authenticate');
}

/** The Bearer challenge of a 401. */
function challengeOf(response: Response) {
  return readBearerChallenge(challengeHeader(response));
}

/** The body's `acr_values` (API Gateway's one Deny answer names the route's class there). */
async function bodyAcrValues(response: Response): Promise<string[]> {
  try {
    const body = (await response.clone().json()) as unknown;
    const value = typeof body === 'object' && body !== null ? (body as { acr_values?: unknown }).acr_values : undefined;
    return typeof value === 'string' ? splitAcrValues(value) : [];
  } catch {
    return [];
  }
}

/** The session-aware fetch. */
export function createTransport(deps: TransportDeps): (request: Request, options?: SendOptions) => Promise<Response> {
  const { session } = deps;
  return async function send(input, options = {}) {
    const { baseUrl } = deps;
    // The session's tokens and CSRF values go to this API only, whatever URL a caller hands in.
    if (input.url !== baseUrl && !input.url.startsWith(`${baseUrl}/`) && !input.url.startsWith(`${baseUrl}?`))
      throw new InvalidArgumentError(`the client sends only to ${baseUrl}, not to ${new URL(input.url).origin}`);
    const method = input.method.toUpperCase();
    // Read once, so the request can be sent again (a JSON body is small).
    const body = input.body === null ? undefined : await input.arrayBuffer();
    let refreshed = false;
    let steppedUp = false;
    let retries = 0;
    for (;;) {
      if (!refreshed && session.signedIn() && session.accessExpired()) {
        refreshed = true;
        await session.refresh(session.mark());
        // Another tab may have seen the session end meanwhile: nothing to send it with.
        if (!session.signedIn()) throw session.signedOutError();
      }
      const seen = session.mark();
      const headers = new Headers(input.headers);
      for (const [name, value] of Object.entries(session.credentials(method))) headers.set(name, value);
      const response = await deps.fetch(
        new Request(input.url, {
          method,
          headers,
          body,
          credentials: session.credentialsMode,
          signal: input.signal,
          redirect: input.redirect,
        }),
      );

      if (response.status === 401) {
        const challenge = challengeOf(response);
        if (challenge?.error === 'invalid_token') {
          if (!refreshed && session.signedIn()) {
            refreshed = true;
            await session.refresh(seen);
            if (!session.signedIn()) throw session.signedOutError();
            continue;
          }
          if (!session.signedIn()) throw new SignedOutError(401, await answerMsg(response));
        } else if (challenge?.error === 'insufficient_user_authentication' && options.stepUp !== false) {
          const refusal = await answerMsg(response);
          if (steppedUp) throw new StepUpFailedError(401, refusal);
          steppedUp = true;
          const acrValues = challenge.acrValues.length > 0 ? challenge.acrValues : await bodyAcrValues(response);
          const header = challengeHeader(response) ?? '';
          await deps.stepUp(
            { acrValues, maxAge: challenge.maxAge, refusal: { status: response.status, challenge: header, msg: refusal } },
            refusal,
          );
          continue;
        }
      }

      if ((response.status === 429 || response.status === 503) && IDEMPOTENT.has(method) && retries < deps.retryAttempts) {
        const wait = readRetryAfter(response.headers.get('Retry-After'), deps.now());
        if (wait !== undefined && wait <= deps.maxRetryDelaySeconds) {
          retries++;
          await response.body?.cancel();
          await deps.sleep(wait * 1000);
          continue;
        }
      }
      return response;
    }
  };
}
