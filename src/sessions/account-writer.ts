/**
 * When the login of a token that writes to its account happened, for the guard of those writes
 * (`src/users/account-writes.ts`): a token of a session counts from the session's login or its
 * latest password proof (milliseconds, from the session's row, so a password change made in the
 * session keeps it, as it keeps the session); a token outside a session from its `iat` (whole
 * seconds, read strictly: a revocation clock moved in the same second refuses it).
 */
import type { AccountWriter } from '../users/account-writes';
import type { FamilyStore } from './family-store';

/** The caller as the authorizer told it. */
interface TokenHolder {
  readonly username: string;
  readonly sessionId?: string;
  readonly issuedAt?: number;
}

/**
 * The writer of `holder`'s account writes. A session whose row is gone (a deleted user's) or is
 * another user's, and a token whose issue time the authorizer did not pass, count from 0, which no
 * account takes. A session logged out or ended one by one still counts from its login, as its access
 * tokens stay valid until they expire: what ends them for account writes is the revocation clock.
 * Error code: ERR_STORE_UNAVAILABLE.
 */
export async function accountWriter(families: Pick<FamilyStore, 'get'>, holder: TokenHolder): Promise<AccountWriter> {
  const { username, sessionId, issuedAt } = holder;
  if (sessionId === undefined) return { username, sinceMs: issuedAt === undefined ? 0 : issuedAt * 1000 };
  const family = await families.get(sessionId);
  if (!family || family.username !== username) return { username, sinceMs: 0 };
  const loginMs = family.createdAtMs ?? family.createdAt * 1000;
  return { username, sinceMs: Math.max(loginMs, family.reauthAtMs ?? 0) };
}
