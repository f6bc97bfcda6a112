/**
 * Issuing and ending sessions: log in, fresh log in, refresh (rotation with reuse detection) and
 * log out. Results are domain values (who, which tokens); `src/http/replies.ts` gives them their
 * wire shape. Handlers parse and respond; the rules live here.
 */
import { randomUUID } from 'node:crypto';
import { nowSeconds } from '../platform/clock';
import { BadCredentialsError, SessionRevokedError, TokenError } from '../errors/errors';
import { checkCsrf, newCsrfValue, refreshCsrfValue } from '../tokens/csrf';
import { grantedFreshness } from '../tokens/freshness';
import { authnOf, PASSWORD_AUTHN, type Authn } from '../tokens/authn';
import type { ClientInfo, FamilyStore } from './family-store';
import { loggedInAfter } from './family-store';
import { exchangeLegacyToken, legacyFamilyId, revokeLegacyToken } from './legacy-family';
import type { TokenIssuer } from '../tokens/token-issuer';
import type { TokenVerifier } from '../tokens/token-verifier';
import type { LoginAttempts } from '../users/login-attempts';
import { decoyHash, verifyPassword, type ScryptParams } from '../users/password';
import type { Credentials, UserRecord, UserStore } from '../users/user-store';
import { isWellFormedUsername } from '../users/username';

/** A session's tokens, as issued to `sub`. */
export interface IssuedTokens {
  readonly sub: string;
  readonly accessToken: string;
  /** Absent for a fresh login, which never starts or extends a session. */
  readonly refreshToken?: string;
  /** The tokens' `csrf` claims, when tokens are issued for cookies (the CSRF cookies' values). */
  readonly accessCsrf?: string;
  readonly refreshCsrf?: string;
}

/** A token that came in a cookie on a state-changing request: the CSRF header it must match. */
export interface CsrfCheck {
  readonly header: string | undefined;
}

/** What the session flows work with. */
export interface SessionDeps {
  /** 0: logins grant `fresh: true`; else "fresh until" now + this many seconds. */
  readonly freshWindowSeconds: number;
  readonly users: UserStore;
  readonly families: FamilyStore;
  readonly attempts: LoginAttempts;
  readonly issuer: TokenIssuer;
  readonly verifier: TokenVerifier;
  /** Seconds the immediately-previous refresh token stays usable after a rotation (0: never). */
  readonly refreshReuseGraceSeconds: number;
  /** The longest a session lives from its login, however often it is refreshed. */
  readonly sessionMaxLifetimeSeconds: number;
  /** Tokens travel in cookies with CSRF protection: they carry a `csrf` claim. */
  readonly csrfClaims: boolean;
  /** scrypt cost of the unknown-user decoy (PASSWORD_SCRYPT_LOG2N). */
  readonly scrypt: ScryptParams;
}

/**
 * The user when the password is right and the account enabled. Every attempt counts against the
 * address's and the username's allowances first, existing or not. Error codes: ERR_BAD_CREDENTIALS (also for a
 * disabled user), ERR_TOO_MANY_ATTEMPTS, ERR_STORE_UNAVAILABLE.
 */
async function checkCredentials(
  deps: Pick<SessionDeps, 'users' | 'attempts' | 'scrypt'>,
  { username, password }: Credentials,
  client: ClientInfo,
  now: number,
): Promise<UserRecord> {
  if (!isWellFormedUsername(username)) {
    // No such user can exist: answer as for an unknown one, after the same scrypt work. It counts
    // against its address only (no username key for a name the users command would refuse), so
    // spraying such names from one address is braked like any other failure.
    await deps.attempts.reserveForAddress(client.ip, now);
    await verifyPassword(password, await decoyHash(deps.scrypt));
    throw new BadCredentialsError();
  }
  const source = { username, ip: client.ip };
  await deps.attempts.reserve(source, now);
  const user = await deps.users.findUser(username);
  const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash(deps.scrypt)));
  if (!user || !matches || user.disabled) throw new BadCredentialsError();
  await deps.attempts.clear(source, now);
  return user;
}

/**
 * A check that proves who the user is at `now` (epoch seconds), and how (`amr`/`acr`): the
 * password here, a passkey in `passkey-sessions.ts`. It counts and clears login attempts itself.
 */
