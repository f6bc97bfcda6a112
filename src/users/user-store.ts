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
}

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
  setPasswordHash(username: string, passwordHash: string, nowMs: number): Promise<boolean>;
  /**
   * Disables (ending every session logged in before `nowMs`) or re-enables a user (which revives
   * none); false if there is no such user. Error code: ERR_STORE_UNAVAILABLE.
   */
  setDisabled(username: string, disabled: boolean, nowMs: number): Promise<boolean>;
  /**
   * Ends every session logged in before `nowMs` (sign-out everywhere): moves the revocation clock
   * forward, never back. Error code: ERR_STORE_UNAVAILABLE.
   */
  endSessionsBefore(username: string, nowMs: number): Promise<void>;
  /** Sets the user's e-mail address (already normalized); false if there is no such user. Error code: ERR_STORE_UNAVAILABLE. */
  setEmail(username: string, email: string, now: number): Promise<boolean>;
  /** Every user, without password hashes. Error code: ERR_STORE_UNAVAILABLE. */
  listUsers(): Promise<Omit<UserRecord, 'passwordHash'>[]>;
}

/** A username and password as a client sent them. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}
