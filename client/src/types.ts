/**
 * The client's public shapes: its options, what it answers, its events. Route bodies come from the
 * types generated from the API's OpenAPI document (`openapi-types.ts`), so they cannot drift from
 * the server's.
 */
import type { Client as OpenApiClient } from 'openapi-fetch';
import type { paths } from './openapi-types.ts';

/**
 * Where the session's tokens live. `memory`: in this page's memory only (never in storage), sent as
 * `Authorization: Bearer`, shared with the other tabs of the origin over BroadcastChannel. `cookies`:
 * in the browser's HttpOnly cookies (the server's `TOKEN_LOCATION=cookies`), out of every script's
 * reach; the client sends the CSRF header from the readable CSRF cookie.
 */
export type TokenLocation = 'memory' | 'cookies';

/** What a route that refused a token as not fresh enough asks for (RFC 9470). */
export interface StepUpChallenge {
  /** The authentication context classes the route requires (`acr_values`), in order; empty when it names none. */
  readonly acrValues: readonly string[];
  /** The most seconds since the user last proved themselves (`max_age`), when the route says. */
  readonly maxAge: number | undefined;
  /** The refusal as it came, for an app that shows it: status, `WWW-Authenticate`, the server's `msg`. */
  readonly refusal: { readonly status: number; readonly challenge: string; readonly msg: string };
}

/**
 * How the app answers a step-up: the user's password, a passkey (the client runs the browser's
 * WebAuthn ceremony), or `null` to cancel (the call rejects with `StepUpCancelledError`).
 */
export type StepUpAnswer = { readonly password: string } | { readonly passkey: true } | null;

/** WebAuthn options as the API hands them out (`PublicKeyCredential*OptionsJSON`). */
export type WebAuthnOptionsJSON = { readonly challenge: string } & Readonly<Record<string, unknown>>;

/** A passkey assertion (`credential.toJSON()`), as `POST /login` and `POST /fresh-login` take it. */
export type AuthenticationCredentialJSON = Extract<Body<'/login', 'post'>, { passkey: unknown }>['passkey'];

/** A new passkey's attestation (`credential.toJSON()`), as `POST /me/passkeys` takes it. */
export type RegistrationCredentialJSON = Body<'/me/passkeys', 'post'>['credential'];

/**
 * The two WebAuthn ceremonies. By default `@simplewebauthn/browser`'s, loaded on first use only;
 * give your own to use another WebAuthn library or platform.
 */
export interface PasskeyCeremonies {
  startAuthentication(options: { optionsJSON: WebAuthnOptionsJSON }): Promise<AuthenticationCredentialJSON>;
  startRegistration(options: { optionsJSON: WebAuthnOptionsJSON }): Promise<RegistrationCredentialJSON>;
}

/** The names the server's cookie settings give (flask-jwt-extended's defaults). */
export interface CsrfNames {
  /** `JWT_ACCESS_CSRF_COOKIE_NAME`, default `csrf_access_token`. */
  readonly accessCookie: string;
  /** `JWT_REFRESH_CSRF_COOKIE_NAME`, default `csrf_refresh_token`. */
  readonly refreshCookie: string;
  /** `JWT_ACCESS_CSRF_HEADER_NAME`, default `X-CSRF-TOKEN`. */
  readonly accessHeader: string;
  /** `JWT_REFRESH_CSRF_HEADER_NAME`, default `X-CSRF-TOKEN`. */
  readonly refreshHeader: string;
}

export interface ClientOptions {
  /** Where the API is: `https://api.example.com/prod`, or a path (`/`) on the page's own origin. */
  readonly baseUrl: string;
  readonly tokens: TokenLocation;
  /**
   * Called when a route wants a fresher proof than the token carries: ask the user, then resolve.
   * Without it, such a call rejects with `StepUpCancelledError`.
   */
  readonly onStepUp?: (challenge: StepUpChallenge) => StepUpAnswer | Promise<StepUpAnswer>;
  /** The fetch to send requests with (default: the platform's). */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** The clock, in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Waits before a retry (default `setTimeout`). */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** Reads a cookie the page may read (cookie mode; default `document.cookie`, none outside a page). */
  readonly readCookie?: (name: string) => string | undefined;
  /** The CSRF cookie and header names, if the server's settings changed them. */
  readonly csrf?: Partial<CsrfNames>;
  /**
   * `Retry-After` on 429 and 503, for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE): at most
   * `attempts` retries (default 2), each only if the wait is at most `maxDelaySeconds` (default 10).
   */
  readonly retry?: { readonly attempts?: number; readonly maxDelaySeconds?: number };
  /** Refresh this many seconds before the access token's `exp` (default 10). */
  readonly expiryLeewaySeconds?: number;
  /**
   * Coordinate with the other tabs of this origin (Web Locks and BroadcastChannel): default `true` in
   * a page that has both, never elsewhere. `false` keeps this client to itself.
   */
  readonly crossTab?: boolean;
  /** The WebAuthn ceremonies (default: `@simplewebauthn/browser`, loaded on first use). */
  readonly passkeys?: PasskeyCeremonies;
}

