/**
 * The session: where its tokens are, and every change of it (login, refresh, step-up's fresh
 * login, logout), each made alone among the tabs (see cross-tab.ts) and told to the others.
 *
 * Memory mode holds the tokens in this object only. Cookie mode holds nothing: the browser keeps
 * the HttpOnly cookies, and the readable CSRF cookies say what the client needs to know (the
 * refresh CSRF value changes with every rotation; the access one goes when the access token does).
 */
import { readTokenClaims } from './access-token.ts';
import type { Coordinator, SharedSession, TabMessage } from './cross-tab.ts';
import { ClientError, HttpError, SignedOutError, StepUpFailedError, UnexpectedAnswerError } from './errors.ts';
import { readRetryAfter } from './retry-after.ts';
import type { AuthenticationCredentialJSON, CsrfNames, SignedOutDetail, TokenLocation } from './types.ts';

export interface SessionDeps {
  /** Absolute, without a trailing slash. */
  readonly baseUrl: string;
  readonly tokens: TokenLocation;
  /** The platform's fetch; rejects with `NetworkError` when no answer came. */
  readonly fetch: (request: Request) => Promise<Response>;
  readonly now: () => number;
  readonly readCookie: (name: string) => string | undefined;
  readonly csrf: CsrfNames;
  readonly leewaySeconds: number;
  readonly coordinator: Coordinator;
  readonly events: EventTarget;
}

/** What a request was sent with, to tell afterwards whether the session changed since. */
export type SessionMark = { readonly loginId: string; readonly seq: number } | { readonly refreshCsrf: string | undefined } | undefined;

/** The memory-mode session as this tab holds it. */
interface Held extends SharedSession {
  readonly exp: number;
  /** This tab's clock minus the server's, measured on the access token's `iat` when it arrived. */
  readonly offsetMs: number;
}

/** A proof for `POST /login` or `POST /fresh-login`. */
export type Proof = { readonly username: string; readonly password: string } | { readonly passkey: AuthenticationCredentialJSON };

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The `msg` of an error answer, or its status line when it has none. */
export async function answerMsg(response: Response): Promise<string> {
  try {
    const body = (await response.clone().json()) as unknown;
    if (typeof body === 'object' && body !== null && typeof (body as { msg?: unknown }).msg === 'string')
      return (body as { msg: string }).msg;
  } catch {
    // not JSON
  }
  return response.statusText || `HTTP ${response.status}`;
}

/** The typed error of a non-2xx answer. */
export async function httpError(response: Response, now: () => number): Promise<HttpError> {
  return new HttpError(response.status, await answerMsg(response), readRetryAfter(response.headers.get('Retry-After'), now()));
}

/** Random, for naming one login among the tabs (works where `crypto.randomUUID` does not: http pages). */
function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The session of one client. */
export class Session {
  private current: Held | undefined;
  /** Cookie mode: signed out as far as this client knows (a logout, a refused refresh). */
  private cookieSignedOut = false;
  private cookieUsername: string | undefined;
  /** Cookie mode: this client has seen the session (a login, a refresh, another tab's login). */
  private cookieSeen = false;
  private flight: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();
  /** Why this client was last signed out, for the errors of calls made after. */
  private lastSignOut: SignedOutDetail | undefined;

  constructor(private readonly deps: SessionDeps) {
    deps.coordinator.onMessage((message) => void this.receive(message));
  }

  /** `omit` in memory mode (no cookie is ever sent or stored), `include` with cookies. */
  get credentialsMode(): RequestCredentials {
    return this.deps.tokens === 'memory' ? 'omit' : 'include';
  }

  /** True when there is a session to act with (cookie mode: unless it is known to have ended). */
  signedIn(): boolean {
    return this.deps.tokens === 'memory' ? this.current !== undefined : !this.cookieSignedOut;
  }

  /** The error of a call that needs a session when there is none: the last sign-out's status and words. */
  signedOutError(): SignedOutError {
    return new SignedOutError(this.lastSignOut?.status ?? 0, this.lastSignOut?.msg ?? 'Not signed in');
  }

  /**
   * What names this session among the tabs: memory mode its login, cookie mode the refresh CSRF
   * value (new with every login and rotation); undefined without a session.
   */
  private sessionKey(): string | undefined {
    if (this.deps.tokens === 'memory') return this.current?.loginId;
    return this.cookieSignedOut ? undefined : this.deps.readCookie(this.deps.csrf.refreshCookie);
  }

  /** The user, when known without asking the server. */
  username(): string | undefined {
    return this.deps.tokens === 'memory' ? this.current?.username : this.cookieUsername;
  }

  /** What a request is sent with now, for `refresh` to tell whether someone refreshed since. */
  mark(): SessionMark {
    if (this.deps.tokens === 'cookies') return { refreshCsrf: this.deps.readCookie(this.deps.csrf.refreshCookie) };
    return this.current && { loginId: this.current.loginId, seq: this.current.seq };
  }

