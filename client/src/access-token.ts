/**
 * What the client reads from a token it holds: never verified here (the server verifies every
 * token it is sent), only so it knows when to refresh and whom the session is for.
 */

/** The claims of a JWT the client acts on. */
export interface TokenClaims {
  /** Expiry, epoch seconds. */
  readonly exp: number;
  /** Issued at, epoch seconds, when the token says. */
  readonly iat: number | undefined;
  /** The user, when the token says. */
  readonly sub: string | undefined;
}

const decoder = new TextDecoder();

/** The payload of a compact JWS, or undefined if `token` is not one. */
function payload(token: string): unknown {
  const part = token.split('.')[1];
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(decoder.decode(Uint8Array.from(binary, (char) => char.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

/** Reads `exp`, `iat` and `sub` from `token`; undefined for anything without a numeric `exp`. */
export function readTokenClaims(token: string): TokenClaims | undefined {
  const claims = payload(token);
  if (typeof claims !== 'object' || claims === null) return undefined;
  const { exp, iat, sub } = claims as Record<string, unknown>;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  return {
    exp,
    iat: typeof iat === 'number' && Number.isFinite(iat) ? iat : undefined,
    sub: typeof sub === 'string' ? sub : undefined,
  };
}
