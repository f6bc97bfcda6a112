/**
 * `createClient`: one client of one API. The typed routes go through openapi-fetch, which is given
 * the session-aware fetch (transport.ts) as its `fetch`: openapi-fetch builds and types each
 * request and answer from the generated `paths`; the transport owns credentials, refresh, step-up
 * and `Retry-After`, which need to send a request again, as its middleware cannot
 * (openapi-ts/openapi-typescript#2075, #1122).
 */
import createOpenApiClient from 'openapi-fetch';
import { createCoordinator } from './cross-tab.ts';
import {
  ClientError,
  HttpError,
  InvalidArgumentError,
  NetworkError,
  PasskeyCeremonyError,
  SignedOutError,
  UnexpectedAnswerError,
} from './errors.ts';
import type { paths } from './openapi-types.ts';
import { loadPasskeyCeremonies } from './passkey-ceremonies.ts';
import { readRetryAfter } from './retry-after.ts';
import { httpError, Session } from './session.ts';
import { createStepUp } from './step-up.ts';
import { createTransport, type SendOptions } from './transport.ts';
import type { Client, ClientOptions, CsrfNames, HttpMethod, PasskeyCeremonies, SessionPage, WebAuthnOptionsJSON } from './types.ts';

const METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];
const CSRF_DEFAULTS: CsrfNames = {
  accessCookie: 'csrf_access_token',
  refreshCookie: 'csrf_refresh_token',
  accessHeader: 'X-CSRF-TOKEN',
  refreshHeader: 'X-CSRF-TOKEN',
};

