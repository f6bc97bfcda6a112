/**
 * flask-jwt-extended refresh tokens (TOKEN_FORMAT compatibility) carry no family. Each is given
 * one on first use, named after its `jti`: refreshing exchanges the token once for the first
 * token of that family (presenting it again is reuse), and logging out records the family as
 * revoked, so a token that was never exchanged cannot be exchanged later either.
 */
import type { ClientInfo, FamilyStore } from './family-store';

/** The family a flask-jwt-extended refresh token is given. */
export function legacyFamilyId(jti: string): string {
  return `legacy-${jti}`;
}

/**
 * Starts the token's family with `next` as its current token: 'exchanged' the first time,
 * 'taken' once the family exists (a retry, reuse, or a logged-out token: the caller decides).
 * Error code: ERR_STORE_UNAVAILABLE.
 */
export async function exchangeLegacyToken(
  families: FamilyStore,
  token: { sub: string; jti: string; authTime: number; iat: number },
  next: { jti: string; iat: number; exp: number; now: number },
  client: ClientInfo,
): Promise<'exchanged' | 'taken'> {
  const { now } = next;
  const created = await families.create({
    familyId: legacyFamilyId(token.jti),
    username: token.sub,
    // The exchange is the family's first rotation: the Flask token is the one it replaced.
    previousJti: token.jti,
    currentJti: next.jti,
    currentIat: next.iat,
    currentExp: next.exp,
    status: 'active',
    authTime: token.authTime,
    createdAt: now,
    // The session's login is the Flask token's: compared with the user's revocation clock.
    createdAtMs: token.iat * 1000,
    rotatedAt: now,
    expiresAt: next.exp,
    // Where the Flask session logged in is unknown: the exchange is its first sighting here.
    ip: client.ip,
    userAgent: client.userAgent,
  });
  return created ? 'exchanged' : 'taken';
}

/** Ends the token's family, exchanged or not. Error code: ERR_STORE_UNAVAILABLE. */
export async function revokeLegacyToken(
  families: FamilyStore,
  token: { sub: string; jti: string; authTime: number; exp: number },
  now: number,
): Promise<void> {
  const familyId = legacyFamilyId(token.jti);
  const marker = {
    familyId,
    username: token.sub,
    currentJti: token.jti,
    status: 'revoked',
    revokedReason: 'logout',
    authTime: token.authTime,
    createdAt: now,
    rotatedAt: now,
    expiresAt: token.exp,
  } as const;
  if (!(await families.create(marker))) await families.revoke(familyId, token.sub, 'logout', now);
}
