import { AuthHeaderError, SessionRevokedError, StoreUnavailableError } from '../../../src/errors/errors';
import { ACR_VALUES, loadTransportConfig } from '../../../src/config/config';
import { loggedOutReply } from '../../../src/http/replies';
import { ERROR_TABLE } from '../../../src/errors/error-table';
import {
  createClient,
  HttpError,
  InvalidArgumentError,
  NetworkError,
  SignedOutError,
  StepUpCancelledError,
  StepUpFailedError,
  UnexpectedAnswerError,
  type ClientOptions,
  type SignedOutDetail,
  type StepUpAnswer,
  type StepUpChallenge,
} from '../../../client/src/index';
import { ClientApi, USER } from '../../helpers/client-api';

// The client against a stand-in of the API that answers as the product does (tests/helpers/client-api.ts:
// real tokens, the real authorizer pipeline and Gateway Responses, the error table's answers), on
// a hand clock: no network, no timers, nothing measured in wall time.

const STAGE = '/prod';
const BASE = `https://api.example.test${STAGE}`;
const MINUTE = 60_000;

function setup(options: Partial<ClientOptions> = {}) {
  const api = new ClientApi(STAGE);
  let clock = Date.now();
  const sleeps: number[] = [];
  const signedOut: SignedOutDetail[] = [];
  const client = createClient({
    baseUrl: BASE,
    tokens: 'memory',
    fetch: api.fetch,
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...options,
  });
  client.addEventListener('signed-out', (event) => signedOut.push(event.detail));
  return {
    api,
    client,
    sleeps,
    signedOut,
    /** Moves the client's clock (the stand-in's tokens keep the real one). */
    advance: (ms: number) => (clock += ms),
  };
}

/** The Authorization header of each request of `route`, in order. */
const bearers = (api: ClientApi, route: string) =>
  api.requests.filter(({ method, path }) => `${method} ${path}` === route).map(({ headers }) => headers.get('authorization'));

