import { CompactSign, SignJWT, type JWTPayload } from 'jose';
import type { KeySupply } from '../../../src/tokens/key-ring';
import { loadVerificationKeys, secretKid, type VerificationKeys } from '../../../src/tokens/keys';
import { createTokenVerifier } from '../../../src/tokens/token-verifier';
import { accessClaims, craftToken } from '../../helpers/craft-token';
import { TEST_ENV, testConfig, testVerifier } from '../../helpers/test-config';

// Every claim a verified signature does not vouch for the shape of: which shapes are refused, with
// the reason the log line gets (the client sees only "Invalid token"), and the limits accepted.

const verifier = testVerifier(testConfig());

/** What verifying `token` as `kind` rejects with: the code and the logged cause. */
async function refusal(kind: 'access' | 'refresh', token: string): Promise<{ code?: string; cause?: unknown }> {
  try {
    await (kind === 'access' ? verifier.verifyAccessToken(token) : verifier.verifyRefreshToken(token));
  } catch (err) {
    const { code, cause } = err as { code?: string; cause?: unknown };
    return { code, cause };
  }
  return {};
}

function refreshClaims(overrides: JWTPayload = {}): JWTPayload {
  return accessClaims({ type: 'refresh', fresh: undefined, fam: 'family-1', auth_time: Math.floor(Date.now() / 1000) - 5, ...overrides });
}
const refreshToken = (claims: JWTPayload) => craftToken(claims, { typ: 'rt+jwt' });

describe('the shape of each claim', () => {
  it.each([
    ['fresh', { fresh: 'true' }, 'fresh claim is neither a boolean nor a NumericDate'],
    ['fresh', { fresh: Number.NaN }, 'fresh claim is neither a boolean nor a NumericDate'],
    ['auth_time', { auth_time: '1800000000' }, 'auth_time is not a NumericDate'],
    ['sid', { sid: '' }, 'sid is not a string'],
    ['sub', { sub: '' }, 'malformed registered claims'],
    ['sub', { sub: 42 }, 'malformed registered claims'],
    ['jti', { jti: 7 }, 'malformed registered claims'],
    ['csrf', { csrf: '' }, 'csrf is not a string'],
    ['csrf', { csrf: 12345 }, 'csrf is not a string'],
    ['acr', { acr: '' }, 'acr is not a string'],
    ['acr', { acr: ['urn:fresh-token:acr:phr'] }, 'acr is not a string'],
    ['amr', { amr: 'pwd' }, 'amr is not an array of method names'],
    ['amr', { amr: [] }, 'amr is not an array of method names'],
    ['amr', { amr: Array.from({ length: 9 }, () => 'pwd') }, 'amr is not an array of method names'],
    ['amr', { amr: ['pwd', ''] }, 'amr is not an array of method names'],
    ['amr', { amr: ['pwd', 7] }, 'amr is not an array of method names'],
    ['amr', { amr: ['m'.repeat(33)] }, 'amr is not an array of method names'],
    ['amr', { amr: [['pwd']] }, 'amr is not an array of method names'],
  ])('refuses an access token whose %s is %j', async (_, overrides, cause) => {
    expect(await refusal('access', await craftToken(accessClaims(overrides as JWTPayload)))).toEqual({ code: 'ERR_TOKEN_INVALID', cause });
  });

  it('accepts the longest amr (8 names of 32 characters), csrf, acr and a "fresh until" time', async () => {
    const amr = Array.from({ length: 8 }, (_, i) => `${i}`.padEnd(32, 'm'));
    const claims = await verifier.verifyAccessToken(
      await craftToken(accessClaims({ amr, acr: 'urn:fresh-token:acr:phr', csrf: 'c', fresh: 1_900_000_000 })),
    );
    expect(claims).toMatchObject({ amr, acr: 'urn:fresh-token:acr:phr', csrf: 'c', fresh: 1_900_000_000 });
  });

  it.each([
    ['fam', { fam: '' }, 'fam or auth_time missing or malformed'],
    ['fam', { fam: 7 }, 'fam or auth_time missing or malformed'],
    ['auth_time', { auth_time: '5' }, 'fam or auth_time missing or malformed'],
    ['csrf', { csrf: '' }, 'csrf is not a string'],
    ['amr', { amr: [] }, 'amr is not an array of method names'],
    ['acr', { acr: 3 }, 'acr is not a string'],
    ['sub', { sub: '' }, 'malformed registered claims'],
  ])('refuses a refresh token whose %s is %j', async (_, overrides, cause) => {
    expect(await refusal('refresh', await refreshToken(refreshClaims(overrides as JWTPayload)))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause,
    });
  });

  it('carries a refresh token’s csrf, amr and acr', async () => {
    const claims = await verifier.verifyRefreshToken(await refreshToken(refreshClaims({ csrf: 'c', amr: ['hwk', 'user'], acr: 'urn:x' })));
    expect(claims).toMatchObject({ fam: 'family-1', csrf: 'c', amr: ['hwk', 'user'], acr: 'urn:x' });
  });

  it('names the mismatch of type claim and typ header, and an unknown type', async () => {
    expect(await refusal('access', await craftToken(accessClaims(), { typ: 'rt+jwt' }))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'typ header does not match type claim',
    });
    expect(await refusal('access', await craftToken(accessClaims({ type: 'id' })))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'unknown type claim',
    });
  });
});