/** Why the client is signed out. */
export interface SignedOutDetail {
  /** `refused`: the server refused to refresh the session (revoked, reuse detected, expired); `logout`: a logout here or in another tab. */
  readonly reason: 'refused' | 'logout';
  /** The refusal's status and the server's `msg`, for `refused`. */
  readonly status?: number;
  readonly msg?: string;
}

/** Who signed in (here or in another tab). */
export interface SignedInDetail {
  readonly username: string | undefined;
}

/** The events a client dispatches, once per change, in every tab of the origin. */
export interface ClientEventMap {
  'signed-in': CustomEvent<SignedInDetail>;
  'signed-out': CustomEvent<SignedOutDetail>;
}

/** The HTTP methods `request` sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type Method = 'get' | 'post' | 'put' | 'delete';
/** The JSON request body of a route. */
type Body<P extends keyof paths, M extends Method> = paths[P][M] extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : never;
/** The JSON body of a response object. */
type Json<R> = R extends { content: { 'application/json': infer A } } ? A : never;
/** The JSON success answer of a route (200, or 201 for one that creates). */
type Answer<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer OK }
    ? Json<OK>
    : R extends { 201: infer Created }
      ? Json<Created>
      : never
  : never;

/** `GET /me`. */
export type Account = Answer<'/me', 'get'>;
/** `PUT /me/email`. */
export type EmailChanged = Answer<'/me/email', 'put'>;
/** `PUT /me/password`'s body. */
export type PasswordChange = Body<'/me/password', 'put'>;
/** `GET /sessions`: one page. */
export type SessionPage = Answer<'/sessions', 'get'>;
/** One session of `GET /sessions`. */
export type SessionView = SessionPage['sessions'][number];
/** `DELETE /sessions`. */
export type SessionsEnded = Answer<'/sessions', 'delete'>;
/** `GET /me/passkeys`. */
export type PasskeyList = Answer<'/me/passkeys', 'get'>;
/** One passkey of the list, or the one `POST /me/passkeys` made. */
export type PasskeyView = PasskeyList['passkeys'][number];
/** The `{"msg"}` answer of a route that only says it is done. */
export interface Done {
  readonly msg: string;
}

/** A client of one API: the session, the product's routes, and any other route through `request`. */
export interface Client {
  /** Logs in with the password: a fresh access token and a new session. */
  login(credentials: { readonly username: string; readonly password: string }): Promise<void>;
  /** Logs in with a discoverable passkey (the browser asks which). */
  loginWithPasskey(): Promise<void>;
  /**
   * Refreshes the session now: a non-fresh access token, the next refresh token (shared with a
   * refresh already in flight). Calls refresh by themselves; this is for an app that shows it.
   */
  refresh(): Promise<void>;
  /** Ends the session on the server and in every tab (`signed-out`, reason `logout`). */
  logout(): Promise<void>;
  /**
   * Picks up the session this origin already has, if any: from another tab (memory mode) or the
   * browser's cookies (cookie mode, asked with `GET /me`). Resolves to whether there is one.
   */
  restore(): Promise<boolean>;
  /**
   * Any route, the product's or your own: `path` relative to `baseUrl`, `body` sent as JSON. Resolves
   * to the parsed JSON answer of a 2xx (undefined when it has none); rejects with a `ClientError`.
   */
  request<T = unknown>(method: HttpMethod, path: string, body?: unknown): Promise<T>;
  /**
   * The session-aware fetch behind every call: credentials, CSRF, refresh, step-up, `Retry-After`.
   * It resolves to the final answer whatever its status, and rejects with a `ClientError` only when
   * the session itself fails (signed out, step-up cancelled or failed, no network). Give it to your
   * own typed client (`createClient<YourPaths>({ baseUrl, fetch: client.fetch })` of openapi-fetch).
   */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Every route of the API's document, typed, through `fetch` (openapi-fetch: resolves to `{ data, error, response }`). */
  readonly api: OpenApiClient<paths>;
  readonly account: {
    get(): Promise<Account>;
    changeEmail(email: string): Promise<EmailChanged>;
    changePassword(change: PasswordChange): Promise<Done>;
  };
  readonly sessions: {
    list(options?: { readonly cursor?: string }): Promise<SessionPage>;
    end(id: string): Promise<Done>;
    endAll(): Promise<SessionsEnded>;
  };
  readonly passkeys: {
    list(): Promise<PasskeyList>;
    /** Registers a passkey of this browser (a fresh token is needed: the client steps up if asked). */
    add(options?: { readonly name?: string }): Promise<PasskeyView>;
    remove(id: string): Promise<Done>;
  };
  addEventListener<K extends keyof ClientEventMap>(
    type: K,
    listener: (event: ClientEventMap[K]) => void,
    options?: boolean | { once?: boolean; signal?: AbortSignal },
  ): void;
  removeEventListener<K extends keyof ClientEventMap>(type: K, listener: (event: ClientEventMap[K]) => void): void;
  /** Stops listening to the other tabs and lets go of this client's locks (tests, a page being torn down). */
  close(): void;
}
