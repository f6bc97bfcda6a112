/** A user as stored. Times are epoch seconds. */
export interface UserRecord {
  readonly username: string;
  /** A self-describing `scrypt$…` string from `hashPassword`: parameters, salt and hash. */
  readonly passwordHash: string;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When the password was last set; sessions authenticated before it are void. */
  readonly passwordChangedAt: number;
  /**
   * The user's revocation clock, in milliseconds: every session whose login is not after it is
   * over (a password change, a disable). 0 for users stored before it existed.
   */
  readonly sessionsValidAfter: number;
  /** Lower-cased; absent until the user sets one. */
  readonly email?: string;
  /**
   * Passkeys stored or being stored: a slot is taken on this row, in a conditional write, before a
   * passkey is stored, so the limit holds however many registrations run at once. Absent on rows
   * from before it was kept (counted from the passkeys table on first use).
   */
  readonly passkeyCount?: number;
}

/**
 * A write made with a token is guarded by when the token's login happened (`sinceMs`, epoch ms: its
 * session's login or latest password proof, else its `iat`): the write holds only while the account
 * is enabled, was created no later than that second, and its revocation clock is before it.
 */
export type SinceMs = number;

/** Where users live (DynamoDB on every stage; dynalite locally). */
export interface UserStore {
  /** The user with this exact username, or undefined. Error code: ERR_STORE_UNAVAILABLE. */
  findUser(username: string): Promise<UserRecord | undefined>;
  /** Creates a user; false if the username is taken. Error code: ERR_STORE_UNAVAILABLE. */
  createUser(username: string, passwordHash: string, now: number): Promise<boolean>;
  /**
   * Replaces the password hash and ends every session logged in before `nowMs` (the revocation
   * clock); false if there is no such user. Error code: ERR_STORE_UNAVAILABLE.
   */
  setPasswordHash(username: string, passwordHash: string, nowMs: number, since?: SinceMs): Promise<boolean>;
  /**
   * Disables (ending every session logged in before `nowMs`) or re-enables a user (which revives
   * none); false if there is no such user. Error code: ERR_STORE_UNAVAILABLE.
   */
  setDisabled(username: string, disabled: boolean, nowMs: number): Promise<boolean>;
  /**
   * Ends every session logged in before `nowMs` (sign-out everywhere): moves the revocation clock
   * forward, never back; false when the row is missing, the clock already later, or `since` refused
   * it. Error code: ERR_STORE_UNAVAILABLE.
   */
  endSessionsBefore(username: string, nowMs: number, since?: SinceMs): Promise<boolean>;
  /**
   * Sets the user's e-mail address (already normalized); false if there is no such user, or `since`
   * refused it. Error code: ERR_STORE_UNAVAILABLE.
   */
  setEmail(username: string, email: string, now: number, since?: SinceMs): Promise<boolean>;
  /**
   * Takes one passkey slot, if fewer than `max` are taken and `since` is accepted; false otherwise.
   * Error code: ERR_STORE_UNAVAILABLE.
   */
  takePasskeySlot(username: string, max: number, since: SinceMs): Promise<boolean>;
  /** Gives a slot back (a registration that stored nothing, a removed passkey). Error code: ERR_STORE_UNAVAILABLE. */
  releasePasskeySlot(username: string): Promise<void>;
  /** Starts the slot count of a row from before it was kept, unless it has one. Error code: ERR_STORE_UNAVAILABLE. */
  startPasskeyCount(username: string, count: number): Promise<void>;
  /** Deletes the row; false if there was none. Error code: ERR_STORE_UNAVAILABLE. */
  deleteUser(username: string): Promise<boolean>;
  /** Every user, without password hashes. Error code: ERR_STORE_UNAVAILABLE. */
  listUsers(): Promise<Omit<UserRecord, 'passwordHash'>[]>;
}

/** A username and password as a client sent them. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}
