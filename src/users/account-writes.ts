/**
 * Writes an account takes from a token: adding a passkey, changing the e-mail or the password,
 * ending sessions. Each is one conditional write on the user's row that holds only while the account
 * takes writes from the token's login (`takesWritesFrom`); the stores state the same rule as a
 * DynamoDB condition, so a disable, a delete or a re-add that lands between the read and the write
 * still refuses it.
 */
import { AccountNotFoundError, SessionEndedError, type AppError } from '../errors/errors';
import type { SinceMs, UserRecord, UserStore } from './user-store';

/** Who writes, and when the token's login happened (ms: its session's login or latest password proof, else its iat). */
export interface AccountWriter {
  readonly username: string;
  readonly sinceMs: SinceMs;
}

/**
 * Why the account refuses writes from a token whose login was at `sinceMs`, or undefined when it
 * takes them: it must be enabled, created no later than that second (a token of an earlier account
 * of the same name is refused), and its revocation clock (disable, password change, sign-out
 * everywhere) before it. Rows with no clock have 0. `TAKES_WRITES` in dynamo-user-store.ts is this rule.
 */
function refusalOf(user: UserRecord | undefined, sinceMs: SinceMs): AppError | undefined {
  if (!user) return new AccountNotFoundError();
  if (user.disabled) return new SessionEndedError('user disabled');
  if (user.createdAt > Math.floor(sinceMs / 1000)) return new SessionEndedError('token older than the account');
  if (user.sessionsValidAfter >= sinceMs) return new SessionEndedError('token older than the revocation clock');
  return undefined;
}

/**
 * The account, when it takes writes from `writer`; read consistently. A check before writes that
 * are not on the user's row (a challenge, a session's end), which then need no guard of their own.
 * Error codes: ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED, ERR_STORE_UNAVAILABLE.
 */
export async function accountFor(users: Pick<UserStore, 'findUser'>, writer: AccountWriter): Promise<UserRecord> {
  const user = await users.findUser(writer.username);
  const refusal = refusalOf(user, writer.sinceMs);
  if (refusal || !user) throw refusal ?? new AccountNotFoundError();
  return user;
}

/**
 * The account, when a token issued at `issuedAt` (its `iat`, whole seconds) may read it (GET /me,
 * GET /sessions, GET /me/passkeys): the account must be enabled and made no later than that second,
 * so a token of an earlier account of the same name (deleted, then added again) shows nothing of the
 * account the name has now. A token whose issue time the authorizer did not pass reads nothing.
 * Error codes: ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED.
 */
export function readableAccount(user: UserRecord | undefined, issuedAt: number | undefined): UserRecord {
  if (!user) throw new AccountNotFoundError();
  if (user.disabled) throw new SessionEndedError('user disabled');
  if (issuedAt === undefined || user.createdAt > issuedAt) throw new SessionEndedError('token older than the account');
  return user;
}

/**
 * After a guarded write did not hold: the error that says why, read again; undefined when the account
 * takes the writer's writes (so the write's own condition failed). Error code: ERR_STORE_UNAVAILABLE.
 */
export async function writeRefusal(users: Pick<UserStore, 'findUser'>, writer: AccountWriter): Promise<AppError | undefined> {
  return refusalOf(await users.findUser(writer.username), writer.sinceMs);
}
