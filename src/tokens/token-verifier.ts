import { jwtVerify, type JWTHeaderParameters, type JWTPayload, type JWTVerifyResult } from 'jose';
import { TokenError } from '../errors/errors';
import { nowSeconds } from '../platform/clock';
import type { KeySupply } from './key-ring';
import type { Key, VerificationKeys } from './keys';
import { TYP, type AccessClaims, type RefreshClaims, type RegisteredClaims, type TokenKind, type TokenSettings } from './token-types';

/** Verifies the product's tokens; the authorizers' hot path. */
export interface TokenVerifier {
  /** Error codes: ERR_TOKEN_INVALID, ERR_TOKEN_EXPIRED, ERR_TOKEN_NOT_YET_VALID, ERR_ACCESS_TOKEN_REQUIRED. */
  verifyAccessToken(token: string): Promise<AccessClaims>;
  /** Error codes: ERR_TOKEN_INVALID, ERR_TOKEN_EXPIRED, ERR_TOKEN_NOT_YET_VALID, ERR_REFRESH_TOKEN_REQUIRED. */
  verifyRefreshToken(token: string): Promise<RefreshClaims>;
}

const REQUIRED_CLAIMS = ['sub', 'jti', 'iat', 'nbf', 'exp', 'type'];

/**
 * Builds the verifier: algorithm pinned (so an HS256 token cannot pass as EdDSA or the reverse),
 * key chosen by `kid` from the allow-list, issuer and audience required in the standard format.
 */
export function createTokenVerifier(settings: TokenSettings, keys: KeySupply<VerificationKeys>): TokenVerifier {
  const standard = settings.tokenFormat === 'standard';
  const options = {
    algorithms: [settings.jwtAlgorithm],
    clockTolerance: settings.clockLeewaySeconds,
    requiredClaims: REQUIRED_CLAIMS,
    ...(standard ? { issuer: settings.issuer, audience: settings.audience } : {}),
  };
  const typ = TYP[settings.tokenFormat];

  // The keys of the current verification, read synchronously by the key function: the hot path
  // awaits nothing of its own once they are loaded.
  let ring: VerificationKeys | undefined;
  const pick = ({ kid }: JWTHeaderParameters): Key => {
    const loaded = ring;
    if (!loaded) throw new Error('verification keys are not loaded');
    const key = kid === undefined ? (standard ? undefined : loaded.withoutKid) : loaded.byKid.get(kid);
    if (key) return key;
    throw kid === undefined ? invalidToken('no kid') : new UnknownKid();
  };

  const verify = async (token: string, expected: TokenKind, retried = false): Promise<JWTPayload> => {
    ring = keys.current() ?? (await keys.ready());
    let result: JWTVerifyResult;
    try {
      result = await jwtVerify(token, pick, options);
    } catch (err) {
      // A kid we do not know may be a key rotated in since the keys were read: read them again
      // (at most once a minute per container) and try once more.
      if (err instanceof UnknownKid && !retried && (await keys.refreshForUnknownKid())) return verify(token, expected, true);
      throw toTokenError(err);
    }
    // No tokens from the future (RFC 8725 §3.10 hygiene): jose checks exp and nbf, not iat.
    const { iat, auth_time } = result.payload;
    const latest = nowSeconds() + settings.clockLeewaySeconds;
    if ((typeof iat === 'number' && iat > latest) || (typeof auth_time === 'number' && auth_time > latest)) {
      throw invalidToken('iat or auth_time in the future');
    }
    return checkKind(result, expected, typ);
  };

  return {
    async verifyAccessToken(token) {
      const payload = await verify(token, 'access');
      const { fresh, auth_time, sid, csrf, amr, acr } = payload;
      if (typeof fresh !== 'boolean' && !(typeof fresh === 'number' && Number.isFinite(fresh))) {
        throw invalidToken('fresh claim is neither a boolean nor a NumericDate');
      }
      if (auth_time !== undefined && (typeof auth_time !== 'number' || !Number.isFinite(auth_time))) {
        throw invalidToken('auth_time is not a NumericDate');
      }
      if (sid !== undefined && (typeof sid !== 'string' || sid === '')) throw invalidToken('sid is not a string');
      // Built field by field, without spreads: this is the authorizers' hot path.
      const { sub, jti, iat, exp } = registeredClaims(payload);
      const claims: { -readonly [K in keyof AccessClaims]: AccessClaims[K] } = { sub, jti, iat, exp, fresh };
      if (auth_time !== undefined) claims.auth_time = auth_time;
      if (sid !== undefined) claims.sid = sid;
      if (csrf !== undefined) claims.csrf = csrfClaim(csrf);
      if (amr !== undefined) claims.amr = amrClaim(amr);
      if (acr !== undefined) claims.acr = acrClaim(acr);
      return claims;
    },
    async verifyRefreshToken(token) {
      const payload = await verify(token, 'refresh');
      const { fam, auth_time, csrf, amr, acr } = payload;
      // flask-jwt-extended's own refresh tokens have neither; ours always have both.
      const legacy = !standard && fam === undefined && auth_time === undefined;
      if (!legacy && (typeof fam !== 'string' || fam === '' || typeof auth_time !== 'number')) {
        throw invalidToken('fam or auth_time missing or malformed');
      }
      return {
        ...registeredClaims(payload),
        ...(legacy ? {} : { fam: fam as string, auth_time: auth_time as number }),
        ...(csrf === undefined ? {} : { csrf: csrfClaim(csrf) }),
        ...(amr === undefined ? {} : { amr: amrClaim(amr) }),
        ...(acr === undefined ? {} : { acr: acrClaim(acr) }),
      };
    },
  };
}