export type Proof = (now: number) => Promise<{ readonly user: UserRecord; readonly authn: Authn }>;

/** The password as a proof. Error codes: those of `checkCredentials`. */
function passwordProof(deps: Pick<SessionDeps, 'users' | 'attempts' | 'scrypt'>, credentials: Credentials, client: ClientInfo): Proof {
  return async (now) => ({ user: await checkCredentials(deps, credentials, client, now), authn: PASSWORD_AUTHN });
}

/**
 * POST /login: a fresh access token and the first refresh token of a new family.
 * Error codes: those of `checkCredentials`.
 */
export function issueTokenPair(
  deps: SessionDeps,
  credentials: Credentials,
  client: ClientInfo,
): Promise<IssuedTokens & { refreshToken: string }> {
  return issueTokenPairBy(deps, passwordProof(deps, credentials, client), client);
}

/** A login by any proof: a fresh access token and the first refresh token of a new family. Error codes: the proof's. */
export async function issueTokenPairBy(
  deps: SessionDeps,
  proof: Proof,
  client: ClientInfo,
): Promise<IssuedTokens & { refreshToken: string }> {
  // Taken before the user is read: a password change that lands after this read moves the
  // revocation clock past it, so a login racing the change never outlives it.
  const loginAtMs = Date.now();
  const now = nowSeconds();
  const {
    user: { username: sub },
    authn,
  } = await proof(now);
  const familyId = randomUUID();
  const first = { jti: randomUUID(), iat: now, exp: now + deps.issuer.refreshTokenTtlSeconds };
  const created = await deps.families.create({
    familyId,
    username: sub,
    currentJti: first.jti,
    currentIat: first.iat,
    currentExp: first.exp,
    status: 'active',
    authTime: now,
    createdAt: now,
    createdAtMs: loginAtMs,
    rotatedAt: now,
    expiresAt: first.exp,
    ip: client.ip,
    userAgent: client.userAgent,
  });
  if (!created) throw new Error('a new family id collided with an existing one');
  const csrf = csrfValues(deps, first.jti);
  const [accessToken, refreshToken] = await Promise.all([
    deps.issuer.issueAccessToken(sub, grantedFreshness(now, deps.freshWindowSeconds), now, {
      sid: familyId,
      csrf: csrf.accessCsrf,
      authn,
    }),
    deps.issuer.issueRefreshToken(sub, { fam: familyId, authTime: now, ...first, csrf: csrf.refreshCsrf, authn }),
  ]);
  return { sub, accessToken, refreshToken, ...csrf };
}

/**
 * POST /fresh-login: a fresh access token only; no refresh token, no new family. Given the refresh
 * token of the caller's session (`sessionToken`), the fresh token belongs to that session (`sid`),
 * which the session routes and a password change use; the session must be the same user's and live.
 * Error codes: those of `checkCredentials` and `verifyRefreshToken`, ERR_TOKEN_INVALID (another
 * user's session), ERR_REFRESH_TOKEN_REVOKED (a session that has ended).
 */
export function issueFreshAccessToken(
  deps: SessionDeps,
  credentials: Credentials,
  client: ClientInfo,
  session?: { readonly token: string; readonly required: boolean },
): Promise<IssuedTokens> {
  return issueFreshAccessTokenBy(deps, passwordProof(deps, credentials, client), session);
}

/**
 * A fresh login by any proof (the password, a passkey), joining the session whose refresh token
 * is sent, as `issueFreshAccessToken`. Error codes: the proof's and those of `issueFreshAccessToken`.
 */
