import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWK } from 'jose';
import { generateKeyMaterial } from '../../../scripts/local-keys';
import { loadPublishedKeysConfig } from '../../../src/config/config';
import { jwkThumbprint, loadPublishedKeys, loadSigningKey, loadVerificationKeys, secretKid } from '../../../src/tokens/keys';
import { createTokenIssuer } from '../../../src/tokens/token-issuer';
import { createTokenVerifier } from '../../../src/tokens/token-verifier';
import { rejectionCode as codeOf } from '../../helpers/error-code';
import { AUTH_TIME, testConfig } from '../../helpers/test-config';
import { fixedKeys } from '../../../src/tokens/key-ring';

const noParameters = (name: string): Promise<string> => Promise.reject(new Error(`no SSM in unit tests (${name})`));

/** An issuer and a verifier over `env`; each loads its keys only when asked for. */
function ring(env: Record<string, string>) {
  const config = testConfig({ JWT_SECRET: '', ...env });
  return {
    get issuer() {
      return createTokenIssuer(config, fixedKeys(loadSigningKey(config, noParameters)));
    },
    get verifier() {
      return createTokenVerifier(config, fixedKeys(loadVerificationKeys(config, noParameters)));
    },
  };
}

describe.each(['EdDSA', 'ES256'] as const)('%s keys', (alg) => {
  let current: { privateKey: string; publicKeys: string };
  let previous: { privateKey: string; publicKeys: string };

  beforeAll(async () => {
    current = await generateKeyMaterial(alg);
    previous = await generateKeyMaterial(alg);
  });

  it('signs with the private key and names it by kid; verifiers need only the public keys', async () => {
    const issuing = ring({ JWT_ALG: alg, JWT_PRIVATE_KEY: current.privateKey, JWT_PUBLIC_KEYS: current.publicKeys });
    const verifying = ring({ JWT_ALG: alg, JWT_PUBLIC_KEYS: current.publicKeys });
    const token = await issuing.issuer.issueAccessToken('alice', true, AUTH_TIME);
    expect(decodeProtectedHeader(token)).toEqual({ alg, typ: 'at+jwt', kid: (JSON.parse(current.privateKey) as { kid: string }).kid });
    await expect(verifying.verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'alice', fresh: true });
  });

  it('accepts tokens of the current and the previous key during a rotation, chosen by kid', async () => {
    const keysOf = (jwks: string) => (JSON.parse(jwks) as { keys: JWK[] }).keys;
    const both = JSON.stringify({ keys: [...keysOf(current.publicKeys), ...keysOf(previous.publicKeys)] });
    const verifying = ring({ JWT_ALG: alg, JWT_PUBLIC_KEYS: both });
    const oldToken = await ring({ JWT_ALG: alg, JWT_PRIVATE_KEY: previous.privateKey }).issuer.issueAccessToken('bob', false, AUTH_TIME);
    const newToken = await ring({ JWT_ALG: alg, JWT_PRIVATE_KEY: current.privateKey }).issuer.issueAccessToken('bob', false, AUTH_TIME);
    await expect(verifying.verifier.verifyAccessToken(oldToken)).resolves.toMatchObject({ sub: 'bob' });
    await expect(verifying.verifier.verifyAccessToken(newToken)).resolves.toMatchObject({ sub: 'bob' });
    // Once the previous key is dropped from the allow-list, its tokens stop working.
    const currentOnly = ring({ JWT_ALG: alg, JWT_PUBLIC_KEYS: current.publicKeys });
    expect(await codeOf(currentOnly.verifier.verifyAccessToken(oldToken))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects an unknown kid, and a known kid on a token signed by another key', async () => {
    const verifying = ring({ JWT_ALG: alg, JWT_PUBLIC_KEYS: current.publicKeys });
    const stranger = await ring({ JWT_ALG: alg, JWT_PRIVATE_KEY: previous.privateKey }).issuer.issueAccessToken('eve', true, AUTH_TIME);
    expect(await codeOf(verifying.verifier.verifyAccessToken(stranger))).toBe('ERR_TOKEN_INVALID');
    const [, payload] = stranger.split('.');
    const { kid } = JSON.parse(current.privateKey) as { kid: string };
    const relabelled = `${Buffer.from(JSON.stringify({ alg, typ: 'at+jwt', kid })).toString('base64url')}.${payload}.${stranger.split('.')[2]}`;
    expect(await codeOf(verifying.verifier.verifyAccessToken(relabelled))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects an HS256 token made with the public key as its secret (algorithm confusion)', async () => {
    const verifying = ring({ JWT_ALG: alg, JWT_PUBLIC_KEYS: current.publicKeys });
    const { kid } = JSON.parse(current.privateKey) as { kid: string };
    const forged = await new SignJWT({
      sub: 'eve',
      type: 'access',
      fresh: true,
      jti: 'x',
      iat: AUTH_TIME,
      nbf: AUTH_TIME,
      exp: AUTH_TIME + 900,
      iss: 'fresh-token-lambda',
      aud: 'fresh-token-lambda',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(new TextEncoder().encode(current.publicKeys));
    expect(await codeOf(verifying.verifier.verifyAccessToken(forged))).toBe('ERR_TOKEN_INVALID');
  });

  it('publishes only public keys, usable by a plain jose client', async () => {
    // The JWKS route's own settings: the algorithm and the public keys, no secret.
    const published = await loadPublishedKeys(loadPublishedKeysConfig({ JWT_ALG: alg, JWT_PUBLIC_KEYS: current.publicKeys }), noParameters);
    expect(published).toHaveLength(1);
    expect(published[0]).not.toHaveProperty('d');
    const token = await ring({ JWT_ALG: alg, JWT_PRIVATE_KEY: current.privateKey }).issuer.issueAccessToken('carol', true, AUTH_TIME);
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [...published] }), { algorithms: [alg] });
    expect(payload.sub).toBe('carol');
  });

  it('names a key without kid by its RFC 7638 thumbprint, as jose computes it', async () => {
    const { kid: _kid, ...privateJwk } = JSON.parse(current.privateKey) as JWK;
    const { kid: _publicKid, ...publicJwk } = (JSON.parse(current.publicKeys) as { keys: JWK[] }).keys[0]!;
    expect(jwkThumbprint(publicJwk)).toBe(await calculateJwkThumbprint(publicJwk));
    const issuing = ring({ JWT_ALG: alg, JWT_PRIVATE_KEY: JSON.stringify(privateJwk) });
    const verifying = ring({ JWT_ALG: alg, JWT_PUBLIC_KEYS: JSON.stringify({ keys: [publicJwk] }) });
    const token = await issuing.issuer.issueAccessToken('kim', true, AUTH_TIME);
    expect(decodeProtectedHeader(token).kid).toBe(await calculateJwkThumbprint(publicJwk));
    await expect(verifying.verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'kim' });
  });

  it('refuses a key of the other algorithm, naming the variable', async () => {
    const other = await generateKeyMaterial(alg === 'EdDSA' ? 'ES256' : 'EdDSA');
    await expect(
      loadVerificationKeys(testConfig({ JWT_SECRET: '', JWT_ALG: alg, JWT_PUBLIC_KEYS: other.publicKeys }), noParameters),
    ).rejects.toThrow(`JWT_PUBLIC_KEYS holds a key that is not an ${alg} key`);
  });

  it('refuses a private key where public keys belong, naming the variable', async () => {
    const config = testConfig({
      JWT_SECRET: '',
      JWT_ALG: alg,
      JWT_PUBLIC_KEYS: JSON.stringify({ keys: [JSON.parse(current.privateKey)] }),
    });
    await expect(loadVerificationKeys(config, noParameters)).rejects.toThrow('JWT_PUBLIC_KEYS must hold only public JWKs');
  });
});