/** `baseUrl` as an absolute http(s) URL without a trailing slash (a path is taken relative to the page). */
function absoluteBase(baseUrl: unknown): string {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '')
    throw new InvalidArgumentError('baseUrl must be a URL, or a path on the page’s origin');
  const page = (globalThis as { location?: { href?: unknown } }).location?.href;
  let url: URL;
  try {
    url = new URL(baseUrl, typeof page === 'string' ? page : undefined);
  } catch {
    throw new InvalidArgumentError(
      `baseUrl is not a URL${typeof page === 'string' ? '' : ' (outside a page it must be absolute)'}: ${baseUrl}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError(`baseUrl must be http or https: ${baseUrl}`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw new InvalidArgumentError(`baseUrl must have no query, fragment or credentials: ${baseUrl}`);
  return url.href.replace(/\/+$/, '');
}

/** A cookie of `document.cookie` (the page's readable cookies), or undefined outside a page. */
function documentCookie(name: string): string | undefined {
  const cookie = (globalThis as { document?: { cookie?: unknown } }).document?.cookie;
  if (typeof cookie !== 'string') return undefined;
  for (const pair of cookie.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    const value = pair.slice(at + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/** A non-negative number option, or its default. */
function count(value: unknown, name: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value)))
    throw new InvalidArgumentError(`${name} must be a non-negative ${integer ? 'integer' : 'number'}`);
  return value;
}

/** An optional function option. */
function optionalFunction<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new InvalidArgumentError(`${name} must be a function`);
  return value;
}

/** The `WebAuthnOptionsJSON` of an options answer. */
function webauthnOptions(value: unknown, status: number): WebAuthnOptionsJSON {
  if (typeof value !== 'object' || value === null || typeof (value as { challenge?: unknown }).challenge !== 'string')
    throw new UnexpectedAnswerError(status, 'The WebAuthn options carry no challenge');
  return value as WebAuthnOptionsJSON;
}

/**
 * A client of the API at `options.baseUrl`, its tokens in `options.tokens`. Throws
 * `InvalidArgumentError` (ERR_INVALID_ARGUMENT) for options it cannot work with.
 */
export function createClient(options: ClientOptions): Client {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('createClient takes an options object');
  const baseUrl = absoluteBase(options.baseUrl);
  if (options.tokens !== 'memory' && options.tokens !== 'cookies') throw new InvalidArgumentError("tokens must be 'memory' or 'cookies'");
  const onStepUp = optionalFunction(options.onStepUp, 'onStepUp');
  const platformFetch = optionalFunction(options.fetch, 'fetch') ?? ((request: Request) => globalThis.fetch(request));
  const now = optionalFunction(options.now, 'now') ?? Date.now;
  const sleep = optionalFunction(options.sleep, 'sleep') ?? ((ms: number) => new Promise<void>((wake) => setTimeout(wake, ms)));
  const readCookie = optionalFunction(options.readCookie, 'readCookie') ?? documentCookie;
  const csrf: CsrfNames = { ...CSRF_DEFAULTS, ...options.csrf };
  for (const [name, value] of Object.entries(csrf))
    if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`csrf.${name} must be a non-empty string`);
  const retryAttempts = count(options.retry?.attempts, 'retry.attempts', 2, true);
  const maxRetryDelaySeconds = count(options.retry?.maxDelaySeconds, 'retry.maxDelaySeconds', 10, false);
  const leewaySeconds = count(options.expiryLeewaySeconds, 'expiryLeewaySeconds', 10, false);
  if (options.crossTab !== undefined && typeof options.crossTab !== 'boolean') throw new InvalidArgumentError('crossTab must be a boolean');
  if (options.passkeys !== undefined && (typeof options.passkeys !== 'object' || options.passkeys === null))
    throw new InvalidArgumentError('passkeys must be an object with startAuthentication and startRegistration');

  // The platform's fetch, its failures typed: no answer at all is a NetworkError.
  const fetchOnce = async (request: Request): Promise<Response> => {
    try {
      return await platformFetch(request);
    } catch (err) {
      if (err instanceof ClientError) throw err;
      throw new NetworkError(err);
    }
  };
  const events = new EventTarget();
  const coordinator = createCoordinator(baseUrl, options.crossTab);
  const session = new Session({
    baseUrl,
    tokens: options.tokens,
    fetch: fetchOnce,
    now,
    readCookie,
    csrf,
    leewaySeconds,
    coordinator,
    events,
  });
  let ceremonies: Promise<PasskeyCeremonies> | undefined;
  const loadCeremonies = (): Promise<PasskeyCeremonies> => {
    ceremonies ??= options.passkeys ? Promise.resolve(options.passkeys) : loadPasskeyCeremonies();
    return ceremonies.catch((err: unknown) => {
      ceremonies = undefined;
      throw err;
    });
  };
  const runCeremony = async <T>(ceremony: (passkeys: PasskeyCeremonies) => Promise<T>): Promise<T> => {
    const passkeys = await loadCeremonies();
    try {
      return await ceremony(passkeys);
    } catch (err) {
      throw new PasskeyCeremonyError(err);
    }
  };

  /** A JSON request to the API. Error code: ERR_INVALID_ARGUMENT (a path or body it cannot send). */
  const buildRequest = (method: string, path: string, body?: unknown): Request => {
    const upper = typeof method === 'string' ? method.toUpperCase() : '';
    if (!METHODS.includes(upper as HttpMethod)) throw new InvalidArgumentError(`method must be one of ${METHODS.join(', ')}`);
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.includes('#'))
      throw new InvalidArgumentError('path must start with one "/" and be relative to baseUrl (no fragment)');
    const init: RequestInit = { method: upper, headers: {}, credentials: session.credentialsMode };
    if (body !== undefined) {
      if (upper === 'GET' || upper === 'HEAD') throw new InvalidArgumentError(`a ${upper} request has no body`);
      let json: string | undefined;
      try {
        json = JSON.stringify(body);
      } catch (err) {
        throw new InvalidArgumentError(`body cannot be sent as JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (json === undefined) throw new InvalidArgumentError('body cannot be sent as JSON');
      init.body = json;
      init.headers = { 'Content-Type': 'application/json' };
    }
    return new Request(`${baseUrl}${path}`, init);
  };

  /** The parsed JSON of a 2xx answer (undefined when empty), else the typed error. */
  const parse = async <T>(response: Response): Promise<T> => {
    if (!response.ok) throw await httpError(response, now);
    const text = await response.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UnexpectedAnswerError(response.status, 'The answer is not JSON');
    }
  };

  // The step-up is made below, over `request`, which sends through the transport: a cycle of
  // functions, each called only after all exist.
  const send = createTransport({
    baseUrl,
    session,
    fetch: fetchOnce,
    now,
    sleep,
    retryAttempts,
    maxRetryDelaySeconds,
    stepUp: (challenge, refusal) => stepUp(challenge, refusal),
  });
  const request = async <T>(method: HttpMethod, path: string, body?: unknown, sendOptions?: SendOptions): Promise<T> =>
    parse<T>(await send(buildRequest(method, path, body), sendOptions));
  const stepUp = createStepUp({
    onStepUp,
    signedIn: () => session.signedIn(),
    username: async () => session.username() ?? (await request<{ username: string }>('GET', '/me', undefined, { stepUp: false })).username,
    passkeyOptions: async () => webauthnOptions(await request('POST', '/fresh-login/passkey/options', undefined, { stepUp: false }), 200),
    ceremonies: loadCeremonies,
    freshLogin: (proof) => session.freshLogin(proof),
  });
  const fetch = (input: Request): Promise<Response> => send(input);
  const api = createOpenApiClient<paths>({ baseUrl, fetch });

  /** The data of an openapi-fetch result, or the typed error of its answer (whose body openapi-fetch has read). */
  const data = async <T>(result: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> => {
    const { data: value, error, response } = await result;
    if (!response.ok) {
      const msg = typeof error === 'object' && error !== null ? (error as { msg?: unknown }).msg : undefined;
      const retryAfter = readRetryAfter(response.headers.get('Retry-After'), now());
      throw new HttpError(response.status, typeof msg === 'string' ? msg : response.statusText || `HTTP ${response.status}`, retryAfter);
    }
    if (value === undefined) throw new UnexpectedAnswerError(response.status, 'The answer has no body');
    return value;
  };
  const id = (value: unknown, name: string): string => {
    if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`${name} must be a non-empty string`);
    return value;
  };

  return {
    login: async (credentials) => {
      if (typeof credentials !== 'object' || credentials === null) throw new InvalidArgumentError('login takes { username, password }');
      const { username, password } = credentials;
      await session.login({ username: id(username, 'username'), password: id(password, 'password') });
    },
    loginWithPasskey: async () => {
      const options = webauthnOptions(await parse(await fetchOnce(buildRequest('POST', '/login/passkey/options'))), 200);
      const credential = await runCeremony((passkeys) => passkeys.startAuthentication({ optionsJSON: options }));
      await session.login({ passkey: credential });
    },
    refresh: () => session.refresh(session.mark()),
    logout: () => session.logout(),
    restore: async () => {
      if (options.tokens === 'memory') return session.restore();
      try {
        await request('GET', '/me');
        session.sawSession();
        return true;
      } catch (err) {
        if (err instanceof SignedOutError || (err instanceof HttpError && err.status === 401)) return false;
        throw err;
      }
    },
    request: async (method, path, body) => request(method, path, body),
    fetch,
    api,
    account: {
      get: async () => data(api.GET('/me')),
      changeEmail: async (email) => data(api.PUT('/me/email', { body: { email: id(email, 'email') } })),
      changePassword: async (change) => data(api.PUT('/me/password', { body: change })),
    },
    sessions: {
      list: async (listOptions = {}) =>
        request<SessionPage>(
          'GET',
          `/sessions${listOptions.cursor === undefined ? '' : `?cursor=${encodeURIComponent(id(listOptions.cursor, 'cursor'))}`}`,
        ),
      end: async (sessionId) => data(api.DELETE('/sessions/{id}', { params: { path: { id: id(sessionId, 'id') } } })),
      endAll: async () => data(api.DELETE('/sessions')),
    },
    passkeys: {
      list: async () => data(api.GET('/me/passkeys')),
      add: async (addOptions = {}) => {
        const optionsJSON = webauthnOptions(await data(api.POST('/me/passkeys/options')), 200);
        const credential = await runCeremony((passkeys) => passkeys.startRegistration({ optionsJSON }));
        const body = addOptions.name === undefined ? { credential } : { credential, name: id(addOptions.name, 'name') };
        return (await data(api.POST('/me/passkeys', { body }))).passkey;
      },
      remove: async (passkeyId) => data(api.DELETE('/me/passkeys/{id}', { params: { path: { id: id(passkeyId, 'id') } } })),
    },
    addEventListener: (type, listener, listenerOptions) => events.addEventListener(type, listener as EventListener, listenerOptions),
    removeEventListener: (type, listener) => events.removeEventListener(type, listener as EventListener),
    close: () => coordinator.close(),
  };
}
