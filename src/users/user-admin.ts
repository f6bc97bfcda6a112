/**
 * Administration of users (the `npm run users` command): add, disable, enable, change password,
 * set e-mail, list. Disabling a user or changing a password revokes every refresh-token family of
 * the user. Passwords follow the same policy as PUT /me/password unless the admin forces one.
 */
import { nowSeconds } from '../platform/clock';
import { logger } from '../platform/logger';
import { isWellFormedText } from '../platform/text';
import { normalizeEmail } from './email';
import { hashPassword, type ScryptParams } from './password';
import { MAX_PASSWORD_LENGTH, passwordLength, passwordProblem } from './password-policy';
import type { UserRecord, UserStore } from './user-store';
import { isWellFormedUsername } from './username';

/** What administration needs of the sessions: ending all of a user's. */
interface SessionRevoker {
  revokeAllOfUser(username: string, reason: 'user-disabled' | 'password-changed', now: number): Promise<number>;
}

export interface AdminDeps {
  readonly users: UserStore;
  /** Ends every session of a user (the sessions' family store); declared here so users/ stays below sessions/. */
  readonly families: SessionRevoker;
  /** Overrides the OWASP default, for tests only. */
  readonly scrypt?: ScryptParams;
}

/** Thrown for an admin request that cannot be done; the message is for the operator. */
export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminError';
  }
}

/** `force`: an admin's override of the password policy (never of the length cap, which bounds scrypt's input). */
export interface PasswordOptions {
  readonly force?: boolean;
}

function checkUsername(username: string): void {
  if (!isWellFormedUsername(username)) throw new AdminError('username must be 1-256 characters of letters, digits and . _ @ + -');
}

function checkPassword(password: string, username: string, { force = false }: PasswordOptions): void {
  if (password === '' || passwordLength(password) > MAX_PASSWORD_LENGTH) {
    throw new AdminError(`password must be 1 to ${MAX_PASSWORD_LENGTH} characters`);
  }
  // Not even forced: the text rule is no policy (src/platform/text.ts).
  if (!isWellFormedText(password)) throw new AdminError('password must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)');
  const problem = force ? undefined : passwordProblem(password, { username });
  if (problem !== undefined) throw new AdminError(`${problem} (--force sets it anyway)`);
}

/** Creates a user with a scrypt hash of `password`. */
export async function addUser(deps: AdminDeps, username: string, password: string, options: PasswordOptions = {}): Promise<void> {
  checkUsername(username);
  checkPassword(password, username, options);
  const hash = await hashPassword(password, deps.scrypt);
  if (!(await deps.users.createUser(username, hash, nowSeconds()))) throw new AdminError(`user "${username}" already exists`);
}

/** Sets a new password and revokes every session of the user. Returns how many were revoked. */
export async function changePassword(deps: AdminDeps, username: string, password: string, options: PasswordOptions = {}): Promise<number> {
  checkPassword(password, username, options);
  const hash = await hashPassword(password, deps.scrypt);
  const nowMs = Date.now();
  if (!(await deps.users.setPasswordHash(username, hash, nowMs))) throw new AdminError(`no user "${username}"`);
  // The revocation clock already ends every session; the rows are marked too, for the record.
  return deps.families.revokeAllOfUser(username, 'password-changed', Math.floor(nowMs / 1000));
}

/** Disables a user and revokes every session. Returns how many were revoked. */
export async function disableUser(deps: AdminDeps, username: string): Promise<number> {
  const nowMs = Date.now();
  if (!(await deps.users.setDisabled(username, true, nowMs))) throw new AdminError(`no user "${username}"`);
  return deps.families.revokeAllOfUser(username, 'user-disabled', Math.floor(nowMs / 1000));
}

/** Removes every item of one user from one table; returns how many. */
type UserSweep = (username: string) => Promise<number>;

/** What deleting a user removes besides the row: passkeys, sessions (families), challenges, attempt counts. */
export interface DeleteDeps {
  readonly users: UserStore;
  readonly sweeps: {
    readonly passkeys: UserSweep;
    readonly sessions: UserSweep;
    readonly challenges: UserSweep;
    readonly attempts: UserSweep;
  };
}

/** How many items a delete removed, per kind. */
export interface DeletedItems {
  readonly user: boolean;
  readonly passkeys: number;
  readonly sessions: number;
  readonly challenges: number;
  readonly attempts: number;
}

/**
 * Deletes a user and everything kept of them, so a later `add` of the name starts from nothing.
 * In an order that leaves nothing usable if it stops halfway, and that a re-run finishes:
 * 1. the row is disabled, which moves the revocation clock: from here no password or passkey logs
 *    in, no refresh token rotates, no account write (a passkey, the e-mail, the password) holds;
 * 2. passkeys, sessions, challenges and attempt counts are deleted (plain deletes: a re-run deletes
 *    what is left);
 * 3. the row goes last, so until then the name cannot be added again and a re-run finds the user.
 * A name with no row but items left (a delete that stopped after step 3 cannot happen; items written
 * for a name no one had) is swept too. Writes one audit line. Access tokens already issued stay
 * valid on the any-valid routes until they expire, as after a logout.
 */
export async function deleteUser(deps: DeleteDeps, username: string): Promise<DeletedItems> {
  checkUsername(username);
  const existed = await deps.users.setDisabled(username, true, Date.now());
  const passkeys = await deps.sweeps.passkeys(username);
  const sessions = await deps.sweeps.sessions(username);
  const challenges = await deps.sweeps.challenges(username);
  const attempts = await deps.sweeps.attempts(username);
  const user = existed && (await deps.users.deleteUser(username));
  if (!user && passkeys + sessions + challenges + attempts === 0) throw new AdminError(`no user "${username}"`);
  const deleted = { user, passkeys, sessions, challenges, attempts };
  logger.info('user deleted', { audit: true, username, ...deleted });
  return deleted;
}

/** Re-enables a disabled user (old sessions stay revoked). */
export async function enableUser(deps: AdminDeps, username: string): Promise<void> {
  if (!(await deps.users.setDisabled(username, false, Date.now()))) throw new AdminError(`no user "${username}"`);
}

/** Sets the user's e-mail address (validated and lower-cased as PUT /me/email does); returns it as stored. */
export async function setEmail(deps: AdminDeps, username: string, address: string): Promise<string> {
  let email: string;
  try {
    email = normalizeEmail(address);
  } catch (err) {
    throw new AdminError((err as Error).message);
  }
  if (!(await deps.users.setEmail(username, email, nowSeconds()))) throw new AdminError(`no user "${username}"`);
  return email;
}

/**
 * Stored text as a terminal may show it: each control, format or line-separator character as a
 * `\uXXXX` (or `\u{XXXXX}`) escape, so a stored value can neither forge a line nor reorder what is shown.
 */
function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (char) => {
    const hex = (char.codePointAt(0) ?? 0).toString(16);
    return hex.length > 4 ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
  });
}

/**
 * One line of `npm run users -- list`: username, e-mail, state and when the password was set,
 * tab-separated; stored values escaped (rows written by another tool, or before the e-mail rules).
 */
export function userListLine(user: Omit<UserRecord, 'passwordHash'>): string {
  const changed = new Date(user.passwordChangedAt * 1000).toISOString();
  const email = user.email === undefined ? '-' : printable(user.email);
  return `${printable(user.username)}\t${email}\t${user.disabled ? 'disabled' : 'enabled'}\tpassword set ${changed}`;
}

/** Every user, without hashes. */
export function listUsers(deps: AdminDeps): Promise<Omit<UserRecord, 'passwordHash'>[]> {
  return deps.users.listUsers();
}