export async function issueFreshAccessTokenBy(
  deps: SessionDeps,
  proof: Proof,
  session?: { readonly token: string; readonly required: boolean },
): Promise<IssuedTokens> {
  // A token the client sent on purpose (a header) must be good; one a browser sent by itself (a
  // stale refresh cookie) must not stand in the way of a login: then the token joins no session.
  const optional = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      if (session?.required) throw err;
      return undefined;
    }
  };
  const claims = session && (await optional(() => deps.verifier.verifyRefreshToken(session.token)));
  const now = nowSeconds();
  const { user, authn } = await proof(now);
  const sub = user.username;
  // A flask-jwt-extended refresh token names no family until it is exchanged: no session to join.
  const sid =
    claims?.fam === undefined
      ? undefined
      : await optional(async () => {
          if (claims.sub !== sub) throw new TokenError('ERR_TOKEN_INVALID', 'Invalid token', { cause: 'session of another user' });
          const family = await deps.families.get(claims.fam!);
          const live = family?.username === sub && family.status === 'active' && family.expiresAt > now;
          if (!live || !loggedInAfter(family, user.sessionsValidAfter) || family.createdAt < user.createdAt) throw revoked();
          return claims.fam;
        });
  const accessCsrf = deps.csrfClaims ? newCsrfValue() : undefined;
  const accessToken = await deps.issuer.issueAccessToken(sub, grantedFreshness(now, deps.freshWindowSeconds), now, {
    sid,
    csrf: accessCsrf,
    authn,
  });
  return accessCsrf === undefined ? { sub, accessToken } : { sub, accessToken, accessCsrf };
}

/**
 * POST /refresh: a non-fresh access token and the family's next refresh token, which replaces the
 * presented one in one conditional write. Within REFRESH_REUSE_GRACE seconds of that rotation, the
 * token it replaced gets the very same successor again (a retry after a lost response, parallel
 * tabs): the family rotates once, and replays write nothing, so they never extend the window.
 * Any other superseded token is reuse and revokes the whole family.
 * Error codes: those of `verifyRefreshToken`, ERR_CSRF_MISSING, ERR_CSRF_MISMATCH (a cookie-carried
 * token without its CSRF header), ERR_REFRESH_TOKEN_REVOKED, ERR_REFRESH_TOKEN_REUSED,
 * ERR_STORE_UNAVAILABLE.
 */
export async function rotateRefreshToken(
  deps: SessionDeps,
  refreshToken: string,
  client: ClientInfo,
  csrf?: CsrfCheck,
): Promise<IssuedTokens & { refreshToken: string }> {
  const claims = await deps.verifier.verifyRefreshToken(refreshToken);
  if (csrf) checkCsrf(claims, csrf.header);
  const { sub, jti } = claims;
  const now = nowSeconds();
  const authTime = claims.auth_time ?? claims.iat;
  const fam = claims.fam ?? legacyFamilyId(jti);

  // Tokens are stateless, the account is not: a disabled user ends the session, and so does the
  // revocation clock (a password change, a disable, sign-out everywhere). Our families are held to
  // the clock in the rotation's conditional write, which also sees a password proof made inside
  // the session since; a flask-jwt-extended token's login is its iat, so one never exchanged stays
  // dead after a disable and enable, or a password change in the same second.
  const user = await deps.users.findUser(sub);
  const reason = user?.disabled ? 'user-disabled' : 'password-changed';
  // (passwordChangedAt, in seconds, still guards users whose password changed before the clock existed.)
  const legacyTooOld =
    claims.fam === undefined && user !== undefined && (claims.iat * 1000 <= user.sessionsValidAfter || user.passwordChangedAt > claims.iat);
  // A session of an earlier account of the same name (deleted, then added again) is over.
  const earlierAccount = claims.fam !== undefined && user !== undefined && authTime < user.createdAt;
  if (!user || user.disabled || legacyTooOld || earlierAccount) {
    await deps.families.revoke(fam, sub, reason, now);
    throw revoked();
  }

  // Absolute lifetime: counted from the login (auth_time; for a flask-jwt-extended token its iat).
  const sessionEnd = authTime + deps.sessionMaxLifetimeSeconds;
  if (now >= sessionEnd)
    throw new SessionRevokedError('ERR_REFRESH_TOKEN_REVOKED', 'Session has reached its maximum lifetime; log in again');
  const next = { jti: randomUUID(), iat: now, exp: Math.min(now + deps.issuer.refreshTokenTtlSeconds, sessionEnd) };
  const moved =
    claims.fam === undefined
      ? (await exchangeLegacyToken(deps.families, { sub, jti, authTime, iat: claims.iat }, { ...next, now }, client)) === 'exchanged'
      : (await deps.families.rotate({
          familyId: fam,
          username: sub,
          oldJti: jti,
          next,
          now,
          expiresAt: next.exp,
          loggedInAfterMs: user.sessionsValidAfter,
          client,
        })) === 'rotated';
  const successor = moved ? next : await successorForRetry(deps, { sub, fam, jti }, now, { clockMs: user.sessionsValidAfter, reason });

  const values = csrfValues(deps, successor.jti);
  // How the session's login authenticated, carried forward like auth_time (a Flask token's: the password).
  const authn = authnOf(claims);
  const [accessToken, nextRefreshToken] = await Promise.all([
    deps.issuer.issueAccessToken(sub, false, authTime, { sid: fam, csrf: values.accessCsrf, authn }),
    deps.issuer.issueRefreshToken(sub, { fam, authTime, ...successor, csrf: values.refreshCsrf, authn }),
  ]);
  return { sub, accessToken, refreshToken: nextRefreshToken, ...values };
}

