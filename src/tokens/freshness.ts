import type { AccessClaims } from './token-types';

/**
 * Whether an access token is fresh enough at `now` (epoch seconds): `fresh` is `true`, or a
 * "fresh until" time still ahead (no leeway: freshness is a security decision, not clock skew);
 * and, when `maxAgeSeconds` is set, the password was verified at most that long ago (OIDC
 * `max_age`), which a token without `auth_time` can never show.
 */
export function isFresh(claims: Pick<AccessClaims, 'fresh' | 'auth_time'>, now: number, maxAgeSeconds?: number): boolean {
  const { fresh, auth_time: authTime } = claims;
  const freshNow = fresh === true || (typeof fresh === 'number' && fresh > now);
  if (!freshNow) return false;
  if (maxAgeSeconds === undefined) return true;
  return authTime !== undefined && now - authTime <= maxAgeSeconds;
}

/** The freshness a password login grants: `true`, or "fresh until" now + window when a window is set. */
export function grantedFreshness(now: number, windowSeconds: number): boolean | number {
  return windowSeconds > 0 ? now + windowSeconds : true;
}