function csrfClaim(csrf: unknown): string {
  if (typeof csrf !== 'string' || csrf === '') throw invalidToken('csrf is not a string');
  return csrf;
}

/** RFC 8176: a non-empty array of short strings. */
function amrClaim(amr: unknown): string[] {
  if (!Array.isArray(amr) || amr.length === 0 || amr.length > 8 || !amr.every((m) => typeof m === 'string' && m !== '' && m.length <= 32))
    throw invalidToken('amr is not an array of method names');
  return amr as string[];
}

function acrClaim(acr: unknown): string {
  if (typeof acr !== 'string' || acr === '') throw invalidToken('acr is not a string');
  return acr;
}

/** A token names a `kid` the loaded keys do not have. */
class UnknownKid extends Error {
  constructor() {
    super('unknown kid');
  }
}

/** The one answer for every unusable token; `cause` says why, for the logs only. */
function invalidToken(cause: string): TokenError {
  return new TokenError('ERR_TOKEN_INVALID', 'Invalid token', { cause });
}

/** Header `typ` and claim `type` must name the same, expected kind. */
function checkKind(
  { payload, protectedHeader }: JWTVerifyResult,
  expected: TokenKind,
  typ: Readonly<Record<TokenKind, string>>,
): JWTPayload {
  const kind = payload.type;
  if (kind !== 'access' && kind !== 'refresh') {
    throw invalidToken('unknown type claim');
  }
  if (protectedHeader.typ !== typ[kind]) {
    throw invalidToken('typ header does not match type claim');
  }
  if (kind !== expected) {
    throw expected === 'access'
      ? new TokenError('ERR_ACCESS_TOKEN_REQUIRED', 'Only access tokens are allowed')
      : new TokenError('ERR_REFRESH_TOKEN_REQUIRED', 'Only refresh tokens are allowed');
  }
  return payload;
}

function registeredClaims(payload: JWTPayload): RegisteredClaims {
  const { sub, jti, iat, exp } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof jti !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') {
    throw invalidToken('malformed registered claims');
  }
  return { sub, jti, iat, exp };
}

const JOSE_CODE = /^ERR_(JOSE|JWS|JWT|JWK)_/;

/** jose's errors carry a stable `code`; any other error is a real fault and is rethrown as is. */
function toTokenError(err: unknown): unknown {
  if (err instanceof TokenError) return err;
  if (err instanceof UnknownKid) return invalidToken('unknown kid');
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !JOSE_CODE.test(code)) return err;
  if (code === 'ERR_JWT_EXPIRED') return new TokenError('ERR_TOKEN_EXPIRED', 'Token has expired', { cause: code });
  const { claim, reason } = err as { claim?: unknown; reason?: unknown };
  // A missing or non-numeric nbf is malformed, not early: only a failed time check means "not yet".
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'nbf' && reason === 'check_failed') {
    return new TokenError('ERR_TOKEN_NOT_YET_VALID', 'Token is not yet valid', { cause: code });
  }
  return invalidToken(code);
}
