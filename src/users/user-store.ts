/** A user as the login flow needs it. */
export interface UserRecord {
  readonly username: string;
  /** A `scrypt$…` string from `hashPassword`. */
  readonly passwordHash: string;
}

/** Where users live. The demo store serves the local stage; a database store comes later. */
export interface UserStore {
  /** The user with this exact username, or undefined. */
  findUser(username: string): Promise<UserRecord | undefined>;
}
