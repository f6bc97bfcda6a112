/**
 * The account routes: who am I (GET /me), change e-mail (PUT /me/email, fresh only) and change
 * password (PUT /me/password, password proven recently). The last two are what fresh tokens are
 * for: critical actions a stolen non-fresh token must not reach.
 */
import { AccountNotFoundError, BadCredentialsError } from '../errors/errors';
import { nowSeconds } from '../platform/clock';
import { accountFor, readableAccount, writeRefusal } from '../users/account-writes';
import { normalizeEmail } from '../users/email';
import type { LoginAttempts } from '../users/login-attempts';
import { hashPassword, verifyPassword, type ScryptParams } from '../users/password';
import { checkNewPassword } from '../users/password-policy';
import type { UserStore } from '../users/user-store';
import type { Authn } from '../tokens/authn';
import { accountWriter } from './account-writer';
import type { ClientInfo, FamilyStore } from './family-store';

export interface AccountDeps {
  readonly users: UserStore;
  readonly families: FamilyStore;
  readonly attempts: LoginAttempts;
  /** scrypt cost of new hashes (PASSWORD_SCRYPT_LOG2N; OWASP's by default). */
  readonly scrypt: ScryptParams;
}

/** The caller as the authorizer saw the token. */
export interface AccountCaller {
  readonly username: string;
  readonly fresh: boolean;
  readonly authTime?: number;
  readonly sessionId?: string;
  /** The token's `iat`: account writes of a token outside a session count from it. */
  readonly issuedAt?: number;
  readonly freshUntil?: number;
  readonly expiresAt?: number;
}

/** What GET /me shows. Times are epoch seconds. */
export interface Profile {
  readonly username: string;
  readonly email?: string;
  readonly createdAt: number;
  readonly authTime?: number;
  readonly fresh: boolean;
  /** The token's own limits: when it stops being fresh ("fresh until" tokens), when it expires. */
  readonly freshUntil?: number;
  readonly expiresAt?: number;
  /** How the user last authenticated, as the token says (`acr`, `amr`). */
  readonly authn: Authn;
}

/**
 * The caller's account, shown only to a token of it (`readableAccount`). Error codes:
 * ERR_ACCOUNT_NOT_FOUND (a valid token of a user with no row: not migrated from flask-jwt-extended
 * yet, or deleted), ERR_SESSION_ENDED (the account is disabled, or was made after the token),
 * ERR_STORE_UNAVAILABLE.
 */
export async function getProfile(deps: Pick<AccountDeps, 'users'>, caller: AccountCaller & { readonly authn: Authn }): Promise<Profile> {
  const user = readableAccount(await deps.users.findUser(caller.username), caller.issuedAt);
  return {
    username: user.username,
    ...(user.email === undefined ? {} : { email: user.email }),
    createdAt: user.createdAt,
    ...(caller.authTime === undefined ? {} : { authTime: caller.authTime }),
    fresh: caller.fresh,
    ...(caller.freshUntil === undefined ? {} : { freshUntil: caller.freshUntil }),
    ...(caller.expiresAt === undefined ? {} : { expiresAt: caller.expiresAt }),
    authn: caller.authn,
  };
}

/**
 * Sets the caller's e-mail address, in one conditional write that creates no row and holds only
 * while the account takes the caller's writes (enabled, not made again since the token, the
 * revocation clock before its login).
 * Error codes: ERR_EMAIL_INVALID, ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED, ERR_STORE_UNAVAILABLE.
 */
export async function changeEmail(deps: Pick<AccountDeps, 'users' | 'families'>, caller: AccountCaller, rawEmail: string): Promise<string> {
  const email = normalizeEmail(rawEmail);
  const writer = await accountWriter(deps.families, caller);
  // Read first for a clear refusal; the write's own condition holds it if the account changes in between.
  await accountFor(deps.users, writer);
  if (!(await deps.users.setEmail(writer.username, email, nowSeconds(), writer.sinceMs))) {
    throw (await writeRefusal(deps.users, writer)) ?? new AccountNotFoundError();
  }
  return email;
}

/**
 * Changes the caller's password. The current password is checked again (scrypt, counted against
 * the lockout like a login); the new one must pass the password policy. Every other session of the
 * user ends: the revocation clock moves to now, and the caller's own session, if the token names
 * it, is marked as having proven the password just after, so it continues. The new hash is written
 * only while the account takes the caller's writes (a disabled user's is refused before that: the
 * current password is checked as at a login, which refuses a disabled user).
 * Error codes: ERR_BAD_CREDENTIALS, ERR_TOO_MANY_ATTEMPTS, ERR_WEAK_PASSWORD, ERR_SESSION_ENDED,
 * ERR_STORE_UNAVAILABLE.
 */
export async function changeOwnPassword(
  deps: AccountDeps,
  caller: AccountCaller,
  passwords: { current: string; next: string },
  client: ClientInfo,
): Promise<{ endedSessions: number }> {
  const { username } = caller;
  const now = nowSeconds();
  const source = { username, ip: client.ip };
  await deps.attempts.reserve(source, now);
  const user = await deps.users.findUser(username);
  if (!user || user.disabled || !(await verifyPassword(passwords.current, user.passwordHash))) throw new BadCredentialsError();
  await deps.attempts.clear(source, now);
  checkNewPassword(passwords.next, { username, currentPassword: passwords.current });
  const writer = await accountWriter(deps.families, caller);
  await accountFor(deps.users, writer);

  const hash = await hashPassword(passwords.next, deps.scrypt);
  const clockMs = Date.now();
  // The caller's session first, so it never sees the clock without its own proof after it.
  if (caller.sessionId !== undefined) await deps.families.reauthenticate(caller.sessionId, username, clockMs + 1);
  if (!(await deps.users.setPasswordHash(username, hash, clockMs, writer.sinceMs))) {
    throw (await writeRefusal(deps.users, writer)) ?? new BadCredentialsError();
  }
  // The clock already ends the other sessions; their rows are marked too, for the list.
  const endedSessions = await deps.families.revokeAllOfUser(username, 'password-changed', Math.floor(clockMs / 1000), caller.sessionId);
  return { endedSessions };
}