describe('what the verifier says of each refusal, and what it leaves out of the claims', () => {
  const secretKey = new TextEncoder().encode(TEST_ENV.JWT_SECRET);
  /** Signs a payload written as raw JSON (numbers JSON.stringify cannot write, like 1e999). */
  const rawToken = (payload: string, typ = 'at+jwt') =>
    new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: 'HS256', typ, kid: secretKid(TEST_ENV.JWT_SECRET) })
      .sign(secretKey);
  const now = () => Math.floor(Date.now() / 1000);
  /** The code, message and cause of a refusal. */
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => {
        const { code, message, cause } = err as { code?: string; message: string; cause?: unknown };
        return { code, message, cause };
      },
    );

  it('refuses an infinite fresh or auth_time (JSON can write 1e999), naming the claim', async () => {
    const base = JSON.stringify(accessClaims()).slice(0, -1);
    expect(await refusal('access', await rawToken(`${base},"fresh":1e999}`))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'fresh claim is neither a boolean nor a NumericDate',
    });
    expect(await refusal('access', await rawToken(`${base},"auth_time":-1e999}`))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'auth_time is not a NumericDate',
    });
    // A string auth_time that reads as a far future time is malformed, not "from the future".
    expect(await refusal('access', await craftToken(accessClaims({ auth_time: '9999999999' })))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'auth_time is not a NumericDate',
    });
  });

  it('names a token from the future, a missing kid and an unknown kid in the cause', async () => {
    expect(await refusal('access', await craftToken(accessClaims({ iat: now() + 120 })))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'iat or auth_time in the future',
    });
    expect(await refusal('access', await craftToken(accessClaims({ auth_time: now() + 120 })))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'iat or auth_time in the future',
    });
    const withoutKid = await new SignJWT(accessClaims()).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(secretKey);
    expect(await refusal('access', withoutKid)).toEqual({ code: 'ERR_TOKEN_INVALID', cause: 'no kid' });
    expect(await refusal('access', await craftToken(accessClaims(), { kid: 'hs-somebodyelse' }))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'unknown kid',
    });
  });

  it('answers an expired, an early and a wrongly addressed token each in its own words', async () => {
    // Built inside the test, so a mutation test sees this test run its options (issuer, audience).
    const verifier = testVerifier(testConfig());
    expect(await failure(verifier.verifyAccessToken(await craftToken(accessClaims({ exp: now() - 10 }))))).toEqual({
      code: 'ERR_TOKEN_EXPIRED',
      message: 'Token has expired',
      cause: 'ERR_JWT_EXPIRED',
    });
    expect(await failure(verifier.verifyAccessToken(await craftToken(accessClaims({ nbf: now() + 60 }))))).toEqual({
      code: 'ERR_TOKEN_NOT_YET_VALID',
      message: 'Token is not yet valid',
      cause: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
    // Another issuer's or audience's token fails the same claim check, but it is not "early".
    for (const overrides of [{ aud: 'another-api' }, { iss: 'another-issuer' }, { nbf: 'soon' }])
      expect(await failure(verifier.verifyAccessToken(await craftToken(accessClaims(overrides as JWTPayload))))).toEqual({
        code: 'ERR_TOKEN_INVALID',
        message: 'Invalid token',
        cause: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      });
    expect(await failure(verifier.verifyAccessToken(await refreshToken(refreshClaims())))).toEqual({
      code: 'ERR_ACCESS_TOKEN_REQUIRED',
      message: 'Only access tokens are allowed',
      cause: undefined,
    });
  });

  it('puts auth_time and sid in the claims only when the token has them', async () => {
    const { auth_time: _, ...withoutAuthTime } = accessClaims({ auth_time: now() });
    const bare = await verifier.verifyAccessToken(await craftToken(withoutAuthTime));
    expect(Object.keys(bare).sort()).toEqual(['exp', 'fresh', 'iat', 'jti', 'sub']);
    const full = await verifier.verifyAccessToken(await craftToken(accessClaims({ auth_time: now(), sid: 'family-1' })));
    expect(Object.keys(full).sort()).toEqual(['auth_time', 'exp', 'fresh', 'iat', 'jti', 'sid', 'sub']);
  });

  it('takes a refresh token without fam and auth_time only in the flask-jwt-extended format, and then without both', async () => {
    const { fam: _fam, auth_time: _authTime, ...neither } = refreshClaims();
    expect(await refusal('refresh', await refreshToken(neither))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'fam or auth_time missing or malformed',
    });
    const flask = testVerifier(testConfig({ TOKEN_FORMAT: 'flask-jwt-extended' }));
    const flaskRefresh = (claims: JWTPayload) => {
      const { iss: _iss, aud: _aud, ...rest } = claims;
      return craftToken(rest, { typ: 'JWT', kid: undefined });
    };
    await expect(flask.verifyRefreshToken(await flaskRefresh(neither))).resolves.not.toHaveProperty('fam');
    for (const half of [
      { ...neither, fam: 'family-1' },
      { ...neither, auth_time: now() },
    ])
      expect(await failure(flask.verifyRefreshToken(await flaskRefresh(half)))).toMatchObject({
        code: 'ERR_TOKEN_INVALID',
        cause: 'fam or auth_time missing or malformed',
      });
  });
});