describe('HS256 keys', () => {
  it('publishes nothing, and the JWKS route needs no secret to say so', async () => {
    expect(await loadPublishedKeys(loadPublishedKeysConfig({}), noParameters)).toEqual([]);
  });

  const secret = 'first-secret-of-at-least-32-bytes-0123456789';
  const next = 'second-secret-of-at-least-32-bytes-0123456789';

  it('names each secret by a kid that does not reveal it', async () => {
    const key = await loadSigningKey(testConfig({ JWT_SECRET: secret }), noParameters);
    expect(key.kid).toBe(secretKid(secret));
    expect(key.kid).toMatch(/^hs-[A-Za-z0-9_-]{12}$/);
    expect(secret).not.toContain(key.kid.slice(3));
  });

  it('verifies tokens of previous secrets listed in JWT_PREVIOUS_SECRETS', async () => {
    const old = ring({ JWT_SECRET: secret });
    const rotated = ring({ JWT_SECRET: next, JWT_PREVIOUS_SECRETS: JSON.stringify([secret]) });
    const token = await old.issuer.issueAccessToken('dan', true, AUTH_TIME);
    await expect(rotated.verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'dan' });
    expect(await codeOf(ring({ JWT_SECRET: next }).verifier.verifyAccessToken(token))).toBe('ERR_TOKEN_INVALID');
  });

  it('rejects a standard-format token without kid', async () => {
    const token = await new SignJWT({
      sub: 'x',
      type: 'access',
      fresh: true,
      jti: 'j',
      iat: AUTH_TIME,
      nbf: AUTH_TIME,
      exp: AUTH_TIME + 60,
      iss: 'fresh-token-lambda',
      aud: 'fresh-token-lambda',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(secret));
    expect(await codeOf(ring({ JWT_SECRET: secret }).verifier.verifyAccessToken(token))).toBe('ERR_TOKEN_INVALID');
  });

  it('reads key material from an SSM parameter when given its name', async () => {
    const config = testConfig({ JWT_SECRET: '', JWT_SECRET_PARAM: '/app/jwt-secret' });
    const asked: string[] = [];
    const key = await loadSigningKey(config, (name) => {
      asked.push(name);
      return Promise.resolve(secret);
    });
    expect(asked).toEqual(['/app/jwt-secret']);
    expect(key.kid).toBe(secretKid(secret));
    await expect(loadSigningKey(config, () => Promise.resolve('short'))).rejects.toThrow(
      'JWT_SECRET_PARAM (/app/jwt-secret) must be at least 32 bytes, got 5',
    );
  });
});

