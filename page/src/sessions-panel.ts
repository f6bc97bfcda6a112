import type { Client, SessionView } from 'fresh-token-lambda/client';
import type { ActionRunner } from './action-runner.ts';
import { deviceName } from './device-name.ts';
import { byId } from './dom.ts';
import { say } from './say.ts';
import { fromNow } from './times.ts';

/** Step 5, "Your sessions": the user's sessions, each device by a short name, and ending the others (a fresh-only route). */
export class SessionsPanel {
  private readonly table = byId('sessions', HTMLTableElement);
  private readonly result = byId('sessions-result', HTMLElement);
  private readonly resultRaw = byId('sessions-result-raw', HTMLDetailsElement);

  constructor(
    private readonly client: Client,
    private readonly runner: ActionRunner,
  ) {
    const listing = {
      where: this.result,
      need: 'listing your sessions',
      cancelled: 'Cancelled: no list of sessions.',
      refused: (msg: string) => `Refused: no list of sessions (${msg}).`,
    };
    byId('load-sessions', HTMLButtonElement).addEventListener('click', () => void this.runner.run(listing, () => this.load()));
  }

  /** Hides the list (signed out). */
  clear(): void {
    this.table.hidden = true;
  }

  private async load(): Promise<void> {
    this.table.setAttribute('aria-busy', 'true');
    try {
      const { sessions } = await this.client.sessions.list();
      this.result.hidden = true;
      this.resultRaw.hidden = true;
      const body = this.table.tBodies[0];
      body?.replaceChildren(...sessions.map((session) => this.row(session)));
      this.table.hidden = false;
    } finally {
      this.table.setAttribute('aria-busy', 'false');
    }
  }

  private row(session: SessionView): HTMLTableRowElement {
    const row = document.createElement('tr');
    const device = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = deviceName(session.user_agent);
    const full = document.createElement('span');
    full.textContent = ` ${session.user_agent || 'no user agent'} · ${session.ip || 'unknown address'}`;
    device.append(summary, full);
    const now = Date.now();
    const signedIn = fromNow(Date.parse(session.created_at) / 1000, now);
    cell(row, device);
    cell(row, signedIn);
    cell(row, fromNow(Date.parse(session.last_used_at) / 1000, now));
    if (session.current) {
      cell(row, 'this one', 'end');
    } else {
      const end = document.createElement('button');
      end.type = 'button';
      end.className = 'secondary';
      end.textContent = 'End';
      end.setAttribute('aria-label', `End the session of ${summary.textContent}, signed in ${signedIn}`);
      end.addEventListener('click', () => void this.end(session));
      cell(row, end, 'end');
    }
    return row;
  }

  private end(session: SessionView): Promise<void> {
    const ending = {
      where: this.result,
      need: 'ending another session',
      cancelled: 'Cancelled: the session was not ended (that needs a fresh token).',
      refused: (msg: string) => `Could not end it: ${msg}`,
    };
    return this.runner.run(ending, async () => {
      await this.client.sessions.end(session.id);
      await this.load();
      say(this.result, 'Session ended.', true);
    });
  }
}

function cell(row: HTMLTableRowElement, content: string | Node, className?: string): void {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.append(content);
  row.append(td);
}
