/**
 * How the tabs of one origin agree on one session: the Web Locks API serialises every change of
 * the session (a refresh above all) across tabs, and BroadcastChannel carries the result to the
 * others. Where either is missing (Node, old browsers) or the app says so, a client coordinates
 * with itself only: one change at a time within the process.
 *
 * Memory mode also needs to know, at the moment a tab is granted the lock, whether another tab
 * already rotated the refresh token it holds: the message saying so may still be on its way (lock
 * grants and messages are not ordered with each other). So each tab holding a session also holds
 * a shared "marker" lock named after the session's generation, taken after the message is posted
 * and before the lock is released; `navigator.locks.query()` (answered by the same lock manager
 * that grants the lock) then shows a newer generation, and the tab waits for its message instead
 * of presenting a spent token. A tab that saw the session end (a refused refresh, a logout) holds
 * an "ended" marker the same way, so no other tab presents the dead token again (cookie mode
 * names the session by its refresh CSRF value, which changes with every login and rotation).
 */
import type { SignedOutDetail } from './types.ts';

/** A session's tokens as the tabs share them (memory mode only; never stored). */
export interface SharedSession {
  /** Names one login: tabs adopt another login's session whatever its generation. */
  readonly loginId: string;
  /** Counts the changes of this login's tokens (refreshes, fresh logins), in lock order. */
  readonly seq: number;
  readonly access: string;
  readonly refresh: string;
  readonly username: string | undefined;
}

/** What a tab tells the others. */
export type TabMessage =
  | { readonly type: 'session'; readonly session: SharedSession }
  | { readonly type: 'signed-in'; readonly username: string | undefined }
  | { readonly type: 'signed-out'; readonly detail: SignedOutDetail; readonly loginId: string | undefined }
  | { readonly type: 'hello' };

export interface Coordinator {
  /** True when other tabs take part (Web Locks and BroadcastChannel in use). */
  readonly crossTab: boolean;
  /** Runs `task` while no other tab, and no other task of this client, changes the session. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  publish(message: TabMessage): void;
  onMessage(handler: (message: TabMessage) => void): void;
  /**
   * What the tabs know of the session `key` names (memory mode: its login; cookie mode: the refresh
   * CSRF value): the newest generation a tab holds, and whether a tab saw it end (a refused
   * refresh, a logout), read from the marker locks.
   */
  markers(key: string): Promise<{ readonly newest: number | undefined; readonly ended: boolean }>;
  /** Whether any tab of the origin holds a session (memory mode). */
  anySession(): Promise<boolean>;
  /** This tab now holds generation `seq` of `key`, or saw `key` end, or nothing: the previous marker is let go. */
  hold(marker: { readonly key: string; readonly seq: number } | { readonly key: string; readonly ended: true } | undefined): Promise<void>;
  close(): void;
}

/** The part of the Web Locks API the client uses. */
interface Locks {
  request<T>(name: string, options: { mode: 'exclusive' | 'shared' }, callback: () => Promise<T>): Promise<T>;
  query(): Promise<{ held?: readonly { name?: string }[] }>;
}

/** The part of BroadcastChannel the client uses. */
interface Channel {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

type ChannelConstructor = new (name: string) => Channel;

/** Web Locks and BroadcastChannel, when this global scope has both. */
function platform(): { locks: Locks; Channel: ChannelConstructor } | undefined {
  const scope = globalThis as { navigator?: { locks?: Locks }; BroadcastChannel?: ChannelConstructor };
  const locks = scope.navigator?.locks;
  const Channel = scope.BroadcastChannel;
  return locks && typeof locks.request === 'function' && typeof Channel === 'function' ? { locks, Channel } : undefined;
}

/** Whether `value` is a message of this protocol (another version of the client may share the channel). */
function isTabMessage(value: unknown): value is TabMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'hello':
      return true;
    case 'signed-in':
      return message.username === undefined || typeof message.username === 'string';
    case 'signed-out': {
      const detail = message.detail as Record<string, unknown> | null;
      return (
        typeof detail === 'object' &&
        detail !== null &&
        (detail.reason === 'refused' || detail.reason === 'logout') &&
        (message.loginId === undefined || typeof message.loginId === 'string')
      );
    }
    case 'session': {
      const session = message.session as Record<string, unknown> | null;
      return (
        typeof session === 'object' &&
        session !== null &&
        typeof session.loginId === 'string' &&
        Number.isSafeInteger(session.seq) &&
        typeof session.access === 'string' &&
        typeof session.refresh === 'string' &&
        (session.username === undefined || typeof session.username === 'string')
      );
    }
    default:
      return false;
  }
}

