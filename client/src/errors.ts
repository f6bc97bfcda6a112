/**
 * The client's one error taxonomy. Every promise of the client rejects with a `ClientError`: a
 * stable `code` to switch on (never the message), the HTTP `status` of the answer that decided it
 * (0 when no answer came: the network, a bad argument, the browser's passkey dialog), and `msg`,
 * the server's own words when it gave some. Details stay in `cause`.
 */

/** The codes of `ClientError`, one per subclass. */
export type ClientErrorCode =
  | 'ERR_HTTP_STATUS'
  | 'ERR_SIGNED_OUT'
  | 'ERR_STEP_UP_CANCELLED'
  | 'ERR_STEP_UP_FAILED'
  | 'ERR_NETWORK'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_UNEXPECTED_ANSWER'
  | 'ERR_PASSKEY_CEREMONY';

/** Base class of every error the client rejects with. */
export abstract class ClientError extends Error {
  abstract readonly code: ClientErrorCode;
  /** The HTTP status of the answer this error is about; 0 when there was none. */
  readonly status: number;
  /** The server's `msg` (or, with no answer, the client's own short reason). */
  readonly msg: string;

  constructor(status: number, msg: string, options?: { cause?: unknown }) {
    super(msg, options);
    this.name = new.target.name;
    this.status = status;
    this.msg = msg;
  }
}

/**
 * A route answered with a status other than 2xx, and the client had nothing left to do about it
 * (a refresh and a step-up were tried where they apply; `Retry-After` was honoured where allowed).
 */
export class HttpError extends ClientError {
  readonly code = 'ERR_HTTP_STATUS';
  /** Seconds the server asked to wait (`Retry-After`), when it did. */
  readonly retryAfter: number | undefined;

  constructor(status: number, msg: string, retryAfter?: number) {
    super(status, msg);
    this.retryAfter = retryAfter;
  }
}

/**
 * There is no session to act with: never logged in, logged out (here or in another tab), or the
 * server refused to refresh it (revoked, reuse detected, expired). Log in again.
 */
export class SignedOutError extends ClientError {
  readonly code = 'ERR_SIGNED_OUT';
}

/** A route asked for a step-up and the app's `onStepUp` declined (resolved to `null`) or there is none. */
export class StepUpCancelledError extends ClientError {
  readonly code = 'ERR_STEP_UP_CANCELLED';
}

/**
 * A step-up did not open the route: `/fresh-login` refused the proof (a wrong password, a passkey
 * not accepted), or the route refused the request again after it (it wants more than was proven).
 */
export class StepUpFailedError extends ClientError {
  readonly code = 'ERR_STEP_UP_FAILED';
}

/** The API could not be reached (fetch itself failed: offline, DNS, CORS, aborted). */
export class NetworkError extends ClientError {
  readonly code = 'ERR_NETWORK';

  constructor(cause: unknown) {
    super(0, 'The API could not be reached', { cause });
  }
}

/** The client was called with something it cannot send (a bad path, method, body or option). */
export class InvalidArgumentError extends ClientError {
  readonly code = 'ERR_INVALID_ARGUMENT';

  constructor(msg: string) {
    super(0, msg);
  }
}

/** A 2xx answer the client cannot use: not JSON, or without the tokens the token location needs. */
export class UnexpectedAnswerError extends ClientError {
  readonly code = 'ERR_UNEXPECTED_ANSWER';
}

/** The browser's WebAuthn ceremony failed or the user dismissed it (see `cause`). */
export class PasskeyCeremonyError extends ClientError {
  readonly code = 'ERR_PASSKEY_CEREMONY';

  constructor(cause: unknown) {
    super(0, cause instanceof Error ? cause.message : 'The passkey ceremony failed', { cause });
  }
}
