import type { UserRecord, UserStore } from './user-store';

/** scrypt (N=2^17, r=8, p=1) hash of the password `test`, as in the flask-jwt-extended example. */
const TEST_USER: UserRecord = {
  username: 'test',
  passwordHash: 'scrypt$17$8$1$NR98KnTkdO+2ENdpbDaZrw==$1llaZnMW94ewRX2mxomj6ZLOP1rUxWokHvIBOmu9RHA=',
};

/** An in-memory store holding the example user `test`/`test`. Enabled on the local stage only. */
export function createDemoUserStore(users: readonly UserRecord[] = [TEST_USER]): UserStore {
  const byName = new Map(users.map((user) => [user.username, user]));
  return {
    findUser: async (username) => byName.get(username),
  };
}

/** A store with no users, for stages that have no user database configured yet. */
export function createEmptyUserStore(): UserStore {
  return { findUser: async () => undefined };
}
