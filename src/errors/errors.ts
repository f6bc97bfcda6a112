/**
 * The product's one error taxonomy. Every error a client can cause is an `AppError` with a
 * stable `code`; callers switch on codes, never on messages. The message is short and safe to
 * show a client; details (a jose error, a field name) stay in `cause` and the logs.
 * How each code reaches a client is decided in one place: `error-table.ts`.
 */
export type ErrorCode =
  | 'ERR_BAD_CREDENTIALS'
  | 'ERR_AUTH_HEADER_MISSING'
  | 'ERR_AUTH_SCHEME_UNSUPPORTED'
  | 'ERR_AUTH_HEADER_MALFORMED'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_ACCESS_TOKEN_REQUIRED'
  | 'ERR_REFRESH_TOKEN_REQUIRED'
  | 'ERR_REFRESH_TOKEN_REVOKED'
  | 'ERR_REFRESH_TOKEN_REUSED'
  | 'ERR_FRESH_TOKEN_REQUIRED'
  | 'ERR_TOO_MANY_ATTEMPTS'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_KEYS_UNAVAILABLE'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_BODY_INVALID'
  | 'ERR_MISSING_IDENTITY'
  | 'ERR_QUERY_INVALID'
  | 'ERR_SESSION_NOT_FOUND'
  | 'ERR_ACCOUNT_NOT_FOUND'
  | 'ERR_SESSION_ENDED'
  | 'ERR_WEAK_PASSWORD'
  | 'ERR_CSRF_MISSING'
  | 'ERR_CSRF_MISMATCH'
  | 'ERR_EMAIL_INVALID'
  | 'ERR_PASSKEY_REJECTED'
  | 'ERR_PASSKEY_REGISTRATION_REJECTED'
  | 'ERR_CHALLENGE_INVALID'
  | 'ERR_PASSKEY_NOT_FOUND'
  | 'ERR_PASSKEYS_NOT_CONFIGURED'
  // Answers API Gateway makes itself (see the gateway column of the error table); the code names
  // them so one table decides every answer a client sees.
  | 'ERR_NOT_FOUND'
  | 'ERR_THROTTLED'
  | 'ERR_GATEWAY_REJECTED'
  | 'ERR_INTERNAL';

/** The body of every fault, ours or API Gateway's: the detail stays in the log. */
export const INTERNAL_ERROR_MSG = 'Internal server error';

/** Base class of every error the product raises on purpose. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** Seconds after which a retry may succeed (sent as `Retry-After`), when that is known. */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Wrong password or unknown user: deliberately the same error for both. */
export class BadCredentialsError extends AppError {
  constructor() {
    super('ERR_BAD_CREDENTIALS', 'Bad username or password');
  }
}

/** The `Authorization` header is absent, or it is not a `Bearer <token>` header. */
export class AuthHeaderError extends AppError {
  constructor(code: 'ERR_AUTH_HEADER_MISSING' | 'ERR_AUTH_SCHEME_UNSUPPORTED' | 'ERR_AUTH_HEADER_MALFORMED', message: string) {
    super(code, message);
  }
}

/** A token that fails verification: signature, algorithm, format, claims, time or kind. */
export class TokenError extends AppError {
  constructor(
    code:
      'ERR_TOKEN_INVALID' | 'ERR_TOKEN_EXPIRED' | 'ERR_TOKEN_NOT_YET_VALID' | 'ERR_ACCESS_TOKEN_REQUIRED' | 'ERR_REFRESH_TOKEN_REQUIRED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/**
 * A validly signed refresh token whose session is over: logged out, revoked by an administrator,
 * expired, or superseded and presented again (reuse, which revokes the whole session).
 */
export class SessionRevokedError extends AppError {
  constructor(code: 'ERR_REFRESH_TOKEN_REVOKED' | 'ERR_REFRESH_TOKEN_REUSED', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Too many failed logins for this username in the current window, whether or not it exists. */
export class TooManyAttemptsError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('ERR_TOO_MANY_ATTEMPTS', 'Too many failed login attempts; try again later', { retryAfterSeconds });
  }
}

/** The database is unreachable or throttling: nothing was changed, and a retry may succeed. */
export class StoreUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('ERR_STORE_UNAVAILABLE', 'Service temporarily unavailable; please retry shortly', { cause, retryAfterSeconds: 1 });
  }
}

/**
 * The signing or verification keys could not be loaded (SSM throttled or unreachable, a parameter
 * missing or malformed). Never the client's fault: a fault for the authorizers, 503 for handlers.
 */
export class KeysUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('ERR_KEYS_UNAVAILABLE', 'Service temporarily unavailable; please retry shortly', { cause, retryAfterSeconds: 1 });
  }
}