/** The `csrf` claims of a new access token and of the refresh token `refreshJti`, when tokens go in cookies. */
function csrfValues(deps: Pick<SessionDeps, 'csrfClaims'>, refreshJti: string): { accessCsrf?: string; refreshCsrf?: string } {
  return deps.csrfClaims ? { accessCsrf: newCsrfValue(), refreshCsrf: refreshCsrfValue(refreshJti) } : {};
}

function revoked(): SessionRevokedError {
  return new SessionRevokedError('ERR_REFRESH_TOKEN_REVOKED', 'Refresh token has been revoked');
}

/** Revokes a family whose superseded token came back, and says so. Error code: ERR_REFRESH_TOKEN_REUSED. */
async function revokeForReuse(deps: SessionDeps, fam: string, sub: string, now: number): Promise<never> {
  await deps.families.revoke(fam, sub, 'reuse', now);
  throw new SessionRevokedError('ERR_REFRESH_TOKEN_REUSED', 'Refresh token reuse detected; the session has been revoked');
}

/**
 * The presented token was not the family's current one. If it is the one the last rotation
 * replaced, and that rotation is at most REFRESH_REUSE_GRACE seconds old, the caller gets that
 * rotation's successor again (its jti, iat and exp, kept on the family). Anything else is reuse.
 * Error codes: ERR_REFRESH_TOKEN_REVOKED, ERR_REFRESH_TOKEN_REUSED, ERR_STORE_UNAVAILABLE.
 */
async function successorForRetry(
  deps: SessionDeps,
  { sub, fam, jti }: { sub: string; fam: string; jti: string },
  now: number,
  revocation: { clockMs: number; reason: 'user-disabled' | 'password-changed' },
): Promise<{ jti: string; iat: number; exp: number }> {
  const family = await deps.families.get(fam);
  if (!family || family.username !== sub || family.status !== 'active' || family.expiresAt <= now) throw revoked();
  if (!loggedInAfter(family, revocation.clockMs)) {
    // Ended by the revocation clock; the row is marked now if the password change or disable missed it.
    await deps.families.revoke(fam, sub, revocation.reason, now);
    throw revoked();
  }
  const { previousJti, rotatedAt, currentJti, currentIat, currentExp } = family;
  const grace = deps.refreshReuseGraceSeconds;
  // Rows written before successors were kept have no currentIat/currentExp: strict, as before.
  if (grace > 0 && previousJti === jti && now - rotatedAt <= grace && currentIat !== undefined && currentExp !== undefined) {
    return { jti: currentJti, iat: currentIat, exp: currentExp };
  }
  return revokeForReuse(deps, fam, sub, now);
}

/**
 * POST /logout: revokes the refresh token's family. Idempotent: logging out twice, or with a
 * superseded token of the family, still succeeds. Returns who logged out.
 * Error codes: those of `verifyRefreshToken`, ERR_STORE_UNAVAILABLE.
 */
export async function revokeSession(
  deps: Pick<SessionDeps, 'verifier' | 'families'>,
  refreshToken: string,
  csrf?: CsrfCheck,
): Promise<{ sub: string }> {
  const claims = await deps.verifier.verifyRefreshToken(refreshToken);
  if (csrf) checkCsrf(claims, csrf.header);
  const { sub, fam, jti, auth_time: authTime, iat, exp } = claims;
  const now = nowSeconds();
  if (fam === undefined) await revokeLegacyToken(deps.families, { sub, jti, authTime: authTime ?? iat, exp }, now);
  else await deps.families.revoke(fam, sub, 'logout', now);
  return { sub };
}