/** One change at a time within this process: a promise chain. */
function localMutex(): Coordinator['exclusive'] {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * The coordinator for the API at `baseUrl` (absolute): across tabs when `crossTab` allows it and
 * the platform has Web Locks and BroadcastChannel (by default only in a page), else in-process.
 */
export function createCoordinator(baseUrl: string, crossTab: boolean | undefined): Coordinator {
  const found = platform();
  const inPage = typeof (globalThis as { document?: unknown }).document === 'object';
  if (!found || crossTab === false || (crossTab === undefined && !inPage)) {
    return {
      crossTab: false,
      exclusive: localMutex(),
      publish: () => undefined,
      onMessage: () => undefined,
      markers: () => Promise.resolve({ newest: undefined, ended: false }),
      anySession: () => Promise.resolve(false),
      hold: () => Promise.resolve(),
      close: () => undefined,
    };
  }
  const { locks, Channel } = found;
  const prefix = `fresh-token-lambda ${baseUrl}`;
  const markerPrefix = `${prefix} session `;
  const channel = new Channel(prefix);
  const handlers: ((message: TabMessage) => void)[] = [];
  channel.onmessage = (event) => {
    if (isTabMessage(event.data)) for (const handler of handlers) handler(event.data);
  };
  let letGo: (() => void) | undefined;
  // Marker changes one after another, so a marker granted late is never left held.
  let markers: Promise<void> = Promise.resolve();

  const endedPrefix = `${prefix} ended `;
  /** The marker locks held now: generations (`session <key> <seq>`) and ends (`ended <key>`). */
  type Marker = { key: string; seq: number | 'ended' };
  const heldMarkers = async (): Promise<Marker[]> => {
    const { held = [] } = await locks.query();
    return held.flatMap(({ name }): Marker[] => {
      if (name?.startsWith(endedPrefix)) return [{ key: name.slice(endedPrefix.length), seq: 'ended' }];
      if (!name?.startsWith(markerPrefix)) return [];
      const rest = name.slice(markerPrefix.length);
      const at = rest.lastIndexOf(' ');
      const seq = rest.slice(at + 1);
      return at > 0 && /^\d+$/.test(seq) ? [{ key: rest.slice(0, at), seq: Number(seq) }] : [];
    });
  };

  return {
    crossTab: true,
    exclusive: (task) => locks.request(`${prefix} refresh`, { mode: 'exclusive' }, task),
    publish: (message) => channel.postMessage(message),
    onMessage: (handler) => void handlers.push(handler),
    markers: async (key) => {
      const mine = (await heldMarkers()).filter((marker) => marker.key === key);
      const seqs = mine.flatMap(({ seq }) => (seq === 'ended' ? [] : [seq]));
      return { newest: seqs.length === 0 ? undefined : Math.max(...seqs), ended: mine.some(({ seq }) => seq === 'ended') };
    },
    anySession: async () => (await heldMarkers()).some(({ seq }) => seq !== 'ended'),
    hold: (marker) =>
      (markers = markers.then(async () => {
        letGo?.();
        letGo = undefined;
        if (!marker) return;
        const name = 'ended' in marker ? `${endedPrefix}${marker.key}` : `${markerPrefix}${marker.key} ${marker.seq}`;
        // Held until the next marker replaces it (or the tab goes): granted at once, as no one asks for it exclusively.
        await new Promise<void>((granted) => {
          void locks.request(name, { mode: 'shared' }, () => {
            granted();
            return new Promise<void>((release) => (letGo = release));
          });
        });
      })),
    close: () => {
      letGo?.();
      channel.onmessage = null;
      channel.close();
    },
  };
}