describe('the client’s session', () => {
  it('logs in with the password and calls a route with the access token', async () => {
    const { api, client } = setup();
    await client.login(USER);
    await expect(client.request('GET', '/protected')).resolves.toEqual({ logged_in_as: USER.username });
    expect(bearers(api, 'GET /protected')).toEqual([expect.stringMatching(/^Bearer eyJ/)]);
  });

  it('refreshes once for 10 concurrent calls whose access token has expired, and sends each call once, with the new token', async () => {
    const { api, client, advance } = setup();
    await client.login(USER);
    advance(16 * MINUTE); // past the access token's 15 minutes, on the client's clock
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.request('GET', '/protected')));
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ logged_in_as: USER.username })));
    expect(api.count('POST /refresh')).toBe(1);
    expect(api.maxRefreshesInFlight).toBe(1);
    expect(api.count('GET /protected')).toBe(10);
    // Each call went once, all with the token the one refresh gave.
    expect(new Set(bearers(api, 'GET /protected')).size).toBe(1);
  });

  it('does not refresh a token that is still good on the server’s clock, however wrong the device’s clock is', async () => {
    const { api, client, advance } = setup();
    advance(-3 * 60 * MINUTE); // the device is three hours behind
    await client.login(USER);
    advance(5 * MINUTE);
    await client.request('GET', '/protected');
    expect(api.count('POST /refresh')).toBe(0);
    advance(11 * MINUTE);
    await client.request('GET', '/protected');
    expect(api.count('POST /refresh')).toBe(1);
  });

  it('refreshes once when 5 concurrent calls are refused as invalid_token, and retries each once', async () => {
    const { api, client } = setup();
    await client.login(USER);
    api.expireAccessTokens();
    await expect(Promise.all(Array.from({ length: 5 }, () => client.request('GET', '/protected')))).resolves.toHaveLength(5);
    expect(api.count('POST /refresh')).toBe(1);
    expect(api.count('GET /protected')).toBe(10);
  });

  it('retries only once after a refresh: a second invalid_token is the caller’s HttpError, not another refresh', async () => {
    const { api, client } = setup();
    await client.login(USER);
    api.script('GET /protected', () => ClientApi.gateway('UNAUTHORIZED'));
    api.script('GET /protected', () => ClientApi.gateway('UNAUTHORIZED'));
    const error = await client.request('GET', '/protected').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ code: 'ERR_HTTP_STATUS', status: 401, msg: 'Missing or invalid access token' });
    expect(api.count('POST /refresh')).toBe(1);
    expect(api.count('GET /protected')).toBe(2);
  });

  it('signs out, with one signed-out event, when the refresh is refused as reuse; later calls do not refresh again', async () => {
    const { api, client, signedOut } = setup();
    await client.login(USER);
    // The session's refresh token, spent behind the client's back (a thief's copy).
    await api.fetch(new Request(`${BASE}/refresh`, { method: 'POST', headers: { Authorization: `Bearer ${api.lastRefreshToken}` } }));
    api.expireAccessTokens();

    const error = await client.request('GET', '/protected').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SignedOutError);
    expect(error).toMatchObject({ code: 'ERR_SIGNED_OUT', status: 401, msg: 'Refresh token reuse detected; the session has been revoked' });
    expect(signedOut).toEqual([{ reason: 'refused', status: 401, msg: 'Refresh token reuse detected; the session has been revoked' }]);
    const refreshes = api.count('POST /refresh');
    await expect(client.request('GET', '/protected')).rejects.toMatchObject({ code: 'ERR_SIGNED_OUT', status: 401 });
    expect(api.count('POST /refresh')).toBe(refreshes);
    expect(signedOut).toHaveLength(1);
  });

  it('dispatches signed-out once, with the server’s words, however many calls meet the refusal', async () => {
    const { api, client, signedOut } = setup();
    await client.login(USER);
    api.expireAccessTokens();
    api.script('POST /refresh', () =>
      ClientApi.error(new SessionRevokedError('ERR_REFRESH_TOKEN_REVOKED', 'Refresh token has been revoked')),
    );
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => client.request('GET', '/protected')));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(signedOut).toEqual([{ reason: 'refused', status: 401, msg: 'Refresh token has been revoked' }]);
    expect(api.count('POST /refresh')).toBe(1);
  });

  it('keeps the session when the refresh meets an outage (503), and says so with the status and Retry-After', async () => {
    const { api, client, signedOut, advance } = setup();
    await client.login(USER);
    advance(16 * MINUTE);
    api.script('POST /refresh', () => ClientApi.error(new StoreUnavailableError(new Error('throttled'))));
    await expect(client.request('GET', '/protected')).rejects.toMatchObject({
      code: 'ERR_HTTP_STATUS',
      status: 503,
      msg: 'Service temporarily unavailable; please retry shortly',
      retryAfter: 1,
    });
    expect(signedOut).toEqual([]);
    await expect(client.request('GET', '/protected')).resolves.toEqual({ logged_in_as: USER.username });
  });

  it('logs out on the server with the refresh token, signs out with reason logout, and then refuses calls as signed out', async () => {
    const { api, client, signedOut } = setup();
    await client.login(USER);
    const refresh = api.requests.length;
    await client.logout();
    expect(api.requests.slice(refresh).map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /logout']);
    expect(bearers(api, 'POST /logout')).toEqual([expect.stringMatching(/^Bearer eyJ/)]);
    expect(signedOut).toEqual([{ reason: 'logout' }]);
    await expect(client.request('GET', '/protected')).rejects.toBeInstanceOf(SignedOutError);
  });

  it('refreshes on demand (refresh()): one rotation, and the access token is not fresh any more', async () => {
    const { api, client } = setup();
    await client.login(USER);
    await Promise.all([client.refresh(), client.refresh()]);
    expect(api.count('POST /refresh')).toBe(1);
    await expect(client.request('GET', '/protected-fresh')).rejects.toMatchObject({ code: 'ERR_STEP_UP_CANCELLED', status: 401 });
  });

  it('rejects a wrong password with the server’s status and words', async () => {
    const { client } = setup();
    await expect(client.login({ username: USER.username, password: 'wrong' })).rejects.toMatchObject({
      code: 'ERR_HTTP_STATUS',
      status: 401,
      msg: 'Bad username or password',
    });
  });
});

