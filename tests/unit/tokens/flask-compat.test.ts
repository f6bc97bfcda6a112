import { decodeProtectedHeader, jwtVerify } from 'jose';
import { rejectionCode as codeOf } from '../../helpers/error-code';
import { flaskToken } from '../../helpers/flask-tokens';
import { AUTH_TIME, REFRESH, TEST_ENV, testConfig, testIssuer, testVerifier } from '../../helpers/test-config';

const compat = testConfig({ TOKEN_FORMAT: 'flask-jwt-extended' });
const SECRET = TEST_ENV.JWT_SECRET;

describe('flask-jwt-extended compatibility: tokens from a Flask app', () => {
  const verifier = testVerifier(compat);

  it.each([
    ['not fresh', false],
    ['fresh', true],
    ['fresh until a float timestamp', AUTH_TIME + 300.5],
  ])('accepts an access token that is %s', async (_label, fresh) => {
    const claims = await verifier.verifyAccessToken(await flaskToken(SECRET, 'access', { fresh }));
    expect(claims).toMatchObject({ sub: 'test', fresh });
    expect(claims.auth_time).toBeUndefined();
  });

  it('accepts a refresh token, which has no family yet', async () => {
    const claims = await verifier.verifyRefreshToken(await flaskToken(SECRET, 'refresh'));
    expect(claims.sub).toBe('test');
    expect(claims.fam).toBeUndefined();
  });

  it('still keeps the kinds apart and checks the signature', async () => {
    expect(await codeOf(verifier.verifyAccessToken(await flaskToken(SECRET, 'refresh')))).toBe('ERR_ACCESS_TOKEN_REQUIRED');
    expect(await codeOf(verifier.verifyRefreshToken(await flaskToken(SECRET, 'access')))).toBe('ERR_REFRESH_TOKEN_REQUIRED');
    expect(await codeOf(verifier.verifyAccessToken(await flaskToken('another-secret-of-at-least-32-bytes-000', 'access')))).toBe(
      'ERR_TOKEN_INVALID',
    );
    expect(await codeOf(verifier.verifyAccessToken(await flaskToken(SECRET, 'access', { now: AUTH_TIME - 3600 })))).toBe(
      'ERR_TOKEN_EXPIRED',
    );
  });

  it('is off by default: the standard format refuses Flask tokens', async () => {
    expect(await codeOf(testVerifier().verifyAccessToken(await flaskToken(SECRET, 'access', { fresh: true })))).toBe('ERR_TOKEN_INVALID');
  });
});

describe('flask-jwt-extended compatibility: tokens for a Flask app', () => {
  const issuer = testIssuer(compat);

  /** What flask-jwt-extended 4.x's decode_token checks: signature (HS256), exp/nbf/iat, then jti, sub, type and (access) fresh. */
  async function decodeAsFlask(token: string) {
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
    for (const claim of ['jti', 'sub', 'type', 'iat', 'nbf', 'exp']) expect(payload).toHaveProperty(claim);
    if (payload.type === 'access') expect(payload).toHaveProperty('fresh');
    // PyJWT refuses a token with "aud" unless the app configured one; flask-jwt-extended sets none by default.
    expect(payload).not.toHaveProperty('aud');
    expect(payload).not.toHaveProperty('iss');
    return { payload, protectedHeader };
  }

  it('issues access tokens a Flask app decodes, fresh as a boolean or a timestamp', async () => {
    const fresh = await decodeAsFlask(await issuer.issueAccessToken('test', true, AUTH_TIME));
    expect(fresh.protectedHeader).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(fresh.payload).toMatchObject({ sub: 'test', type: 'access', fresh: true });
    const until = await decodeAsFlask(await issuer.issueAccessToken('test', AUTH_TIME + 600, AUTH_TIME));
    expect(until.payload.fresh).toBe(AUTH_TIME + 600);
  });

  it('issues refresh tokens a Flask app decodes, and accepts them back', async () => {
    const token = await issuer.issueRefreshToken('test', REFRESH);
    expect((await decodeAsFlask(token)).payload).toMatchObject({ sub: 'test', type: 'refresh' });
    expect(decodeProtectedHeader(token).typ).toBe('JWT');
    await expect(testVerifier(compat).verifyRefreshToken(token)).resolves.toMatchObject({ fam: REFRESH.fam });
  });

  it('refuses an asymmetric algorithm: Flask shares a secret', () => {
    expect(() => testConfig({ TOKEN_FORMAT: 'flask-jwt-extended', JWT_ALG: 'EdDSA', JWT_PUBLIC_KEYS: '{}' })).toThrow(
      'TOKEN_FORMAT=flask-jwt-extended needs JWT_ALG=HS256',
    );
  });
});
