import type { Account, Client } from 'fresh-token-lambda/client';
import type { AnswerLog } from './answer-log.ts';
import { byId } from './dom.ts';
import { clockTime, duration, fromNow } from './times.ts';

/** The `acr` of a passkey (phishing-resistant) authentication, as GET /me reports it. */
const PASSKEY_ACR = 'urn:fresh-token:acr:phr';

/**
 * Step 2, "Your access token", and the status bar's badge: the token as `GET /me` describes it, as a
 * person reads it ("Fresh for 4 more minutes", "Signed in 12 minutes ago", "Expires at 16:40"),
 * told again every second; the raw answer behind a disclosure.
 */
export class TokenCard {
  private readonly who = byId('who', HTMLElement);
  private readonly badge = byId('fresh-badge', HTMLElement);
  private readonly freshness = byId('freshness', HTMLElement);
  private readonly signedInAt = byId('signed-in-at', HTMLElement);
  private readonly expires = byId('expires', HTMLElement);
  private readonly claims = byId('claims', HTMLElement);
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Where the answer log was when the card last asked /me. */
  private shownAt = -1;

  constructor(
    private readonly client: Client,
    private readonly answers: AnswerLog,
  ) {}

  /** Asks `GET /me` and shows the token; false when there is no session to ask with. */
  async load(): Promise<boolean> {
    let me: Account;
    try {
      me = await this.client.account.get();
    } catch {
      return false;
    }
    this.show(me);
    return true;
  }

  /** Asks again if the session's token changed since the card last asked (a refresh or a step-up). */
  async loadIfChanged(): Promise<void> {
    if (this.answers.tokenChangedSince(this.shownAt)) await this.load();
  }

  /** Shows `me`, the answer of a `GET /me` that just came (after every change of the token before it). */
  show(me: Account): void {
    this.shownAt = this.answers.mark();
    this.who.textContent = me.username;
    this.claims.textContent = JSON.stringify(me, null, 2);
    this.expires.textContent = me.expires_at ? `Expires at ${clockTime(me.expires_at, Date.now())}` : '';
    const render = (): void => {
      const now = Date.now();
      this.signedInAt.textContent = me.auth_time ? `Signed in ${fromNow(me.auth_time, now)}` : 'Signed in earlier';
      if (me.fresh_until) {
        const left = Math.max(0, Math.round(me.fresh_until - now / 1000));
        this.setBadge(left > 0);
        this.freshness.textContent = left > 0 ? `Fresh for ${duration(left)}.` : 'No longer fresh: critical actions ask for your password.';
      } else {
        this.setBadge(me.fresh);
        this.freshness.textContent = me.fresh
          ? `Fresh: you proved ${me.acr === PASSKEY_ACR ? 'it with a passkey' : 'your password'} for this token.`
          : 'Not fresh: it came from a refresh. Critical actions ask for your password.';
      }
    };
    this.clear();
    render();
    this.timer = setInterval(render, 1000);
  }

  /** Stops telling the time (signed out). */
  clear(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private setBadge(fresh: boolean): void {
    this.badge.textContent = fresh ? 'Fresh' : 'Not fresh';
    this.badge.className = `badge ${fresh ? 'fresh' : 'stale'}`;
  }
}
