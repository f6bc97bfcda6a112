/**
 * flask-jwt-extended refresh tokens (TOKEN_FORMAT compatibility) carry no family. Each is given
 * one on first use, named after its `jti`: refreshing exchanges the token once for the first
 * token of that family (presenting it again is reuse), and logging out records the family as
 * revoked, so a token that was never exchanged cannot be exchanged later either.
 */
import type { FamilyStore } from './family-store';

/** The family a flask-jwt-extended refresh token is given. */
export function legacyFamilyId(jti: string): string {
  return `legacy-${jti}`;
}

/**
 * Starts the token's family with `newJti` current. 'exchanged' the first time; after that
 * 'revoked' if the family is over, else 'reused'. Error code: ERR_STORE_UNAVAILABLE.
 */
export async function exchangeLegacyToken(
  families: FamilyStore,
  token: { sub: string; jti: string; authTime: number },
  next: { jti: string; now: number; expiresAt: number },
): Promise<'exchanged' | 'revoked' | 'reused'> {
  const familyId = legacyFamilyId(token.jti);
  const { now } = next;
  const created = await families.create({
    familyId,
    username: token.sub,
    currentJti: next.jti,
    status: 'active',
    authTime: token.authTime,
    createdAt: now,
    rotatedAt: now,
    expiresAt: next.expiresAt,
  });
  if (created) return 'exchanged';
  return (await families.get(familyId))?.status === 'active' ? 'reused' : 'revoked';
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