describe('key material that is missing or malformed', () => {
  // Settings as a deploy could hand them over (config checks only what it can see before SSM is
  // read): every refusal names the variable, or the parameter it came from, and says what is wrong.
  const settings = (overrides: Partial<Parameters<typeof loadSigningKey>[0]>): Parameters<typeof loadSigningKey>[0] => ({
    devSecretAllowed: false,
    jwtAlgorithm: 'HS256',
    secret: undefined,
    previousSecrets: undefined,
    privateKey: undefined,
    publicKeys: undefined,
    ...overrides,
  });
  const secret = 'a-secret-of-at-least-32-bytes-0123456789';
  const fromParameter = (text: string) => () => Promise.resolve(text);
  /** The whole message, so a refusal that says less, or says it of another variable, fails. */
  const refusal = async (loading: Promise<unknown>): Promise<{ name: string; message: string }> => {
    const error = await loading.then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    if (error === undefined) throw new Error('expected a refusal');
    return { name: error.name, message: error.message };
  };
  let ed: { privateKey: string; publicKeys: string };

  beforeAll(async () => {
    ed = await generateKeyMaterial('EdDSA');
  });

  it('refuses HS256 without a secret, to sign and to verify, as a KeyConfigError', async () => {
    expect(await refusal(loadSigningKey(settings({}), noParameters))).toEqual({
      name: 'KeyConfigError',
      message: 'JWT_SECRET (or JWT_SECRET_PARAM) is required to sign HS256 tokens',
    });
    expect(await refusal(loadVerificationKeys(settings({}), noParameters))).toEqual({
      name: 'KeyConfigError',
      message: 'JWT_SECRET (or JWT_SECRET_PARAM) is required to verify HS256 tokens',
    });
  });

  it('refuses a short secret given directly, naming JWT_SECRET, to sign and to verify', async () => {
    const short = settings({ secret: { value: 'short' } });
    expect((await refusal(loadSigningKey(short, noParameters))).message).toBe('JWT_SECRET must be at least 32 bytes, got 5');
    expect((await refusal(loadVerificationKeys(short, noParameters))).message).toBe('JWT_SECRET must be at least 32 bytes, got 5');
  });

  it('refuses previous secrets that are not a JSON array of strings, or hold a short one', async () => {
    const withPrevious = (text: string) => settings({ secret: { value: secret }, previousSecrets: { value: text } });
    expect((await refusal(loadVerificationKeys(withPrevious('[not json'), noParameters))).message).toBe(
      'JWT_PREVIOUS_SECRETS is not valid JSON',
    );
    for (const text of ['{"a":"b"}', `"${secret}"`, `["${secret}", 5]`, `[5, "${secret}"]`, '[null]']) {
      expect((await refusal(loadVerificationKeys(withPrevious(text), noParameters))).message).toBe(
        'JWT_PREVIOUS_SECRETS must be a JSON array of secrets',
      );
    }
    expect((await refusal(loadVerificationKeys(withPrevious('["short"]'), noParameters))).message).toBe(
      'JWT_PREVIOUS_SECRETS must be at least 32 bytes, got 5',
    );
    const fromSsm = settings({ secret: { value: secret }, previousSecrets: { parameter: '/app/old' } });
    expect((await refusal(loadVerificationKeys(fromSsm, fromParameter('{}')))).message).toBe(
      'JWT_PREVIOUS_SECRETS_PARAM (/app/old) must be a JSON array of secrets',
    );
    // An empty list is no previous secret at all.
    const keys = await loadVerificationKeys(withPrevious('[]'), noParameters);
    expect([...keys.byKid.keys()]).toEqual([secretKid(secret)]);
  });

  it('refuses EdDSA / ES256 without the key a function needs', async () => {
    expect((await refusal(loadSigningKey(settings({ jwtAlgorithm: 'EdDSA' }), noParameters))).message).toBe(
      'JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_PARAM) is required to sign EdDSA tokens',
    );
    expect((await refusal(loadVerificationKeys(settings({ jwtAlgorithm: 'ES256' }), noParameters))).message).toBe(
      'JWT_PUBLIC_KEYS (or JWT_PUBLIC_KEYS_PARAM) is required to verify ES256 tokens',
    );
  });

  it('refuses a private key that is not JSON, not an object, or not private, naming where it came from', async () => {
    const signing = (privateKey: string) =>
      refusal(loadSigningKey(settings({ jwtAlgorithm: 'EdDSA', privateKey: { value: privateKey } }), noParameters));
    expect((await signing('{"kty":')).message).toBe('JWT_PRIVATE_KEY is not valid JSON');
    for (const text of ['null', '[]', '"a key"', '7']) expect((await signing(text)).message).toBe('JWT_PRIVATE_KEY must hold JWK objects');
    const publicOnly = JSON.stringify((JSON.parse(ed.publicKeys) as { keys: JWK[] }).keys[0]);
    expect((await signing(publicOnly)).message).toBe('JWT_PRIVATE_KEY must hold a private JWK');
    const fromSsm = settings({ jwtAlgorithm: 'EdDSA', privateKey: { parameter: '/app/private' } });
    expect((await refusal(loadSigningKey(fromSsm, fromParameter('nope')))).message).toBe(
      'JWT_PRIVATE_KEY_PARAM (/app/private) is not valid JSON',
    );
  });

  it('refuses public keys that are not a non-empty JWKS of public JWK objects', async () => {
    const verifying = (publicKeys: string) =>
      refusal(loadVerificationKeys(settings({ jwtAlgorithm: 'EdDSA', publicKeys: { value: publicKeys } }), noParameters));
    expect((await verifying('{')).message).toBe('JWT_PUBLIC_KEYS is not valid JSON');
    for (const text of ['null', '{}', '{"keys":[]}', '{"keys":{}}', '[]'])
      expect((await verifying(text)).message).toBe('JWT_PUBLIC_KEYS must be a JWKS: {"keys": [...]}');
    for (const entry of ['null', '[]', '"x"'])
      expect((await verifying(`{"keys":[${entry}]}`)).message).toBe('JWT_PUBLIC_KEYS must hold JWK objects');
    // The published list is checked the same way (the JWKS route reads the same variable).
    expect(
      (
        await refusal(
          loadPublishedKeys({ jwtAlgorithm: 'ES256', publicKeys: { value: '{"keys":[]}' }, keysMaxAgeSeconds: 300 }, noParameters),
        )
      ).message,
    ).toBe('JWT_PUBLIC_KEYS must be a JWKS: {"keys": [...]}');
  });

  it('uses a JWK’s own kid only when it is a non-empty string; else its thumbprint', async () => {
    const publicJwk = (JSON.parse(ed.publicKeys) as { keys: JWK[] }).keys[0]!;
    const privateJwk = JSON.parse(ed.privateKey) as JWK;
    const thumbprint = await calculateJwkThumbprint(publicJwk);
    for (const [kid, expected] of [
      ['2026-12-signing', '2026-12-signing'],
      ['', thumbprint],
      [7, thumbprint],
    ] as const) {
      const signing = await loadSigningKey(
        settings({ jwtAlgorithm: 'EdDSA', privateKey: { value: JSON.stringify({ ...privateJwk, kid }) } }),
        noParameters,
      );
      expect(signing.kid).toBe(expected);
      const verifying = await loadVerificationKeys(
        settings({ jwtAlgorithm: 'EdDSA', publicKeys: { value: JSON.stringify({ keys: [{ ...publicJwk, kid }] }) } }),
        noParameters,
      );
      expect([...verifying.byKid.keys()]).toEqual([expected]);
    }
  });

  it('imports every key as non-extractable: nothing that holds one can export it', async () => {
    const hs = settings({ secret: { value: secret } });
    expect((await loadSigningKey(hs, noParameters)).key.extractable).toBe(false);
    expect((await loadVerificationKeys(hs, noParameters)).withoutKid?.extractable).toBe(false);
    const signing = await loadSigningKey(settings({ jwtAlgorithm: 'EdDSA', privateKey: { value: ed.privateKey } }), noParameters);
    expect(signing.key.extractable).toBe(false);
    const verifying = await loadVerificationKeys(settings({ jwtAlgorithm: 'EdDSA', publicKeys: { value: ed.publicKeys } }), noParameters);
    expect([...verifying.byKid.values()].map((key) => key.extractable)).toEqual([false]);
  });

  it('publishes exactly the public members a JWKS client needs: no y for an OKP key, x and y for EC', async () => {
    const published = await loadPublishedKeys(
      { jwtAlgorithm: 'EdDSA', publicKeys: { value: ed.publicKeys }, keysMaxAgeSeconds: 300 },
      noParameters,
    );
    expect(Object.keys(published[0]!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    const es = await generateKeyMaterial('ES256');
    const publishedEc = await loadPublishedKeys(
      { jwtAlgorithm: 'ES256', publicKeys: { value: es.publicKeys }, keysMaxAgeSeconds: 300 },
      noParameters,
    );
    expect(Object.keys(publishedEc[0]!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });
});
