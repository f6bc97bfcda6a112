import { SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { secretKid } from '../../src/tokens/keys';
import { TEST_ENV } from './test-config';

const encoder = new TextEncoder();

/** Claims of a well-formed access token as the product issues it, for tests to vary. */
export function accessClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'alice',
    type: 'access',
    fresh: true,
    jti: 'jti-1',
    iat: now,
    nbf: now,
    exp: now + 900,
    iss: 'fresh-token-lambda',
    aud: 'fresh-token-lambda',
    ...overrides,
  };
}

/**
 * Signs arbitrary claims and header with real HS256 (or another HMAC alg), unlike the product's
 * issuer; the header's `kid` names the secret as the product does, unless `header` overrides it.
 */
export async function craftToken(
  claims: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
  secret: string = TEST_ENV.JWT_SECRET,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: secretKid(secret), ...header })
    .sign(encoder.encode(secret));
}

/** An unsigned `alg: none` token (RFC 7519 §6). */
export function unsecuredToken(claims: JWTPayload, typ = 'at+jwt'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ })}.${part(claims)}.`;
}
