import { decodeJwt } from 'jose';
import { accessClaims, craftToken, unsecuredToken } from '../../helpers/craft-token';
import { AUTH_TIME, REFRESH, testConfig, testIssuer, testVerifier } from '../../helpers/test-config';
import { rejectionCode as codeOf } from '../../helpers/error-code';

const config = testConfig();
const issuer = testIssuer(config);
const verifier = testVerifier(config);

describe('token verifier', () => {
  afterEach(() => jest.useRealTimers());

  it('accepts a fresh access token it issued and returns its claims', async () => {
    const claims = await verifier.verifyAccessToken(await issuer.issueAccessToken('alice', true, AUTH_TIME));
    expect(claims).toMatchObject({ sub: 'alice', fresh: true });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a non-fresh access token non-fresh', async () => {
    const claims = await verifier.verifyAccessToken(await issuer.issueAccessToken('alice', false, AUTH_TIME));
    expect(claims.fresh).toBe(false);
  });

  it('gives every token its own jti', async () => {
    const a = await verifier.verifyAccessToken(await issuer.issueAccessToken('alice', true, AUTH_TIME));
    const b = await verifier.verifyAccessToken(await issuer.issueAccessToken('alice', true, AUTH_TIME));
    expect(a.jti).not.toBe(b.jti);
  });

  it('issues refresh tokens carrying family, jti, auth_time and the iat and exp the family records', async () => {
    const claims = await verifier.verifyRefreshToken(await issuer.issueRefreshToken('alice', REFRESH));
    expect(claims).toMatchObject({ sub: 'alice', fam: REFRESH.fam, jti: REFRESH.jti, auth_time: AUTH_TIME });
    expect(claims).toMatchObject({ iat: REFRESH.iat, exp: REFRESH.exp });
  });

  it('puts a csrf claim on refresh and access tokens only when given one (cookie transport)', async () => {
    const withCsrf = decodeJwt(await issuer.issueRefreshToken('alice', { ...REFRESH, csrf: 'csrf-r' }));
    expect(withCsrf.csrf).toBe('csrf-r');
    expect(decodeJwt(await issuer.issueRefreshToken('alice', REFRESH))).not.toHaveProperty('csrf');
    const access = decodeJwt(await issuer.issueAccessToken('alice', true, AUTH_TIME, { csrf: 'csrf-a', sid: 'family-1' }));
    expect(access).toMatchObject({ csrf: 'csrf-a', sid: 'family-1' });
    const plain = decodeJwt(await issuer.issueAccessToken('alice', true, AUTH_TIME));
    expect(plain).not.toHaveProperty('csrf');
    expect(plain).not.toHaveProperty('sid');
  });

  it('signs the same refresh token byte for byte from the same family record (a retried rotation)', async () => {
    expect(await issuer.issueRefreshToken('alice', REFRESH)).toBe(await issuer.issueRefreshToken('alice', REFRESH));
  });

  it.each(['fam', 'auth_time'])('rejects a refresh token without %s', async (claim) => {
    const claims = accessClaims({ type: 'refresh', fam: 'family-1', auth_time: AUTH_TIME });
    delete claims.fresh;
    await expect(verifier.verifyRefreshToken(await craftToken(claims, { typ: 'rt+jwt' }))).resolves.toMatchObject({ fam: 'family-1' });
    delete claims[claim];
    expect(await codeOf(verifier.verifyRefreshToken(await craftToken(claims, { typ: 'rt+jwt' })))).toBe('ERR_TOKEN_INVALID');
  });

  it('honours configured lifetimes', async () => {
    const short = testConfig({ ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '3600' });
    const shortIssuer = testIssuer(short);
    const access = await verifier.verifyAccessToken(await shortIssuer.issueAccessToken('alice', true, AUTH_TIME));
    const refresh = await verifier.verifyRefreshToken(await shortIssuer.issueRefreshToken('alice', REFRESH));
    expect(access.exp - access.iat).toBe(60);
    expect(refresh.exp - refresh.iat).toBe(3600);
  });

  it('rejects a refresh token used as an access token', async () => {
    expect(await codeOf(verifier.verifyAccessToken(await issuer.issueRefreshToken('alice', REFRESH)))).toBe('ERR_ACCESS_TOKEN_REQUIRED');
  });

  it('rejects an access token used as a refresh token', async () => {
    expect(await codeOf(verifier.verifyRefreshToken(await issuer.issueAccessToken('alice', true, AUTH_TIME)))).toBe(
      'ERR_REFRESH_TOKEN_REQUIRED',
    );
  });

  it('rejects an expired access token', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const token = await issuer.issueAccessToken('alice', true, Math.floor(Date.now() / 1000));
    jest.setSystemTime(new Date('2026-01-01T00:15:00Z'));
    expect(await codeOf(verifier.verifyAccessToken(token))).toBe('ERR_TOKEN_EXPIRED');
  });

  it('accepts a token one second before it expires', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const token = await issuer.issueAccessToken('alice', true, Math.floor(Date.now() / 1000));
    jest.setSystemTime(new Date('2026-01-01T00:14:59Z'));
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'alice' });
  });

  it('accepts a just-expired token within the configured clock leeway', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const token = await issuer.issueAccessToken('alice', true, Math.floor(Date.now() / 1000));
    jest.setSystemTime(new Date('2026-01-01T00:15:20Z'));
    const lenient = testVerifier(testConfig({ CLOCK_LEEWAY: '30' }));
    await expect(lenient.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'alice' });
    expect(await codeOf(verifier.verifyAccessToken(token))).toBe('ERR_TOKEN_EXPIRED');
  });

  it('rejects a token whose nbf is in the future', async () => {
    const later = Math.floor(Date.now() / 1000) + 120;
    const token = await craftToken(accessClaims({ nbf: later }));
    expect(await codeOf(verifier.verifyAccessToken(token))).toBe('ERR_TOKEN_NOT_YET_VALID');
  });

  it('rejects a token whose iat or auth_time lies in the future, beyond the clock leeway', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [{ iat: now + 3600 }, { auth_time: now + 3600 }]) {
      const token = await craftToken(accessClaims(claims));
      expect(await codeOf(verifier.verifyAccessToken(token))).toBe('ERR_TOKEN_INVALID');
    }
    // nbf now, iat ahead: only the iat check catches it.
    const refresh = await craftToken(
      { ...accessClaims({ iat: now + 3600 }), type: 'refresh', fam: 'family-1', auth_time: now, fresh: undefined },
      { typ: 'rt+jwt' },
    );
    expect(await codeOf(verifier.verifyRefreshToken(refresh))).toBe('ERR_TOKEN_INVALID');
    // Within the leeway, a slightly fast clock is tolerated.
    const lenient = testVerifier(testConfig({ CLOCK_LEEWAY: '30' }));
    await expect(lenient.verifyAccessToken(await craftToken(accessClaims({ iat: now + 20 })))).resolves.toMatchObject({ sub: 'alice' });
  });

  it('rejects a token with a tampered payload', async () => {
    const [header, , signature] = (await issuer.issueAccessToken('alice', false, AUTH_TIME)).split('.');
    const forged = Buffer.from(JSON.stringify(accessClaims({ sub: 'alice', fresh: true }))).toString('base64url');
    expect(await codeOf(verifier.verifyAccessToken(`${header}.${forged}.${signature}`))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects a token signed with another secret', async () => {
    const token = await craftToken(accessClaims(), {}, 'another-secret-that-is-also-long-enough-0123');
    expect(await codeOf(verifier.verifyAccessToken(token))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects an unsigned alg none token', async () => {
    expect(await codeOf(verifier.verifyAccessToken(unsecuredToken(accessClaims())))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects a token signed with an algorithm other than the pinned one', async () => {
    // The real secret and its kid: only the algorithm is wrong, and the pinning is what refuses it.
    const token = await craftToken(accessClaims(), { alg: 'HS512' });
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID', cause: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  });

  it('rejects an access token whose typ header is wrong', async () => {
    expect(await codeOf(verifier.verifyAccessToken(await craftToken(accessClaims(), { typ: 'JWT' })))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects a token whose typ header and type claim disagree', async () => {
    const token = await craftToken(accessClaims({ type: 'refresh' }), { typ: 'at+jwt' });
    expect(await codeOf(verifier.verifyRefreshToken(token))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects a token with an unknown type claim', async () => {
    expect(await codeOf(verifier.verifyAccessToken(await craftToken(accessClaims({ type: 'id' }))))).toBe('ERR_TOKEN_INVALID');
  });

  it.each(['sub', 'jti', 'iat', 'nbf', 'exp', 'type', 'fresh'])('rejects an access token without %s', async (claim) => {
    const claims = accessClaims();
    delete claims[claim];
    expect(await codeOf(verifier.verifyAccessToken(await craftToken(claims)))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects a fresh claim that is neither a boolean nor a NumericDate', async () => {
    expect(await codeOf(verifier.verifyAccessToken(await craftToken(accessClaims({ fresh: 'true' }))))).toBe('ERR_TOKEN_INVALID');
    expect(await codeOf(verifier.verifyAccessToken(await craftToken(accessClaims({ fresh: null }))))).toBe('ERR_TOKEN_INVALID');
  });

  it('accepts a "fresh until" NumericDate and carries auth_time', async () => {
    const authTime = Math.floor(Date.now() / 1000) - 60;
    const claims = await verifier.verifyAccessToken(await craftToken(accessClaims({ fresh: authTime + 600, auth_time: authTime })));
    expect(claims).toMatchObject({ fresh: authTime + 600, auth_time: authTime });
  });

  it('carries the session id (sid) of an access token, and rejects one that is not a string', async () => {
    const claims = await verifier.verifyAccessToken(await issuer.issueAccessToken('alice', false, AUTH_TIME, { sid: 'family-1' }));
    expect(claims.sid).toBe('family-1');
    expect((await verifier.verifyAccessToken(await issuer.issueAccessToken('alice', true, AUTH_TIME))).sid).toBeUndefined();
    for (const sid of [42, '', ['family-1']]) {
      expect(await codeOf(verifier.verifyAccessToken(await craftToken(accessClaims({ sid }))))).toBe('ERR_TOKEN_INVALID');
    }
  });

  it('rejects an auth_time that is not a number', async () => {
    expect(await codeOf(verifier.verifyAccessToken(await craftToken(accessClaims({ auth_time: 'yesterday' }))))).toBe('ERR_TOKEN_INVALID');
  });

  it('issues "fresh until" tokens when asked', async () => {
    const claims = await verifier.verifyAccessToken(await issuer.issueAccessToken('alice', AUTH_TIME + 600, AUTH_TIME));
    expect(claims).toMatchObject({ fresh: AUTH_TIME + 600, auth_time: AUTH_TIME });
  });

  it('rejects a token for another audience or issuer', async () => {
    expect(await codeOf(verifier.verifyAccessToken(await craftToken(accessClaims({ aud: 'other-api' }))))).toBe('ERR_TOKEN_INVALID');
    expect(await codeOf(verifier.verifyAccessToken(await craftToken(accessClaims({ iss: 'someone-else' }))))).toBe('ERR_TOKEN_INVALID');
  });

  it.each(['', 'garbage', 'a.b.c', 'eyJ.eyJ.sig', '...'])('rejects the malformed token %j', async (token) => {
    expect(await codeOf(verifier.verifyAccessToken(token))).toBe('ERR_TOKEN_INVALID');
  });
});