describe('the client’s step-up', () => {
  /** A session whose access token is not fresh any more (after a refresh), as `/protected-fresh` refuses it. */
  async function staleSession(options: Partial<ClientOptions> = {}) {
    const context = setup(options);
    await context.client.login(USER);
    context.advance(16 * MINUTE);
    await context.client.request('GET', '/protected');
    return context;
  }

  it('asks onStepUp once, proves the password within the session, and retries the call', async () => {
    const stepUp = jest.fn<Promise<StepUpAnswer>, [StepUpChallenge]>(() => Promise.resolve({ password: USER.password }));
    const { api, client } = await staleSession({ onStepUp: stepUp });
    await expect(client.request('GET', '/protected-fresh')).resolves.toEqual({ fresh_logged_in_as: USER.username });
    // The refusal as API Gateway's one Deny answer gives it (the error table's challenge and words).
    const refusal = { status: 401, challenge: ERROR_TABLE.ERR_FRESH_TOKEN_REQUIRED.wwwAuthenticate, msg: 'Fresh token required' };
    expect(stepUp.mock.calls).toEqual([[{ acrValues: [], maxAge: undefined, refusal }]]);
    expect(api.requests.find(({ path }) => path === '/fresh-login')?.body).toEqual(USER);
    // Within the same session: the session's refresh token goes with the proof.
    expect(bearers(api, 'POST /fresh-login')).toEqual([expect.stringMatching(/^Bearer eyJ/)]);
    expect(api.count('GET /protected-fresh')).toBe(2);
  });

  it('shares one step-up between calls that meet the same challenge at once', async () => {
    const stepUp = jest.fn<Promise<StepUpAnswer>, [StepUpChallenge]>(() => Promise.resolve({ password: USER.password }));
    const { api, client } = await staleSession({ onStepUp: stepUp });
    const answers = await Promise.all(Array.from({ length: 3 }, () => client.request('GET', '/protected-fresh')));
    expect(answers).toEqual(Array.from({ length: 3 }, () => ({ fresh_logged_in_as: USER.username })));
    expect(stepUp).toHaveBeenCalledTimes(1);
    expect(api.count('POST /fresh-login')).toBe(1);
  });

  it('rejects with StepUpCancelledError, the refusal’s status and words, when onStepUp answers null', async () => {
    const stepUp = jest.fn<Promise<StepUpAnswer>, [StepUpChallenge]>(() => Promise.resolve(null));
    const { api, client } = await staleSession({ onStepUp: stepUp });
    const error = await client.request('GET', '/protected-fresh').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StepUpCancelledError);
    expect(error).toMatchObject({ code: 'ERR_STEP_UP_CANCELLED', status: 401, msg: 'Fresh token required' });
    expect(stepUp).toHaveBeenCalledTimes(1);
    expect(api.count('POST /fresh-login')).toBe(0);
    expect(api.count('GET /protected-fresh')).toBe(1);
  });

  it('rejects with StepUpCancelledError when the app has no onStepUp', async () => {
    const { client } = await staleSession();
    await expect(client.request('GET', '/protected-fresh')).rejects.toMatchObject({ code: 'ERR_STEP_UP_CANCELLED', status: 401 });
  });

  it('rejects with StepUpFailedError when /fresh-login refuses the password, and does not retry the call', async () => {
    const { api, client } = await staleSession({ onStepUp: () => ({ password: 'not-it' }) });
    await expect(client.request('GET', '/protected-fresh')).rejects.toMatchObject({
      code: 'ERR_STEP_UP_FAILED',
      status: 401,
      msg: 'Bad username or password',
    });
    expect(api.count('GET /protected-fresh')).toBe(1);
  });

  it('rejects with StepUpFailedError on a second refusal (a password where a passkey is required), never asking twice', async () => {
    const stepUp = jest.fn<Promise<StepUpAnswer>, [StepUpChallenge]>(() => Promise.resolve({ password: USER.password }));
    const { api, client } = await staleSession({ onStepUp: stepUp });
    const error = await client.request('GET', '/protected-strong').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StepUpFailedError);
    expect(error).toMatchObject({ code: 'ERR_STEP_UP_FAILED', status: 401, msg: 'Fresh token required' });
    // The class the route wants came in the body (API Gateway's one Deny answer), not in the header.
    expect(stepUp.mock.calls).toEqual([
      [{ acrValues: [ACR_VALUES.phr], maxAge: undefined, refusal: expect.objectContaining({ status: 401 }) }],
    ]);
    expect(api.count('GET /protected-strong')).toBe(2);
    expect(api.count('POST /fresh-login')).toBe(1);
  });

  it('steps up with a passkey: the step-up options, the ceremony, /fresh-login with the assertion, then the call', async () => {
    const ceremony = jest.fn(() =>
      Promise.resolve({
        id: 'good-passkey',
        rawId: 'good-passkey',
        type: 'public-key' as const,
        response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' },
        clientExtensionResults: {},
      }),
    );
    const { api, client } = await staleSession({
      onStepUp: () => ({ passkey: true }),
      passkeys: { startAuthentication: ceremony, startRegistration: () => Promise.reject(new Error('not in this test')) },
    });
    await expect(client.request('GET', '/protected-strong')).resolves.toEqual({ strong_logged_in_as: USER.username });
    expect(ceremony).toHaveBeenCalledWith({ optionsJSON: expect.objectContaining({ challenge: 'step-up-challenge' }) });
    expect(api.requests.filter(({ path }) => path.startsWith('/fresh-login')).map(({ path }) => path)).toEqual([
      '/fresh-login/passkey/options',
      '/fresh-login',
    ]);
    expect(api.requests.find(({ path }) => path === '/fresh-login')?.body).toEqual({
      passkey: expect.objectContaining({ id: 'good-passkey' }),
    });
  });

  it('turns a failed WebAuthn ceremony into PasskeyCeremonyError', async () => {
    const { client } = await staleSession({
      onStepUp: () => ({ passkey: true }),
      passkeys: {
        startAuthentication: () => Promise.reject(new Error('The operation either timed out or was not allowed.')),
        startRegistration: () => Promise.reject(new Error('not in this test')),
      },
    });
    await expect(client.request('GET', '/protected-strong')).rejects.toMatchObject({
      code: 'ERR_PASSKEY_CEREMONY',
      status: 0,
      msg: 'The operation either timed out or was not allowed.',
    });
  });

  it('rejects an onStepUp answer of another shape as InvalidArgumentError', async () => {
    const { client } = await staleSession({ onStepUp: () => ({ pin: '1234' }) as unknown as StepUpAnswer });
    await expect(client.request('GET', '/protected-fresh')).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('the client’s passkeys', () => {
  const assertion = {
    id: 'good-passkey',
    rawId: 'good-passkey',
    type: 'public-key' as const,
    response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' },
    clientExtensionResults: {},
  };
  const attestation = {
    id: 'new-passkey',
    rawId: 'new-passkey',
    type: 'public-key' as const,
    response: { clientDataJSON: 'e30', attestationObject: 'AA' },
    clientExtensionResults: {},
  };

  it('logs in with a passkey: the login options, the ceremony, POST /login with the assertion', async () => {
    const startAuthentication = jest.fn(() => Promise.resolve(assertion));
    const { api, client } = setup({ passkeys: { startAuthentication, startRegistration: () => Promise.reject(new Error('unused')) } });
    await client.loginWithPasskey();
    expect(startAuthentication).toHaveBeenCalledWith({ optionsJSON: expect.objectContaining({ challenge: 'login-challenge' }) });
    expect(api.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /login/passkey/options', 'POST /login']);
    expect(api.requests[1]?.body).toEqual({ passkey: assertion });
    await expect(client.request('GET', '/protected-strong')).resolves.toEqual({ strong_logged_in_as: USER.username });
  });

  it('adds a passkey: the creation options (a fresh-only route), the ceremony, POST /me/passkeys with its name', async () => {
    const startRegistration = jest.fn(() => Promise.resolve(attestation));
    const { api, client } = setup({ passkeys: { startAuthentication: () => Promise.reject(new Error('unused')), startRegistration } });
    await client.login(USER);
    await expect(client.passkeys.add({ name: 'Laptop' })).resolves.toMatchObject({ id: 'new-passkey', name: 'Laptop', backed_up: false });
    expect(startRegistration).toHaveBeenCalledWith({ optionsJSON: expect.objectContaining({ challenge: 'register-challenge' }) });
    expect(api.requests.find(({ path }) => path === '/me/passkeys')?.body).toEqual({ credential: attestation, name: 'Laptop' });
  });

  it('sends nothing more when the ceremony is dismissed: PasskeyCeremonyError', async () => {
    const dismissed = Object.assign(new Error('The operation either timed out or was not allowed.'), { name: 'NotAllowedError' });
    const { api, client } = setup({
      passkeys: { startAuthentication: () => Promise.reject(dismissed), startRegistration: () => Promise.reject(dismissed) },
    });
    await expect(client.loginWithPasskey()).rejects.toMatchObject({ code: 'ERR_PASSKEY_CEREMONY', status: 0, cause: dismissed });
    expect(api.count('POST /login')).toBe(0);
  });
});

describe('the client’s retries', () => {
  it('waits out Retry-After on 429 and 503 for a GET, up to the bounded number of retries', async () => {
    const { api, client, sleeps } = setup();
    await client.login(USER);
    api.script('GET /protected', () => ClientApi.gateway('THROTTLED'));
    api.script('GET /protected', () => ClientApi.error(new StoreUnavailableError(new Error('throttled'))));
    await expect(client.request('GET', '/protected')).resolves.toEqual({ logged_in_as: USER.username });
    expect(sleeps).toEqual([1000, 1000]);
    expect(api.count('GET /protected')).toBe(3);
  });

  it('gives up after `attempts` retries with an HttpError carrying the status, msg and Retry-After', async () => {
    const { api, client, sleeps } = setup({ retry: { attempts: 1 } });
    await client.login(USER);
    for (let i = 0; i < 3; i++) api.script('GET /protected', () => ClientApi.gateway('THROTTLED'));
    await expect(client.request('GET', '/protected')).rejects.toMatchObject({
      code: 'ERR_HTTP_STATUS',
      status: 429,
      msg: 'Too many requests; slow down',
      retryAfter: 1,
    });
    expect(sleeps).toEqual([1000]);
    expect(api.count('GET /protected')).toBe(2);
  });

  it('never repeats a POST, and does not wait longer than maxDelaySeconds', async () => {
    const { api, client, sleeps } = setup({ retry: { maxDelaySeconds: 0 } });
    await client.login(USER);
    api.script('POST /fresh-login/passkey/options', () => ClientApi.gateway('THROTTLED'));
    await expect(client.request('POST', '/fresh-login/passkey/options')).rejects.toMatchObject({ status: 429 });
    api.script('GET /protected', () => ClientApi.gateway('THROTTLED'));
    await expect(client.request('GET', '/protected')).rejects.toMatchObject({ status: 429, retryAfter: 1 });
    expect(sleeps).toEqual([]);
  });
});

describe('the client’s errors', () => {
  it('is an HttpError with the gateway’s words for an unknown route', async () => {
    const { client } = setup();
    await client.login(USER);
    const error = await client.request('GET', '/nowhere').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ name: 'HttpError', code: 'ERR_HTTP_STATUS', status: 404, msg: 'Not found', message: 'Not found' });
  });

  it('is an HttpError with the handler’s words and Retry-After from the typed routes too', async () => {
    const { api, client } = setup({ retry: { attempts: 0 } });
    await client.login(USER);
    api.script('GET /me', () => ClientApi.error(new StoreUnavailableError(new Error('throttled'))));
    await expect(client.account.get()).rejects.toMatchObject({
      code: 'ERR_HTTP_STATUS',
      status: 503,
      msg: 'Service temporarily unavailable; please retry shortly',
      retryAfter: 1,
    });
  });

  it('is a NetworkError (status 0) when fetch itself fails', async () => {
    const { client } = setup({ fetch: () => Promise.reject(new TypeError('fetch failed')) });
    const error = await client.request('GET', '/protected').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'ERR_NETWORK', status: 0, cause: new TypeError('fetch failed') });
  });

  it('is an UnexpectedAnswerError for a 2xx that is not JSON, or a login answer without tokens (a cookies-only server)', async () => {
    const html = () => Promise.resolve(new Response('<!doctype html>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
    await expect(setup({ fetch: html }).client.request('GET', '/')).rejects.toBeInstanceOf(UnexpectedAnswerError);
    const cookiesOnly = () => Promise.resolve(Response.json({ login: true }));
    await expect(setup({ fetch: cookiesOnly }).client.login(USER)).rejects.toMatchObject({
      code: 'ERR_UNEXPECTED_ANSWER',
      status: 200,
      msg: expect.stringContaining("tokens: 'cookies'"),
    });
  });

  it('is an InvalidArgumentError for what cannot be sent, before anything is sent', async () => {
    const { api, client } = setup();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const call of [
      () => client.request('FETCH' as 'GET', '/protected'),
      () => client.request('GET', 'protected'),
      () => client.request('GET', '//evil.example/x'),
      () => client.request('GET', '/protected', { body: 1 }),
      () => client.request('POST', '/x', circular),
      () => client.sessions.end(''),
      () => client.login({ username: '', password: 'x' }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', status: 0 });
    }
    expect(api.requests).toEqual([]);
  });

  it('never sends the session’s credentials anywhere but the API: client.fetch refuses another URL', async () => {
    const { api, client } = setup();
    await client.login(USER);
    for (const url of [
      'https://evil.example/prod/protected',
      'https://api.example.test/production/protected',
      'https://api.example.test/',
    ]) {
      await expect(client.fetch(new Request(url))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', status: 0 });
    }
    expect(api.requests.map(({ path }) => path)).toEqual(['/login']);
    await expect(client.fetch(new Request(`${BASE}/protected`))).resolves.toMatchObject({ status: 200 });
  });

  it('refuses options it cannot work with, naming the option', () => {
    const bad: [Partial<ClientOptions>, RegExp][] = [
      [{ baseUrl: 'ftp://api.example.test' }, /http or https/],
      [{ baseUrl: '/relative' }, /must be absolute/],
      [{ baseUrl: 'https://api.example.test/?stage=prod' }, /no query/],
      [{ tokens: 'localStorage' as 'memory' }, /tokens must be 'memory' or 'cookies'/],
      [{ retry: { attempts: -1 } }, /retry.attempts/],
      [{ onStepUp: 'yes' as unknown as ClientOptions['onStepUp'] }, /onStepUp must be a function/],
    ];
    for (const [options, message] of bad) {
      expect(() => createClient({ baseUrl: BASE, tokens: 'memory', ...options })).toThrow(InvalidArgumentError);
      expect(() => createClient({ baseUrl: BASE, tokens: 'memory', ...options })).toThrow(message);
    }
  });
});

describe('the client with tokens in cookies', () => {
  /** A recording fetch that answers every request 200 `{}`. */
  function recording() {
    const requests: Request[] = [];
    return {
      requests,
      fetch: (request: Request) => {
        requests.push(request);
        return Promise.resolve(Response.json(request.url.endsWith('/login') ? { login: true } : { msg: 'ok' }));
      },
    };
  }

  it('sends cookies (credentials include) and the access CSRF header on state-changing methods only', async () => {
    const { requests, fetch } = recording();
    const cookies = new Map([
      ['csrf_access_token', 'access-csrf'],
      ['csrf_refresh_token', 'refresh-csrf'],
    ]);
    const client = createClient({ baseUrl: BASE, tokens: 'cookies', fetch, readCookie: (name) => cookies.get(name) });
    await client.request('GET', '/protected');
    await client.request('DELETE', '/sessions/abc');
    await client.request('POST', '/me/passkeys/options');
    expect(requests.map((request) => [request.method, request.credentials, request.headers.get('x-csrf-token')])).toEqual([
      ['GET', 'include', null],
      ['DELETE', 'include', 'access-csrf'],
      ['POST', 'include', 'access-csrf'],
    ]);
    expect(requests.every((request) => request.headers.get('authorization') === null)).toBe(true);
  });

  it('refreshes first, with the refresh CSRF header, when the access CSRF cookie is gone (the access token expired with it)', async () => {
    const { requests, fetch } = recording();
    const cookies = new Map([['csrf_refresh_token', 'refresh-csrf']]);
    const client = createClient({ baseUrl: BASE, tokens: 'cookies', fetch, readCookie: (name) => cookies.get(name) });
    await client.request('GET', '/protected');
    expect(requests.map((request) => [request.method, new URL(request.url).pathname, request.headers.get('x-csrf-token')])).toEqual([
      ['POST', '/prod/refresh', 'refresh-csrf'],
      ['GET', '/prod/protected', null],
    ]);
  });

  /** A client in cookie mode over scripted answers (route → answers, in order), the cookies a map the test changes. */
  function scripted(answers: Record<string, (() => Response)[]>, cookies: Map<string, string>) {
    const signedOut: SignedOutDetail[] = [];
    const client = createClient({
      baseUrl: BASE,
      tokens: 'cookies',
      readCookie: (name) => cookies.get(name),
      fetch: (request) => {
        const route = `${request.method} ${new URL(request.url).pathname.slice(STAGE.length)}`;
        const next = answers[route]?.shift();
        if (!next) throw new Error(`no answer for ${route}`);
        return Promise.resolve(next());
      },
    });
    client.addEventListener('signed-out', (event) => signedOut.push(event.detail));
    return { client, signedOut };
  }

  it('tells a page that never had a session nothing when its first refresh is refused, and rejects as signed out', async () => {
    const { client, signedOut } = scripted(
      {
        'GET /me': [() => ClientApi.gateway('UNAUTHORIZED')],
        'POST /refresh': [() => ClientApi.error(new AuthHeaderError('ERR_AUTH_HEADER_MISSING', 'Missing cookie "refresh_token_cookie"'))],
      },
      new Map(),
    );
    await expect(client.restore()).resolves.toBe(false);
    expect(signedOut).toEqual([]);
  });

  it('signs a page with a session out once when the refresh is refused, and once on logout after the answer deleted the cookies', async () => {
    const cookies = new Map([
      ['csrf_access_token', 'a'],
      ['csrf_refresh_token', 'r'],
    ]);
    const revoked = () => ClientApi.error(new SessionRevokedError('ERR_REFRESH_TOKEN_REVOKED', 'Refresh token has been revoked'));
    const refused = scripted({ 'GET /protected': [() => ClientApi.gateway('UNAUTHORIZED')], 'POST /refresh': [revoked] }, cookies);
    await expect(refused.client.request('GET', '/protected')).rejects.toMatchObject({ code: 'ERR_SIGNED_OUT', status: 401 });
    expect(refused.signedOut).toEqual([{ reason: 'refused', status: 401, msg: 'Refresh token has been revoked' }]);

    const loggedOut = scripted(
      {
        'POST /logout': [
          () => {
            cookies.clear(); // the browser applies the answer's Set-Cookie: Max-Age=0 for all four
            return ClientApi.reply(loggedOutReply({ sub: USER.username }, loadTransportConfig({ TOKEN_LOCATION: 'cookies' })));
          },
        ],
      },
      cookies,
    );
    await loggedOut.client.logout();
    expect(loggedOut.signedOut).toEqual([{ reason: 'logout' }]);
  });

  it('signs out a page whose restore() found the session when another tab logs out first (the cookies gone before it hears)', async () => {
    const cookies = new Map([
      ['csrf_access_token', 'a'],
      ['csrf_refresh_token', 'r'],
    ]);
    const missing = () => ClientApi.error(new AuthHeaderError('ERR_AUTH_HEADER_MISSING', 'Missing cookie "refresh_token_cookie"'));
    const { client, signedOut } = scripted(
      {
        'GET /me': [() => Response.json({ username: USER.username })],
        'GET /protected': [() => ClientApi.gateway('UNAUTHORIZED')],
        'POST /refresh': [missing],
      },
      cookies,
    );
    await expect(client.restore()).resolves.toBe(true);
    cookies.clear(); // another tab's logout: the browser deleted every cookie of the origin
    await expect(client.request('GET', '/protected')).rejects.toMatchObject({ code: 'ERR_SIGNED_OUT', status: 401 });
    // It saw a session (restore's GET /me), so it is told it lost one: once.
    expect(signedOut).toEqual([{ reason: 'refused', status: 401, msg: 'Missing cookie "refresh_token_cookie"' }]);
  });

  it('keeps tokens out of the cookie jar in memory mode (credentials omit)', async () => {
    const api = new ClientApi(STAGE);
    const seen: Request[] = [];
    const watching = createClient({
      baseUrl: BASE,
      tokens: 'memory',
      fetch: (request) => {
        seen.push(request);
        return api.fetch(request);
      },
    });
    await watching.login(USER);
    await watching.request('GET', '/protected');
    expect(seen.map((request) => request.credentials)).toEqual(['omit', 'omit']);
  });
});