  private changedSince(mark: SessionMark): boolean {
    if (mark !== undefined && 'refreshCsrf' in mark) return this.deps.readCookie(this.deps.csrf.refreshCookie) !== mark.refreshCsrf;
    if (mark === undefined) return this.current !== undefined;
    return this.current === undefined || this.current.loginId !== mark.loginId || this.current.seq > mark.seq;
  }

  /** The headers that authenticate a request of `method` to an API route. */
  credentials(method: string): Record<string, string> {
    if (this.deps.tokens === 'memory') return this.current ? { Authorization: `Bearer ${this.current.access}` } : {};
    const csrf = STATE_CHANGING.has(method) ? this.deps.readCookie(this.deps.csrf.accessCookie) : undefined;
    return csrf === undefined ? {} : { [this.deps.csrf.accessHeader]: csrf };
  }

  /**
   * Whether the access token has expired (or will within the leeway): memory mode reads `exp` on the
   * server's clock; cookie mode sees the access CSRF cookie gone (it lives as long as the token)
   * while the refresh one is there.
   */
  accessExpired(): boolean {
    const { deps } = this;
    if (deps.tokens === 'cookies') {
      return deps.readCookie(deps.csrf.refreshCookie) !== undefined && deps.readCookie(deps.csrf.accessCookie) === undefined;
    }
    if (!this.current) return false;
    return deps.now() - this.current.offsetMs >= (this.current.exp - deps.leewaySeconds) * 1000;
  }

  /**
   * Refreshes the session once, for every caller that saw it as `mark`: calls in flight share one
   * refresh; a refresh another tab (or an earlier flight) made since is taken instead of made again.
   * Error codes: ERR_SIGNED_OUT (refused: every tab is signed out), ERR_HTTP_STATUS (a 5xx or 429:
   * the session is kept), ERR_NETWORK, ERR_UNEXPECTED_ANSWER.
   */
  refresh(mark: SessionMark): Promise<void> {
    this.flight ??= this.deps.coordinator
      .exclusive(() => this.refreshAlone(mark))
      .finally(() => {
        this.flight = undefined;
      });
    return this.flight;
  }

  private async refreshAlone(mark: SessionMark): Promise<void> {
    if (this.changedSince(mark)) return;
    await this.catchUp();
    if (this.changedSince(mark)) return;
    if (!this.signedIn()) throw this.signedOutError();
    if (this.deps.tokens === 'memory') {
      const held = this.current!;
      const response = await this.post('/refresh', undefined, { Authorization: `Bearer ${held.refresh}` });
      if (!response.ok) return this.refused(response);
      const { access_token, refresh_token } = await this.tokensOf(response);
      if (refresh_token === undefined) throw new UnexpectedAnswerError(response.status, 'The refresh answer carries no refresh token');
      await this.adopt({ ...held, seq: held.seq + 1, access: access_token, refresh: refresh_token }, true);
      return;
    }
    const response = await this.post('/refresh', undefined, this.refreshCsrfHeader());
    if (!response.ok) return this.refused(response);
    this.cookieSeen = true;
  }

  /** A refresh that did not succeed: a refusal ends the session everywhere; anything else is passed on. */
  private async refused(response: Response): Promise<never> {
    if (response.status === 400 || response.status === 401) {
      const msg = await answerMsg(response);
      await this.end({ reason: 'refused', status: response.status, msg });
      throw new SignedOutError(response.status, msg);
    }
    throw await httpError(response, this.deps.now);
  }

  /**
   * Holding the lock: if another tab holds a newer generation of this session, or saw it end, waits
   * for that tab's message (posted before its marker was taken) instead of presenting a refresh
   * token that is spent or dead.
   */
  private async catchUp(): Promise<void> {
    const { coordinator } = this.deps;
    const key = this.sessionKey();
    if (!coordinator.crossTab || key === undefined) return;
    const seq = this.current?.seq ?? 0;
    const known = await coordinator.markers(key);
    if (!known.ended && (known.newest === undefined || known.newest <= seq)) return;
    const target = known.ended ? Number.POSITIVE_INFINITY : known.newest!;
    await this.waitUntil(
      () => this.sessionKey() !== key || (this.current?.seq ?? 0) >= target,
      async () => {
        const now = await coordinator.markers(key);
        return known.ended ? !now.ended : (now.newest ?? 0) < target;
      },
    );
  }

