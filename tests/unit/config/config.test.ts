import {
  ConfigError,
  DEV_JWT_SECRET,
  loadConfig as loadAll,
  loadCorsConfig,
  loadHttpConfig,
  loadPasskeyConfig,
  loadTokenConfig,
} from '../../../src/config/config';

/** serverless.yml always names the tables; the code has no default for them. */
const TABLES = { USERS_TABLE: 'users', FAMILIES_TABLE: 'families', LOGIN_ATTEMPTS_TABLE: 'attempts' };
const loadConfig = (env: Record<string, string>) => loadAll({ ...TABLES, ...env });

const SECRET = 'a-production-secret-of-at-least-32-bytes!';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies every default with only a secret set', () => {
    const config = loadConfig({ JWT_SECRET: SECRET });
    expect(config).toMatchObject({
      stage: 'local',
      jwtAlgorithm: 'HS256',
      issuer: 'fresh-token-lambda',
      audience: 'fresh-token-lambda',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      clockLeewaySeconds: 0,
      maxBodyBytes: 4096,
      cors: { origins: '*', credentials: false },
      region: 'us-east-1',
      dynamodbEndpoint: undefined,
      usersTable: 'users',
      familiesTable: 'families',
      loginAttemptsTable: 'attempts',
      refreshReuseGraceSeconds: 10,
      loginMaxFailures: 5,
      loginWindowSeconds: 900,
      freshWindowSeconds: 0,
      freshMaxAgeSeconds: undefined,
      passwordScryptLog2N: 17,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every option from the environment', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      STAGE: 'prod',
      JWT_ISSUER: 'iss',
      JWT_AUDIENCE: 'aud',
      ACCESS_TOKEN_TTL: '300',
      REFRESH_TOKEN_TTL: '86400',
      CLOCK_LEEWAY: '5',
      MAX_BODY_BYTES: '2048',
      CORS_ALLOW_ORIGINS: 'https://app.example, http://localhost:3000',
      AWS_REGION: 'eu-west-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567',
      USERS_TABLE: 'users',
      FAMILIES_TABLE: 'families',
      LOGIN_ATTEMPTS_TABLE: 'attempts',
      REFRESH_REUSE_GRACE: '10',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_WINDOW: '60',
      FRESH_WINDOW: '600',
      FRESH_MAX_AGE: '300',
    });
    expect(config).toMatchObject({
      stage: 'prod',
      issuer: 'iss',
      audience: 'aud',
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 86400,
      clockLeewaySeconds: 5,
      maxBodyBytes: 2048,
      cors: { origins: ['https://app.example', 'http://localhost:3000'], credentials: false },
      region: 'eu-west-1',
      dynamodbEndpoint: 'http://127.0.0.1:4567',
      usersTable: 'users',
      familiesTable: 'families',
      loginAttemptsTable: 'attempts',
      refreshReuseGraceSeconds: 10,
      loginMaxFailures: 3,
      loginWindowSeconds: 60,
      freshWindowSeconds: 600,
      freshMaxAgeSeconds: 300,
    });
  });

  it('refuses to start without a secret on a deployed stage, naming the variable', () => {
    expect(problemsOf({ STAGE: 'dev' })).toEqual(['JWT_SECRET (or JWT_SECRET_PARAM) is required for HS256 (at least 32 bytes)']);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(problemsOf({ JWT_SECRET: 'x'.repeat(31) })).toEqual(['JWT_SECRET must be at least 32 bytes, got 31']);
  });

  it('keeps the absolute session lifetime at least one refresh token long', () => {
    expect(loadConfig({ JWT_SECRET: SECRET }).sessionMaxLifetimeSeconds).toBe(90 * 24 * 3600);
    expect(problemsOf({ JWT_SECRET: SECRET, SESSION_MAX_LIFETIME: '3600' })).toEqual([
      'SESSION_MAX_LIFETIME (3600) must be at least REFRESH_TOKEN_TTL (2592000)',
    ]);
  });

  it('requires the table names, which only serverless.yml knows', () => {
    expect(() => loadAll({ JWT_SECRET: SECRET })).toThrow(
      'USERS_TABLE is required (serverless.yml sets it); FAMILIES_TABLE is required (serverless.yml sets it); LOGIN_ATTEMPTS_TABLE is required (serverless.yml sets it)',
    );
  });

  it('signs with the development secret on the local stage when no secret is given, and nowhere else', () => {
    expect(loadConfig({}).secret).toEqual({ value: DEV_JWT_SECRET });
    expect(problemsOf({ AWS_LAMBDA_FUNCTION_NAME: 'fn' })).toEqual([
      'JWT_SECRET (or JWT_SECRET_PARAM) is required for HS256 (at least 32 bytes)',
    ]);
  });

  it('refuses the development secret outside the local stage', () => {
    expect(problemsOf({ JWT_SECRET: DEV_JWT_SECRET, STAGE: 'prod' })).toEqual([
      'JWT_SECRET is the public local development secret; set a real secret (an SSM parameter) for this stage',
    ]);
    expect(loadConfig({ JWT_SECRET: DEV_JWT_SECRET })).toMatchObject({ stage: 'local', devSecretAllowed: true });
  });

  it('refuses the development secret inside a real Lambda even when the stage says local', () => {
    const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'fresh-token-lambda-dev-any-valid', STAGE: 'local' };
    expect(problemsOf({ ...lambda, JWT_SECRET: DEV_JWT_SECRET })).toEqual([
      'JWT_SECRET holds key material as a value; on Lambda set JWT_SECRET_PARAM (an SSM parameter name) instead',
      'JWT_SECRET is the public local development secret; set a real secret (an SSM parameter) for this stage',
    ]);
    expect(loadConfig({ ...lambda, JWT_SECRET_PARAM: '/fresh-token-lambda/dev/jwt-secret' }).devSecretAllowed).toBe(false);
  });

  it('refuses any key material given as a value inside a real Lambda, naming each variable', () => {
    const problems = problemsOf({
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
      JWT_ALG: 'EdDSA',
      JWT_PRIVATE_KEY: '{"kty":"OKP"}',
      JWT_PUBLIC_KEYS: '{"keys":[]}',
      JWT_PREVIOUS_SECRETS: '["old"]',
    });
    expect(problems).toEqual(
      ['JWT_PREVIOUS_SECRETS', 'JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEYS'].map(
        (name) => `${name} holds key material as a value; on Lambda set ${name}_PARAM (an SSM parameter name) instead`,
      ),
    );
  });

  it("takes a cheaper password hash only on the local stage outside Lambda, the tests' hasher", () => {
    expect(loadConfig({ PASSWORD_SCRYPT_LOG2N: '10' }).passwordScryptLog2N).toBe(10);
    expect(loadConfig({ JWT_SECRET: SECRET, STAGE: 'prod', PASSWORD_SCRYPT_LOG2N: '18' }).passwordScryptLog2N).toBe(18);
    const refused = 'PASSWORD_SCRYPT_LOG2N below 17 is for tests on the local stage only, got "16"';
    expect(problemsOf({ JWT_SECRET: SECRET, STAGE: 'prod', PASSWORD_SCRYPT_LOG2N: '16' })).toEqual([refused]);
    expect(problemsOf({ AWS_LAMBDA_FUNCTION_NAME: 'fn', JWT_SECRET_PARAM: '/p', PASSWORD_SCRYPT_LOG2N: '16' })).toEqual([refused]);
    expect(problemsOf({ PASSWORD_SCRYPT_LOG2N: '9' })).toEqual(['PASSWORD_SCRYPT_LOG2N must be a whole number from 10 to 20, got "9"']);
  });

  it('changes nothing under serverless-offline, which sets IS_OFFLINE next to the Lambda variables', () => {
    const config = loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'fn', IS_OFFLINE: 'true', JWT_SECRET: DEV_JWT_SECRET });
    expect(config.devSecretAllowed).toBe(true);
  });

  it('reads only its own section for the authorizers and the protected handlers', () => {
    expect(loadTokenConfig({ JWT_SECRET: SECRET, MAX_BODY_BYTES: 'lots' }).issuer).toBe('fresh-token-lambda');
    // CORS_ALLOW_ORIGIN, the earlier name, is still read.
    expect(loadHttpConfig({ CORS_ALLOW_ORIGIN: 'https://app.example' })).toEqual({
      maxBodyBytes: 4096,
      cors: { origins: ['https://app.example'], credentials: false },
    });
  });

  it('gives the preflights the CSRF headers to allow with cookies, once each', () => {
    expect(loadCorsConfig({}).allowHeaders).toEqual(['Authorization', 'Content-Type']);
    expect(loadCorsConfig({ TOKEN_LOCATION: 'cookies', CORS_ALLOW_ORIGINS: 'https://app.example' })).toEqual({
      cors: { origins: ['https://app.example'], credentials: true },
      allowHeaders: ['Authorization', 'Content-Type', 'X-CSRF-TOKEN'],
    });
    expect(
      loadCorsConfig({ TOKEN_LOCATION: 'cookies', JWT_ACCESS_CSRF_HEADER_NAME: 'X-A', JWT_REFRESH_CSRF_HEADER_NAME: 'X-R' }).allowHeaders,
    ).toEqual(['Authorization', 'Content-Type', 'X-A', 'X-R']);
  });

  it('allows credentialed CORS only for exact origins, and only when tokens travel in cookies', () => {
    expect(loadHttpConfig({ CORS_ALLOW_ORIGINS: 'https://app.example', TOKEN_LOCATION: 'cookies' }).cors).toEqual({
      origins: ['https://app.example'],
      credentials: true,
    });
    // Unset with cookies: same-origin pages only; * is refused.
    expect(loadHttpConfig({ TOKEN_LOCATION: 'cookies' }).cors).toEqual({ origins: [], credentials: true });
    expect(() => loadHttpConfig({ TOKEN_LOCATION: 'headers,cookies', CORS_ALLOW_ORIGINS: '*' })).toThrow(
      'CORS_ALLOW_ORIGINS=* cannot go with tokens in cookies (TOKEN_LOCATION): list the exact origins of your pages',
    );
    expect(() => loadHttpConfig({ CORS_ALLOW_ORIGINS: 'https://app.example/path, *.example.com' })).toThrow(
      /CORS_ALLOW_ORIGINS must be \* or exact origins like https:\/\/app.example.com, got "https:\/\/app.example\/path".*got "\*.example.com"/,
    );
  });

  it('refuses an origin no browser sends (upper case, the scheme’s default port), naming it and the form to write', () => {
    const problems = problemsOf({
      CORS_ALLOW_ORIGINS: 'https://App.Example.com, https://app.example.com:443, HTTP://localhost:80, http://localhost:5173',
    });
    expect(problems).toEqual([
      'CORS_ALLOW_ORIGINS lists "https://App.Example.com", which no browser sends as its Origin; write "https://app.example.com"',
      'CORS_ALLOW_ORIGINS lists "https://app.example.com:443", which no browser sends as its Origin; write "https://app.example.com"',
      'CORS_ALLOW_ORIGINS lists "HTTP://localhost:80", which no browser sends as its Origin; write "http://localhost"',
    ]);
    expect(problemsOf({ CORS_ALLOW_ORIGINS: 'https://app.example.com:99999' })).toEqual([
      expect.stringContaining('got "https://app.example.com:99999"'),
    ]);
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({
      JWT_SECRET: 'short',
      ACCESS_TOKEN_TTL: '15m',
      CLOCK_LEEWAY: '-1',
      REFRESH_TOKEN_TTL: '1.5',
      DYNAMODB_ENDPOINT: 'localhost:8000',
      LOGIN_MAX_FAILURES: '0',
    });
    expect(problems).toHaveLength(6);
    for (const name of ['JWT_SECRET', 'ACCESS_TOKEN_TTL', 'CLOCK_LEEWAY', 'REFRESH_TOKEN_TTL', 'DYNAMODB_ENDPOINT', 'LOGIN_MAX_FAILURES']) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
  });
});