describe('a verifier that meets an unknown kid', () => {
  /** Keys that gain `kid` after the first re-read, counting the re-reads. */
  async function rotatingSupply() {
    const before = await loadVerificationKeys(testConfig(), () => Promise.reject(new Error('no SSM')));
    const next = 'the-next-secret-of-at-least-32-bytes-0123456789';
    const after = await loadVerificationKeys(testConfig({ JWT_SECRET: next }), () => Promise.reject(new Error('no SSM')));
    let keys = before;
    const state = { refreshes: 0 };
    const supply: KeySupply<VerificationKeys> = {
      current: () => keys,
      ready: () => Promise.resolve(keys),
      reload: () => Promise.resolve(keys),
      refreshForUnknownKid: () => {
        state.refreshes += 1;
        keys = after;
        return Promise.resolve(true);
      },
    };
    return { supply, state, next };
  }

  it('re-reads once and accepts a token of the key rotated in', async () => {
    const { supply, state, next } = await rotatingSupply();
    const verifying = createTokenVerifier(testConfig(), supply);
    await expect(verifying.verifyAccessToken(await craftToken(accessClaims(), {}, next))).resolves.toMatchObject({ sub: 'alice' });
    expect(state.refreshes).toBe(1);
  });

  it('re-reads once, not in a loop, for a kid that no read will bring', async () => {
    const { supply, state } = await rotatingSupply();
    const verifying = createTokenVerifier(testConfig(), supply);
    expect(await refusedBy(verifying, await craftToken(accessClaims(), { kid: 'hs-nobodyknows1' }))).toEqual({
      code: 'ERR_TOKEN_INVALID',
      cause: 'unknown kid',
    });
    expect(state.refreshes).toBe(1);
  });

  it('does not re-read for a bad signature under a known kid, or a token without kid', async () => {
    const { supply, state } = await rotatingSupply();
    const verifying = createTokenVerifier(testConfig(), supply);
    const forged = await craftToken(accessClaims(), { kid: secretKid(TEST_ENV.JWT_SECRET) }, 'a-forger-secret-of-at-least-32-bytes-01234');
    expect(await refusedBy(verifying, forged)).toEqual({ code: 'ERR_TOKEN_INVALID', cause: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    expect(state.refreshes).toBe(0);
  });

  async function refusedBy(verifying: ReturnType<typeof createTokenVerifier>, token: string) {
    try {
      await verifying.verifyAccessToken(token);
    } catch (err) {
      const { code, cause } = err as { code?: string; cause?: unknown };
      return { code, cause };
    }
    return {};
  }
});
