import type { JWTPayload } from 'jose';
import { accessClaims, craftToken } from '../../helpers/craft-token';
import { testConfig, testVerifier } from '../../helpers/test-config';

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