/** A valid access token that is not fresh, presented where a fresh one is required. */
export class FreshTokenRequiredError extends AppError {
  /** The verified identity, so the authorizer can name it in its Deny policy. */
  readonly subject: string;
  /** The route's limit on the time since the password was verified, if it has one. */
  readonly maxAgeSeconds: number | undefined;
  /** The authentication context class the route requires (RFC 9470 `acr_values`), if it names one. */
  readonly acrValues: string | undefined;

  constructor(subject: string, maxAgeSeconds?: number, acrValues?: string) {
    super('ERR_FRESH_TOKEN_REQUIRED', 'Fresh token required');
    this.subject = subject;
    this.maxAgeSeconds = maxAgeSeconds;
    this.acrValues = acrValues;
  }
}

/** A request body the API cannot accept: media type, size, JSON shape or fields. */
export class BadRequestError extends AppError {
  constructor(code: 'ERR_UNSUPPORTED_MEDIA_TYPE' | 'ERR_BODY_TOO_LARGE' | 'ERR_BODY_INVALID', message: string) {
    super(code, message);
  }
}

/** A query string parameter the route cannot use (e.g. a cursor it did not hand out). */
export class BadQueryError extends AppError {
  constructor(message: string) {
    super('ERR_QUERY_INVALID', message);
  }
}

/** The session is not one of the caller's active sessions (whether it is someone else's is never told). */
export class SessionNotFoundError extends AppError {
  constructor() {
    super('ERR_SESSION_NOT_FOUND', 'Session not found');
  }
}

/**
 * A valid token whose user has no account here: a flask-jwt-extended token of a user not yet
 * migrated, or a token that outlived its user. The token is good; the account is missing.
 */
export class AccountNotFoundError extends AppError {
  constructor() {
    super('ERR_ACCOUNT_NOT_FOUND', 'Account not found');
  }
}

/**
 * A valid token that may no longer change its account: the user was disabled, the revocation clock
 * moved past the token's login (a password change, sign-out everywhere), or the account was deleted
 * and made again after the token was issued. Logging in again is the way on.
 */
export class SessionEndedError extends AppError {
  constructor(cause: string) {
    super('ERR_SESSION_ENDED', 'Session has ended; log in again', { cause });
  }
}

/** A cookie-authenticated, state-changing request without the matching CSRF header (flask-jwt-extended's words). */
export class CsrfError extends AppError {
  constructor(code: 'ERR_CSRF_MISSING' | 'ERR_CSRF_MISMATCH', message: string) {
    super(code, message);
  }
}

/** A new password that breaks a rule of the password policy; the message names the rule. */
export class WeakPasswordError extends AppError {
  constructor(rule: string) {
    super('ERR_WEAK_PASSWORD', rule);
  }
}

/** An e-mail address that is not one. */
export class InvalidEmailError extends AppError {
  constructor(message: string) {
    super('ERR_EMAIL_INVALID', message);
  }
}

/**
 * A protected route was reached without an authorizer identity: a deployment fault
 * (route not wired to an authorizer), never the client's doing.
 */
export class MissingIdentityError extends AppError {
  constructor() {
    super('ERR_MISSING_IDENTITY', INTERNAL_ERROR_MSG);
  }
}

/**
 * A passkey assertion that does not prove the user: an unknown credential, a wrong origin or RP ID,
 * no user verification, a bad signature, a signature counter that went back. `cause` says which,
 * for the logs only.
 */
export class PasskeyRejectedError extends AppError {
  constructor(cause: string) {
    super('ERR_PASSKEY_REJECTED', 'Passkey not accepted', { cause });
  }
}

/** A new passkey's attestation that cannot be accepted (origin, RP ID, user verification, format). */
export class PasskeyRegistrationError extends AppError {
  constructor(cause: string) {
    super('ERR_PASSKEY_REGISTRATION_REJECTED', 'Passkey registration not accepted', { cause });
  }
}

/** A WebAuthn challenge this API did not hand out for this use, or one already used or expired. */
export class ChallengeInvalidError extends AppError {
  constructor() {
    super('ERR_CHALLENGE_INVALID', 'Challenge unknown, expired or already used; ask for new options');
  }
}

/** The passkey is not one of the caller's (whether it is someone else's is never told). */
export class PasskeyNotFoundError extends AppError {
  constructor() {
    super('ERR_PASSKEY_NOT_FOUND', 'Passkey not found');
  }
}

/** This deployment was not given its WebAuthn relying party; the message names the variable. */
export class PasskeysNotConfiguredError extends AppError {
  constructor(missing: string) {
    super('ERR_PASSKEYS_NOT_CONFIGURED', `Passkeys are not configured on this deployment: set ${missing}`);
  }
}