  /**
   * Resolves once `done()` holds after a change of the session, or once `gone()` says the tab that
   * had what it waits for went away without telling (checked now and then, as a tab may close).
   */
  private async waitUntil(done: () => boolean, gone: () => Promise<boolean>): Promise<void> {
    let finished = false;
    await new Promise<void>((resolve) => {
      const check = () => {
        if (!finished && done()) {
          finished = true;
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
      check();
      const poll = async () => {
        while (!finished) {
          await new Promise((wake) => setTimeout(wake, 250));
          if (!finished && (await gone())) {
            finished = true;
            this.waiters.delete(check);
            resolve();
          }
        }
      };
      void poll();
    });
  }

  /** Logs in (password or passkey): a new session, in every tab. Error codes: ERR_HTTP_STATUS, ERR_NETWORK, ERR_UNEXPECTED_ANSWER. */
  login(proof: Proof): Promise<void> {
    return this.deps.coordinator.exclusive(async () => {
      const response = await this.post('/login', proof, {});
      if (!response.ok) throw await httpError(response, this.deps.now);
      const username = 'username' in proof ? proof.username : undefined;
      if (this.deps.tokens === 'memory') {
        const { access_token, refresh_token } = await this.tokensOf(response);
        if (refresh_token === undefined) throw new UnexpectedAnswerError(response.status, 'The login answer carries no refresh token');
        const session = { loginId: randomId(), seq: 0, access: access_token, refresh: refresh_token };
        await this.adopt({ ...session, username: readTokenClaims(access_token)?.sub ?? username }, true);
      } else {
        this.cookieSignedOut = false;
        this.cookieSeen = true;
        this.cookieUsername = username;
        this.lastSignOut = undefined;
        this.deps.coordinator.publish({ type: 'signed-in', username });
        await this.deps.coordinator.hold(undefined);
      }
      this.deps.events.dispatchEvent(new CustomEvent('signed-in', { detail: { username: this.username() } }));
    });
  }

  /**
   * Proves the user again (step-up): `POST /fresh-login` within this session (its refresh token, or
   * the browser's refresh cookie), and takes the fresh access token, in every tab.
   * Error codes: ERR_STEP_UP_FAILED (the proof was refused), ERR_SIGNED_OUT, ERR_NETWORK.
   */
  freshLogin(proof: Proof): Promise<void> {
    return this.deps.coordinator.exclusive(async () => {
      if (this.deps.tokens === 'cookies') {
        const response = await this.post('/fresh-login', proof, {});
        if (!response.ok) throw new StepUpFailedError(response.status, await answerMsg(response));
        return;
      }
      await this.catchUp();
      const held = this.current;
      if (!held) throw this.signedOutError();
      const response = await this.post('/fresh-login', proof, { Authorization: `Bearer ${held.refresh}` });
      if (!response.ok) throw new StepUpFailedError(response.status, await answerMsg(response));
      const { access_token } = await this.tokensOf(response);
      await this.adopt({ ...held, seq: held.seq + 1, access: access_token }, true);
    });
  }

  /**
   * Ends the session on the server and in every tab. Signs out here whatever the server says; rejects
   * afterwards if the server could not be told (ERR_HTTP_STATUS, ERR_NETWORK), as the session may live on there.
   */
  logout(): Promise<void> {
    return this.deps.coordinator.exclusive(async () => {
      const held = this.current;
      // Before the answer deletes the cookies, what names the session and whether there was one.
      const key = this.sessionKey();
      const had = this.hadSession();
      let failure: ClientError | undefined;
      if (this.deps.tokens === 'cookies' || held) {
        try {
          const auth = held ? { Authorization: `Bearer ${held.refresh}` } : this.refreshCsrfHeader();
          const response = await this.post('/logout', undefined, auth);
          // 401: the session had already ended.
          if (!response.ok && response.status !== 401) failure = await httpError(response, this.deps.now);
        } catch (err) {
          if (!(err instanceof ClientError)) throw err;
          failure = err;
        }
      }
      await this.end({ reason: 'logout' }, key, had);
      if (failure) throw failure;
    });
  }

  /** Memory mode: asks the other tabs for the session they hold. Resolves to whether this tab now has one. */
  async restore(): Promise<boolean> {
    const { coordinator } = this.deps;
    if (this.current) return true;
    if (!coordinator.crossTab || !(await coordinator.anySession())) return false;
    coordinator.publish({ type: 'hello' });
    await this.waitUntil(
      () => this.current !== undefined,
      async () => !(await coordinator.anySession()),
    );
    return this.current !== undefined;
  }

  /**
   * Signs out here and tells the other tabs; `signed-out` once, if this tab was signed in. The
   * message goes first, then the "ended" marker (see cross-tab.ts), both before the lock is let go.
   */
  private async end(detail: SignedOutDetail, key = this.sessionKey(), was = this.hadSession()): Promise<void> {
    this.deps.coordinator.publish({ type: 'signed-out', detail, loginId: this.current?.loginId });
    await this.signOutHere(detail, key, was);
  }

  /**
   * Cookie mode: the server answered for the session (restore's `GET /me`), so this client has one
   * to lose: a logout in another tab, which deletes the cookies before this tab hears of it, still
   * signs it out with `signed-out`.
   */
  sawSession(): void {
    if (this.deps.tokens === 'cookies' && !this.cookieSignedOut) this.cookieSeen = true;
  }

  /**
   * Whether this client had a session as far as anyone can tell. Cookie mode: it saw one, or the
   * refresh CSRF cookie says so (a page loaded with no session at all, refused at its first
   * refresh, was never signed in, and is told nothing).
   */
  private hadSession(): boolean {
    if (this.deps.tokens === 'memory') return this.current !== undefined;
    return !this.cookieSignedOut && (this.cookieSeen || this.deps.readCookie(this.deps.csrf.refreshCookie) !== undefined);
  }

  /** `endedKey`: this tab saw that session end, and marks it so for the others; `was`: it had one (dispatch). */
  private async signOutHere(detail: SignedOutDetail, endedKey?: string, was = this.hadSession()): Promise<void> {
    this.lastSignOut = detail;
    this.current = undefined;
    if (this.deps.tokens === 'cookies') {
      this.cookieSignedOut = true;
      this.cookieSeen = false;
      this.cookieUsername = undefined;
    }
    this.changed();
    await this.deps.coordinator.hold(endedKey === undefined ? undefined : { key: endedKey, ended: true });
    if (was) this.deps.events.dispatchEvent(new CustomEvent('signed-out', { detail }));
  }

  /** Takes `session` as this tab's; `publish`: it is new, so tell the other tabs (before taking its marker). */
  private async adopt(session: SharedSession, publish: boolean): Promise<void> {
    const claims = readTokenClaims(session.access);
    const offsetMs = claims?.iat === undefined ? 0 : this.deps.now() - claims.iat * 1000;
    const { loginId, seq, access, refresh, username } = session;
    this.current = { loginId, seq, access, refresh, username, exp: claims?.exp ?? 0, offsetMs };
    this.lastSignOut = undefined;
    this.changed();
    if (publish) this.deps.coordinator.publish({ type: 'session', session: { loginId, seq, access, refresh, username } });
    await this.deps.coordinator.hold({ key: loginId, seq });
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private async receive(message: TabMessage): Promise<void> {
    const memory = this.deps.tokens === 'memory';
    switch (message.type) {
      case 'hello':
        if (memory && this.current) {
          const { loginId, seq, access, refresh, username } = this.current;
          this.deps.coordinator.publish({ type: 'session', session: { loginId, seq, access, refresh, username } });
        }
        return;
      case 'session': {
        if (!memory) return;
        const { session } = message;
        const held = this.current;
        if (held && held.loginId === session.loginId && held.seq >= session.seq) return;
        await this.adopt(session, false);
        if (held?.loginId !== session.loginId) {
          this.deps.events.dispatchEvent(new CustomEvent('signed-in', { detail: { username: session.username } }));
        }
        return;
      }
      case 'signed-in':
        if (memory) return;
        this.cookieSignedOut = false;
        this.cookieSeen = true;
        this.cookieUsername = message.username;
        this.lastSignOut = undefined;
        await this.deps.coordinator.hold(undefined);
        this.deps.events.dispatchEvent(new CustomEvent('signed-in', { detail: { username: message.username } }));
        return;
      case 'signed-out':
        // A sign-out of another login than the one this tab holds is not this tab's.
        if (memory && (this.current === undefined || (message.loginId !== undefined && message.loginId !== this.current.loginId))) return;
        await this.signOutHere(message.detail);
        return;
    }
  }

  /** The refresh CSRF header (cookie mode), when the cookie can be read. */
  private refreshCsrfHeader(): Record<string, string> {
    const csrf = this.deps.readCookie(this.deps.csrf.refreshCookie);
    return csrf === undefined ? {} : { [this.deps.csrf.refreshHeader]: csrf };
  }

  /** A POST to one of the session routes, outside the refresh and step-up logic. */
  private post(path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
    const init: RequestInit = { method: 'POST', headers: { ...headers }, credentials: this.credentialsMode };
    if (body !== undefined) {
      init.headers = { ...headers, 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    return this.deps.fetch(new Request(`${this.deps.baseUrl}${path}`, init));
  }

  /** The tokens of a 2xx answer in memory mode (a cookies-only server sends none: say so). */
  private async tokensOf(response: Response): Promise<{ access_token: string; refresh_token: string | undefined }> {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new UnexpectedAnswerError(response.status, 'The answer is not JSON');
    }
    const { access_token, refresh_token } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof access_token !== 'string') {
      throw new UnexpectedAnswerError(
        response.status,
        "The answer carries no access token: the server keeps tokens in cookies (use tokens: 'cookies')",
      );
    }
    return { access_token, refresh_token: typeof refresh_token === 'string' ? refresh_token : undefined };
  }
}
