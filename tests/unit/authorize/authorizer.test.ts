import { createAuthorizer } from '../../../src/authorize/authorizer';
import { createKeyRing } from '../../../src/tokens/key-ring';
import { ACR_VALUES } from '../../../src/config/config';
import { PASSWORD_AUTHN, passkeyAuthn } from '../../../src/tokens/authn';
import type { VerificationKeys } from '../../../src/tokens/keys';
import { createTokenVerifier } from '../../../src/tokens/token-verifier';
import { accessClaims, craftToken } from '../../helpers/craft-token';
import { authorizerEvent, lambdaContext } from '../../helpers/events';
import { fakeDateOnly } from '../../helpers/hand-clock';
import { AUTH_TIME, REFRESH, testConfig, testIssuer, testVerifier } from '../../helpers/test-config';

const config = testConfig();
const issuer = testIssuer(config);
const anyValid = createAuthorizer({ requireFresh: false, transport: config.transport }, testVerifier(config));
const freshOnly = createAuthorizer({ requireFresh: true, transport: config.transport }, testVerifier(config));
const context = lambdaContext('any-valid');
const API_WIDE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/*';

describe('authorizer pipeline', () => {
  afterEach(() => jest.useRealTimers());

  it('allows a fresh access token on any-valid, for every route of the API, with the identity in the context', async () => {
    const token = await issuer.issueAccessToken('alice', true, AUTH_TIME);
    const result = await anyValid(authorizerEvent(`Bearer ${token}`), context);
    expect(result.principalId).toBe('alice');
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: API_WIDE }]);
    expect(result.context).toEqual({
      identity: 'alice',
      fresh: true,
      jti: expect.any(String),
      issuedAt: expect.any(Number),
      expiresAt: expect.any(Number),
      authTime: AUTH_TIME,
    });
  });

  it('passes the token’s session on as sid, for the routes that list and end sessions', async () => {
    const token = await issuer.issueAccessToken('alice', false, AUTH_TIME, { sid: 'family-7' });
    const result = await anyValid(authorizerEvent(`Bearer ${token}`), context);
    expect(result.context).toMatchObject({ identity: 'alice', sid: 'family-7' });
  });

  it('allows a non-fresh access token on any-valid', async () => {
    const token = await issuer.issueAccessToken('alice', false, AUTH_TIME);
    const result = await anyValid(authorizerEvent(`Bearer ${token}`), context);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(result.context?.fresh).toBe(false);
  });

  it('keeps every context value a flat primitive', async () => {
    const result = await anyValid(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', true, AUTH_TIME)}`), context);
    for (const value of Object.values(result.context ?? {})) {
      expect(['string', 'number', 'boolean']).toContain(typeof value);
    }
  });

  it('allows a fresh access token on fresh-only', async () => {
    const result = await freshOnly(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', true, AUTH_TIME)}`), context);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  it('denies a valid non-fresh access token on fresh-only, naming the user', async () => {
    const result = await freshOnly(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', false, AUTH_TIME)}`), context);
    expect(result.principalId).toBe('alice');
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: API_WIDE }]);
    expect(result.context).toEqual({
      challenge: 'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required"',
    });
  });

  it('allows a "fresh until" token before that time and denies it from then on', async () => {
    const now = Math.floor(Date.now() / 1000);
    const until = await craftToken(accessClaims({ fresh: now + 60, auth_time: now }));
    expect((await freshOnly(authorizerEvent(`Bearer ${until}`), context)).policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    const ended = await craftToken(accessClaims({ fresh: now, auth_time: now - 300 }));
    expect((await freshOnly(authorizerEvent(`Bearer ${ended}`), context)).policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    // any-valid does not care, and tells the handler the token is no longer fresh.
    expect((await anyValid(authorizerEvent(`Bearer ${ended}`), context)).context?.fresh).toBe(false);
  });

  it('with a max age, denies a fresh token whose password check is older, and says so in the challenge', async () => {
    const fiveMinutes = createAuthorizer({ requireFresh: true, maxAgeSeconds: 300, transport: config.transport }, testVerifier(config));
    // The boundary to the second: the clock must not tick between this read and the authorizer's.
    fakeDateOnly();
    jest.setSystemTime(Date.UTC(2026, 0, 1, 12, 0, 0, 500));
    const now = Math.floor(Date.now() / 1000);
    const recent = await craftToken(accessClaims({ fresh: true, auth_time: now - 300 }));
    expect((await fiveMinutes(authorizerEvent(`Bearer ${recent}`), context)).policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
    });
    const old = await craftToken(accessClaims({ fresh: true, auth_time: now - 301 }));
    const denied = await fiveMinutes(authorizerEvent(`Bearer ${old}`), context);
    expect(denied.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(denied.context).toEqual({
      challenge: 'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required", max_age="300"',
      maxAge: 300,
    });
    // The plain fresh-only authorizer has no max age.
    expect((await freshOnly(authorizerEvent(`Bearer ${old}`), context)).policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  it('with a required acr, denies a password-fresh token with acr_values in the challenge, and allows a passkey-fresh one', async () => {
    const strong = createAuthorizer({ requireFresh: true, requireAcr: ACR_VALUES.phr, transport: config.transport }, testVerifier(config));
    const password = await issuer.issueAccessToken('alice', true, AUTH_TIME, { authn: PASSWORD_AUTHN });
    const denied = await strong(authorizerEvent(`Bearer ${password}`), context);
    expect(denied.principalId).toBe('alice');
    expect(denied.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: API_WIDE }]);
    expect(denied.context).toEqual({
      challenge:
        'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required", acr_values="urn:fresh-token:acr:phr"',
      acrValuesMember: ',"acr_values":"urn:fresh-token:acr:phr"',
    });
    const passkey = await issuer.issueAccessToken('alice', true, AUTH_TIME, { authn: passkeyAuthn(false) });
    const allowed = await strong(authorizerEvent(`Bearer ${passkey}`), context);
    expect(allowed.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(allowed.context).toMatchObject({ acr: 'urn:fresh-token:acr:phr', amr: 'hwk user' });
    // A passkey's token that is no longer fresh is denied too, and a token without acr (Flask's) counts as the password.
    const stale = await issuer.issueAccessToken('alice', false, AUTH_TIME, { authn: passkeyAuthn(true) });
    expect((await strong(authorizerEvent(`Bearer ${stale}`), context)).policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    const bare = await issuer.issueAccessToken('alice', true, AUTH_TIME);
    expect((await strong(authorizerEvent(`Bearer ${bare}`), context)).policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    // The plain fresh-only authorizer takes either.
    expect((await freshOnly(authorizerEvent(`Bearer ${password}`), context)).policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
    });
  });

  it('turns away a token whose amr or acr is malformed', async () => {
    for (const claims of [{ amr: 'pwd' }, { amr: [] }, { amr: [1] }, { acr: 7 }, { acr: '' }]) {
      await expect(anyValid(authorizerEvent(`Bearer ${await craftToken(accessClaims(claims))}`), context)).rejects.toThrow('Unauthorized');
    }
  });

  it('with cookies, takes the access cookie, and on a state-changing method only with the matching CSRF header', async () => {
    const cookies = testConfig({ TOKEN_LOCATION: 'headers,cookies', CORS_ALLOW_ORIGINS: 'https://app.example' });
    const authorizer = createAuthorizer({ requireFresh: true, transport: cookies.transport }, testVerifier(cookies));
    const token = await testIssuer(cookies).issueAccessToken('alice', true, AUTH_TIME, { csrf: 'csrf-value' });
    const request = (method: string, headers: Record<string, string>) => ({
      ...authorizerEvent(),
      httpMethod: method,
      headers: { Cookie: `access_token_cookie=${token}`, ...headers },
    });
    expect((await authorizer(request('GET', {}), context)).principalId).toBe('alice');
    await expect(authorizer(request('DELETE', {}), context)).rejects.toThrow('Unauthorized');
    await expect(authorizer(request('DELETE', { 'X-CSRF-TOKEN': 'other' }), context)).rejects.toThrow('Unauthorized');
    expect((await authorizer(request('DELETE', { 'X-CSRF-TOKEN': 'csrf-value' }), context)).principalId).toBe('alice');
    // A Bearer request is never asked for the CSRF header.
    expect((await authorizer({ ...authorizerEvent(`Bearer ${token}`), httpMethod: 'DELETE' }, context)).principalId).toBe('alice');
  });

  it('accepts the scheme name in any case and the header name in any case', async () => {
    const token = await issuer.issueAccessToken('alice', true, AUTH_TIME);
    const result = await anyValid(authorizerEvent(`bearer ${token}`, 'authorization'), context);
    expect(result.principalId).toBe('alice');
  });

  it('rejects a refresh token used as an access token with exactly Unauthorized', async () => {
    const token = await issuer.issueRefreshToken('alice', REFRESH);
    await expect(anyValid(authorizerEvent(`Bearer ${token}`), context)).rejects.toThrow(new Error('Unauthorized'));
    await expect(freshOnly(authorizerEvent(`Bearer ${token}`), context)).rejects.toThrow(new Error('Unauthorized'));
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dGVzdDp0ZXN0'],
    ['no token', 'Bearer'],
    ['trailing junk', 'Bearer abc.def.ghi extra'],
    ['a huge header', `Bearer ${'a'.repeat(10_000)}`],
    ['garbage', 'Bearer not-a-jwt'],
  ])('rejects %s with exactly Unauthorized', async (_label, header) => {
    await expect(anyValid(authorizerEvent(header), context)).rejects.toThrow(new Error('Unauthorized'));
    await expect(freshOnly(authorizerEvent(header), context)).rejects.toThrow(new Error('Unauthorized'));
  });

  it('rejects an expired token with exactly Unauthorized, not Deny', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = await craftToken(accessClaims({ iat: past, nbf: past, exp: past + 900 }));
    await expect(freshOnly(authorizerEvent(`Bearer ${token}`), context)).rejects.toThrow(new Error('Unauthorized'));
  });

  it('lets a real fault through instead of disguising it as Unauthorized', async () => {
    const token = await issuer.issueAccessToken('alice', true, AUTH_TIME);
    const event = { ...authorizerEvent(`Bearer ${token}`), methodArn: 'not-an-arn' };
    await expect(anyValid(event, context)).rejects.toThrow('methodArn is not an execute-api method ARN');
  });

  it('fails as a fault, never Unauthorized, while the keys cannot be loaded', async () => {
    const unavailable = createKeyRing<VerificationKeys>({
      load: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })),
      maxAgeSeconds: 300,
      onFailure: () => undefined,
    });
    const authorizer = createAuthorizer({ requireFresh: false, transport: config.transport }, createTokenVerifier(config, unavailable));
    const token = await issuer.issueAccessToken('alice', true, AUTH_TIME);
    const outcome = await authorizer(authorizerEvent(`Bearer ${token}`), context).catch((err: unknown) => err);
    expect(outcome).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect((outcome as Error).message).not.toBe('Unauthorized');
  });
});