describe('loadPasskeyConfig', () => {
  const PASSKEY_TABLES = { PASSKEYS_TABLE: 'passkeys', PASSKEY_CHALLENGES_TABLE: 'challenges' };
  const load = (env: Record<string, string>) => loadPasskeyConfig({ ...PASSKEY_TABLES, ...env });
  const problems = (env: Record<string, string>): readonly string[] => {
    try {
      load(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  it('defaults locally to RP ID localhost and the origin npm start serves, with five-minute challenges', () => {
    expect(load({})).toMatchObject({ relyingParty: { rpId: 'localhost', origins: ['http://localhost:3000'] }, challengeTtlSeconds: 300 });
    expect(load({ LOCAL_PORT: '4123' }).relyingParty).toMatchObject({ origins: ['http://localhost:4123'] });
  });

  it('on a deployed stage without them, names the variables the passkey routes need (they then answer 501)', () => {
    expect(load({ STAGE: 'prod' }).relyingParty).toEqual({ missing: 'WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS' });
    expect(load({ STAGE: 'prod', WEBAUTHN_RP_ID: 'example.com' }).relyingParty).toEqual({ missing: 'WEBAUTHN_ORIGINS' });
  });

  it('takes an RP ID with the https origins on it or its subdomains', () => {
    expect(
      load({ STAGE: 'prod', WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.com, https://app.example.com' }).relyingParty,
    ).toMatchObject({ rpId: 'example.com', origins: ['https://example.com', 'https://app.example.com'] });
  });

  it('refuses an IP address as RP ID, an origin elsewhere or over http, and a challenge over five minutes, naming each', () => {
    expect(problems({ WEBAUTHN_RP_ID: '127.0.0.1', WEBAUTHN_ORIGINS: 'http://127.0.0.1:3000', PASSKEY_CHALLENGE_TTL: '600' })).toEqual([
      expect.stringContaining('WEBAUTHN_RP_ID must be a lower-case domain name (not an IP address)'),
      expect.stringContaining('WEBAUTHN_ORIGINS must be https origins on WEBAUTHN_RP_ID'),
      expect.stringContaining('PASSKEY_CHALLENGE_TTL'),
    ]);
    expect(problems({ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'http://example.com,https://evil.example' })).toHaveLength(2);
    expect(problems({ PASSKEYS_TABLE: '' })).toEqual([expect.stringContaining('PASSKEYS_TABLE is required')]);
  });

  it('takes FRESH_REQUIRE_ACR only from the documented set', () => {
    expect(loadTokenConfig({ JWT_SECRET: SECRET, FRESH_REQUIRE_ACR: 'urn:fresh-token:acr:phr' }).freshRequireAcr).toBe(
      'urn:fresh-token:acr:phr',
    );
    expect(loadTokenConfig({ JWT_SECRET: SECRET }).freshRequireAcr).toBeUndefined();
    expect(() => loadTokenConfig({ JWT_SECRET: SECRET, FRESH_REQUIRE_ACR: 'phr' })).toThrow('FRESH_REQUIRE_ACR must be one of');
  });
});
