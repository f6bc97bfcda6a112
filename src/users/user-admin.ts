/**
 * Administration of users (the `npm run users` command): add, disable, enable, change password,
 * list. Disabling a user or changing a password revokes every refresh-token family of the user.
 */
import { nowSeconds } from '../platform/clock';
import { hashPassword, type ScryptParams } from './password';
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

const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;
function checkUsername(username: string): void {
  if (!isWellFormedUsername(username)) throw new AdminError('username must be 1-256 characters of letters, digits and . _ @ + -');
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    throw new AdminError(`password must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
  }
}

/** Creates a user with a scrypt hash of `password`. */
export async function addUser(deps: AdminDeps, username: string, password: string): Promise<void> {
  checkUsername(username);
  checkPassword(password);
  const hash = await hashPassword(password, deps.scrypt);
  if (!(await deps.users.createUser(username, hash, nowSeconds()))) throw new AdminError(`user "${username}" already exists`);
}

/** Sets a new password and revokes every session of the user. Returns how many were revoked. */
export async function changePassword(deps: AdminDeps, username: string, password: string): Promise<number> {
  checkPassword(password);
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

/** Re-enables a disabled user (old sessions stay revoked). */
export async function enableUser(deps: AdminDeps, username: string): Promise<void> {
  if (!(await deps.users.setDisabled(username, false, Date.now()))) throw new AdminError(`no user "${username}"`);
}

/** Every user, without hashes. */
export function listUsers(deps: AdminDeps): Promise<Omit<UserRecord, 'passwordHash'>[]> {
  return deps.users.listUsers();
}
