import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../../src/config';

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
      demoUsers: false,
      maxBodyBytes: 4096,
      corsAllowOrigin: '*',
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
      CORS_ALLOW_ORIGIN: 'https://app.example',
    });
    expect(config).toMatchObject({
      stage: 'prod',
      issuer: 'iss',
      audience: 'aud',
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 86400,
      clockLeewaySeconds: 5,
      maxBodyBytes: 2048,
      corsAllowOrigin: 'https://app.example',
    });
  });

  it('refuses to start without a secret, naming the variable', () => {
    expect(problemsOf({})).toEqual(['JWT_SECRET is required (at least 32 bytes)']);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(problemsOf({ JWT_SECRET: 'x'.repeat(31) })).toEqual(['JWT_SECRET must be at least 32 bytes, got 31']);
  });

  it('refuses the development secret and the demo user outside the local stage', () => {
    expect(problemsOf({ JWT_SECRET: DEV_JWT_SECRET, STAGE: 'prod', DEMO_USERS: 'true' })).toEqual([
      'JWT_SECRET is the local development secret; set a real secret for stage "prod"',
      'DEMO_USERS serves the well-known user test/test and is only allowed on stage "local"',
    ]);
    expect(loadConfig({ JWT_SECRET: DEV_JWT_SECRET, DEMO_USERS: 'true' }).demoUsers).toBe(true);
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({ JWT_SECRET: 'short', ACCESS_TOKEN_TTL: '15m', CLOCK_LEEWAY: '-1', DEMO_USERS: 'yes', REFRESH_TOKEN_TTL: '1.5' });
    expect(problems).toHaveLength(5);
    for (const name of ['JWT_SECRET', 'ACCESS_TOKEN_TTL', 'CLOCK_LEEWAY', 'DEMO_USERS', 'REFRESH_TOKEN_TTL']) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
  });
});
