/**
 * A refresh-token family: the chain of refresh tokens born of one login. Only its current token
 * (and, within a grace window, the one before) is accepted; presenting any older one revokes it.
 * Times are epoch seconds.
 */
export interface Family {
  readonly familyId: string;
  readonly username: string;
  readonly currentJti: string;
  /** iat and exp of the current token, so a retry of the rotation that made it gets it byte for byte. */
  readonly currentIat?: number;
  readonly currentExp?: number;
  readonly previousJti?: string;
  readonly status: 'active' | 'revoked';
  readonly revokedReason?: RevokeReason;
  /** When the password was verified for the login that started the family. */
  readonly authTime: number;
  readonly createdAt: number;
  /**
   * When the session's login happened, in milliseconds (for a flask-jwt-extended token, its iat),
   * compared with the user's revocation clock. Absent on rows written before it existed.
   */
  readonly createdAtMs?: number;
  /**
   * When the owner proved the password again inside this session (ms): a password change made
   * from the session keeps it, so it counts as logged in then for the revocation clock.
   */
  readonly reauthAtMs?: number;
  /** The last rotation (the login, until the first refresh). */
  readonly rotatedAt: number;
  /** Source IP and user agent of the login; absent on rows written before they were recorded. */
  readonly ip?: string;
  readonly userAgent?: string;
  /** Source IP and user agent of the last rotation. */
  readonly lastIp?: string;
  readonly lastUserAgent?: string;
  /** Also DynamoDB's TTL attribute: the item disappears some time after this. */
  readonly expiresAt: number;
}

/** The client a request came from, as recorded on its session and counted by the lockout. */
export interface ClientInfo {
  /** Source IP as API Gateway saw it. */
  readonly ip: string;
  readonly userAgent: string;
}

/**
 * Whether the family's login (or a later password proof inside it) came after `clockMs`; rows
 * without `createdAtMs` compare by whole seconds, strictly.
 */
export function loggedInAfter(family: Pick<Family, 'createdAt' | 'createdAtMs' | 'reauthAtMs'>, clockMs: number): boolean {
  if (family.reauthAtMs !== undefined && family.reauthAtMs > clockMs) return true;
  return family.createdAtMs !== undefined ? family.createdAtMs > clockMs : family.createdAt > Math.floor(clockMs / 1000);
}

type RevokeReason = 'logout' | 'reuse' | 'user-disabled' | 'password-changed' | 'ended-by-user';

/** Where a listing continues: the last family it returned (its id and creation second). */
export interface FamilyCursor {
  readonly familyId: string;
  readonly createdAt: number;
}

/** What a session listing shows of a family. */
export type FamilySummary = Pick<
  Family,
  'familyId' | 'createdAt' | 'createdAtMs' | 'reauthAtMs' | 'rotatedAt' | 'expiresAt' | 'ip' | 'userAgent' | 'lastIp' | 'lastUserAgent'
>;

/** The outcome of one rotation attempt. */
export type RotateResult = 'rotated' | 'stale';

export interface FamilyStore {
  /** Stores a new family; false if one with that id exists already. Error code: ERR_STORE_UNAVAILABLE. */
  create(family: Family): Promise<boolean>;
  /**
   * Makes `newJti` the family's current token, in ONE conditional write that holds only while the
   * family is active, unexpired, owned by `username` and `oldJti` is still current. 'stale' when it
   * did not hold. Error code: ERR_STORE_UNAVAILABLE.
   */
  rotate(input: {
    familyId: string;
    username: string;
    oldJti: string;
    /** The successor token: its jti, iat and exp, kept so a retry within the window gets it again. */
    next: { jti: string; iat: number; exp: number };
    now: number;
    expiresAt: number;
    /** The user's revocation clock (ms): the rotation holds only for a session logged in after it. */
    loggedInAfterMs: number;
    /** Who rotated: recorded as the session's last use. */
    client: ClientInfo;
  }): Promise<RotateResult>;
  /** The family, read consistently, or undefined. Error code: ERR_STORE_UNAVAILABLE. */
  get(familyId: string): Promise<Family | undefined>;
  /** Revokes one family of `username` (no-op if absent or already revoked). Error code: ERR_STORE_UNAVAILABLE. */
  revoke(familyId: string, username: string, reason: RevokeReason, now: number): Promise<void>;
  /**
   * The user's live families (active, unexpired, logged in after `loggedInAfterMs`), newest login
   * first, at most `limit`, continuing after `after`; `more` when the listing may go on.
   * Error code: ERR_STORE_UNAVAILABLE.
   */
  listLive(
    username: string,
    page: { limit: number; after?: FamilyCursor; now: number; loggedInAfterMs: number },
  ): Promise<{ families: FamilySummary[]; more: boolean }>;
  /**
   * Ends one live family of `username` (as `listLive` counts them) in one conditional write;
   * false when there is no such family. Error code: ERR_STORE_UNAVAILABLE.
   */
  end(familyId: string, username: string, now: number, loggedInAfterMs: number): Promise<boolean>;
  /**
   * Records a password proof inside one live family of `username` at `atMs`, so it outlives a
   * revocation clock set before that; false when there is no such family.
   * Error code: ERR_STORE_UNAVAILABLE.
   */
  reauthenticate(familyId: string, username: string, atMs: number): Promise<boolean>;
  /** Revokes every active family of a user but `except`; returns how many. Error code: ERR_STORE_UNAVAILABLE. */
  revokeAllOfUser(username: string, reason: RevokeReason, now: number, except?: string): Promise<number>;
}
