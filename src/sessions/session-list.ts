/**
 * The sessions a user can see and end (GET /sessions, DELETE /sessions/{id}, DELETE /sessions).
 * A session is a refresh-token family; its id is the family id, the `fam` claim of its refresh
 * tokens and the `sid` claim of the access tokens issued with them.
 */
import { BadQueryError, SessionNotFoundError } from '../errors/errors';
import { nowSeconds } from '../platform/clock';
import { accountFor, readableAccount, writeRefusal } from '../users/account-writes';
import type { SinceMs, UserStore } from '../users/user-store';
import { accountWriter } from './account-writer';
import type { FamilyCursor, FamilyStore, FamilySummary } from './family-store';

/** The stores the session routes use (no keys: the authorizer has checked the token). */
export interface SessionListDeps {
  readonly users: UserStore;
  readonly families: FamilyStore;
}

/** Sessions per listing page. */
export const SESSIONS_PAGE_SIZE = 100;

/** One session as its owner sees it. Times are epoch seconds. */
export interface SessionView {
  readonly id: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
  /** Source IP and user agent of the last login or refresh (absent for sessions older than their recording). */
  readonly ip?: string;
  readonly userAgent?: string;
  /** The session of the token that asked. */
  readonly current: boolean;
}

/** The caller, as the authorizer told it. */
export interface SessionOwner {
  readonly username: string;
  readonly sessionId?: string;
  /** The token's `iat`: an account made after it is not the token's (`readableAccount`). */
  readonly issuedAt?: number;
}

/**
 * The caller's live sessions, newest login first, a page at a time; `next` continues the listing.
 * A user with no row (a flask-jwt-extended user not migrated yet) sees the sessions of the name; an
 * account shows them only to a token of it (`readableAccount`).
 * Error codes: ERR_QUERY_INVALID (a cursor this route did not hand out), ERR_SESSION_ENDED,
 * ERR_STORE_UNAVAILABLE.
 */
export async function listSessions(
  deps: SessionListDeps,
  owner: SessionOwner,
  cursor: string | undefined,
): Promise<{ sessions: SessionView[]; next?: string }> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const user = await deps.users.findUser(owner.username);
  const clockMs = user ? readableAccount(user, owner.issuedAt).sessionsValidAfter : 0;
  const { families, more } = await deps.families.listLive(owner.username, {
    limit: SESSIONS_PAGE_SIZE,
    now: nowSeconds(),
    loggedInAfterMs: clockMs,
    ...(after ? { after } : {}),
  });
  const sessions = families.map((family) => toView(family, owner.sessionId));
  const last = families.at(-1);
  return more && last ? { sessions, next: encodeCursor(last) } : { sessions };
}

/**
 * DELETE /sessions/{id} (`sessionId`) or DELETE /sessions (none) for the caller, whose account must
 * take its writes (`src/users/account-writes.ts`): a disabled, deleted or re-made account ends nothing.
 * Returns how many sessions a sign-out everywhere marked. Error codes: those of `endSession` and
 * `endAllSessions`, ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED.
 */
export async function endCallerSessions(
  deps: SessionListDeps,
  caller: SessionOwner,
  sessionId: string | undefined,
): Promise<number | undefined> {
  const { username, sinceMs } = await accountWriter(deps.families, caller);
  if (sessionId === undefined) return endAllSessions(deps, username, sinceMs);
  await endSession(deps, username, sessionId, sinceMs);
  return undefined;
}

/**
 * Ends one of the caller's live sessions; with `since`, only while the account takes writes from
 * that login (checked by a read: ending a session only takes access away, so a disable racing it
 * loses nothing). Error codes: ERR_SESSION_NOT_FOUND (not one of them, whoever's it may be),
 * ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED, ERR_STORE_UNAVAILABLE.
 */
export async function endSession(deps: SessionListDeps, username: string, sessionId: string, since?: SinceMs): Promise<void> {
  // Family ids are UUIDs (`legacy-` and a jti for a Flask token's): anything else is no session.
  if (sessionId.length === 0 || sessionId.length > 128) throw new SessionNotFoundError();
  const clockMs =
    since === undefined
      ? await revocationClock(deps, username)
      : (await accountFor(deps.users, { username, sinceMs: since })).sessionsValidAfter;
  if (!(await deps.families.end(sessionId, username, nowSeconds(), clockMs))) throw new SessionNotFoundError();
}

/**
 * Ends every session of the user, the caller's own too: the revocation clock moves first, which
 * alone makes every refresh token of an earlier login fail; the families are then marked, so the
 * list shows none. With `since`, the clock moves only while the account takes writes from that
 * login, and nothing is marked otherwise. Returns how many were marked.
 * Error codes: ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED (with `since`), ERR_STORE_UNAVAILABLE.
 */
export async function endAllSessions(deps: SessionListDeps, username: string, since?: SinceMs): Promise<number> {
  if (!(await deps.users.endSessionsBefore(username, Date.now(), since)) && since !== undefined) {
    // Not moved: refused, or a clock already later (another sign-out), which is fine.
    const refusal = await writeRefusal(deps.users, { username, sinceMs: since });
    if (refusal) throw refusal;
  }
  return deps.families.revokeAllOfUser(username, 'ended-by-user', nowSeconds());
}

/** The user's revocation clock (ms); 0 for a user who no longer exists (no family of theirs can rotate anyway). */
async function revocationClock(deps: SessionListDeps, username: string): Promise<number> {
  return (await deps.users.findUser(username))?.sessionsValidAfter ?? 0;
}

function toView(family: FamilySummary, currentId: string | undefined): SessionView {
  const ip = family.lastIp ?? family.ip;
  const userAgent = family.lastUserAgent ?? family.userAgent;
  return {
    id: family.familyId,
    createdAt: family.createdAtMs !== undefined ? Math.floor(family.createdAtMs / 1000) : family.createdAt,
    lastUsedAt: family.rotatedAt,
    expiresAt: family.expiresAt,
    ...(ip === undefined ? {} : { ip }),
    ...(userAgent === undefined ? {} : { userAgent }),
    current: family.familyId === currentId,
  };
}

/** Opaque to clients: base64url of `[familyId, createdAt]`. */
function encodeCursor({ familyId, createdAt }: FamilyCursor): string {
  return Buffer.from(JSON.stringify([familyId, createdAt])).toString('base64url');
}

function decodeCursor(cursor: string): FamilyCursor {
  let value: unknown;
  try {
    value = cursor.length <= 512 && /^[A-Za-z0-9_-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString()) : undefined;
  } catch {
    value = undefined;
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    value[0].length > 0 &&
    value[0].length <= 128 &&
    Number.isSafeInteger(value[1])
  ) {
    return { familyId: value[0], createdAt: value[1] as number };
  }
  throw new BadQueryError('Invalid cursor');
}
