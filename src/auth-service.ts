/**
 * The three token flows behind the HTTP endpoints: log in, refresh, fresh log in.
 * Handlers parse and respond; the rules live here.
 */
import { BadCredentialsError } from './errors';
import type { TokenIssuer } from './tokens/token-issuer';
import type { TokenVerifier } from './tokens/token-verifier';
import { verifyPassword } from './users/password';
import type { UserStore } from './users/user-store';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface LoginDeps {
  readonly users: UserStore;
  readonly issuer: TokenIssuer;
}

export interface RefreshDeps {
  readonly verifier: TokenVerifier;
  readonly issuer: TokenIssuer;
}

/**
 * Verified against when the user does not exist, so an unknown user costs the same scrypt work
 * as a wrong password and the two cannot be told apart by timing. Its password is unknown.
 */
const DUMMY_HASH = 'scrypt$17$8$1$qIqGtgsLCc4gWbC/lPpfAA==$wObPFMIj7lvmc7AUjxTtLW1Uk7fidVaPYBI2xenTmys=';

/** Returns the username when the password is right. Error code: ERR_BAD_CREDENTIALS. */
export async function checkCredentials(users: UserStore, { username, password }: Credentials): Promise<string> {
  const user = await users.findUser(username);
  const matches = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !matches) throw new BadCredentialsError();
  return user.username;
}

/** POST /login: a fresh access token plus a refresh token. Error code: ERR_BAD_CREDENTIALS. */
export async function issueTokenPair(deps: LoginDeps, credentials: Credentials) {
  const sub = await checkCredentials(deps.users, credentials);
  const [access_token, refresh_token] = await Promise.all([
    deps.issuer.issueAccessToken(sub, true),
    deps.issuer.issueRefreshToken(sub),
  ]);
  return { sub, body: { access_token, refresh_token } };
}

/** POST /fresh-login: a fresh access token only, never a refresh token. Error code: ERR_BAD_CREDENTIALS. */
export async function issueFreshAccessToken(deps: LoginDeps, credentials: Credentials) {
  const sub = await checkCredentials(deps.users, credentials);
  return { sub, body: { access_token: await deps.issuer.issueAccessToken(sub, true) } };
}

/**
 * POST /refresh: a non-fresh access token for the refresh token's subject; never a fresh one.
 * Error codes: those of `verifyRefreshToken`.
 */
export async function refreshAccessToken(deps: RefreshDeps, refreshToken: string) {
  const { sub } = await deps.verifier.verifyRefreshToken(refreshToken);
  return { sub, body: { access_token: await deps.issuer.issueAccessToken(sub, false) } };
}
