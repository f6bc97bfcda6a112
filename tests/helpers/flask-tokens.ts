import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';

/**
 * Tokens shaped as flask-jwt-extended 4.x writes them with its defaults: HS256 with the app's
 * secret, header {"alg":"HS256","typ":"JWT"} (no kid), claims fresh, iat, jti, type, sub, nbf,
 * exp, and no iss or aud. `fresh` is a boolean, or a float timestamp when the app passes a
 * timedelta (fresh for that long).
 */
export function flaskToken(
  secret: string,
  kind: 'access' | 'refresh',
  {
    sub = 'test',
    fresh = false,
    ttl = 900,
    now = Math.floor(Date.now() / 1000),
  }: { sub?: string; fresh?: boolean | number; ttl?: number; now?: number } = {},
): Promise<string> {
  return new SignJWT({ fresh, iat: now, jti: randomUUID(), type: kind, sub, nbf: now, exp: now + ttl })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}
