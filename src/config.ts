/**
 * Every setting of the product, with its default, read once per cold start.
 * Nothing else in the code reads `process.env`.
 */
export interface Config {
  readonly stage: string;
  /** HMAC key bytes for HS256 (at least 32 bytes). */
  readonly jwtSecret: Uint8Array;
  readonly jwtAlgorithm: 'HS256';
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly clockLeewaySeconds: number;
  /** Serve the example user `test`/`test` from memory; meant for the local stage only. */
  readonly demoUsers: boolean;
  readonly maxBodyBytes: number;
  readonly corsAllowOrigin: string;
}

/** The secret `npm start` uses when `JWT_SECRET` is unset. Refused outside the local stage. */
export const DEV_JWT_SECRET = 'DEV-ONLY-local-secret-never-use-in-production-0123456789';

export const DEFAULTS = Object.freeze({
  STAGE: 'local',
  JWT_ISSUER: 'fresh-token-lambda',
  JWT_AUDIENCE: 'fresh-token-lambda',
  ACCESS_TOKEN_TTL: 900,
  REFRESH_TOKEN_TTL: 2_592_000,
  CLOCK_LEEWAY: 0,
  DEMO_USERS: false,
  MAX_BODY_BYTES: 4096,
  CORS_ALLOW_ORIGIN: '*',
});

const MIN_SECRET_BYTES = 32;

/** Raised at cold start when the environment is unusable; lists every bad variable by name. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates `env` into a frozen `Config`. Throws `ConfigError` naming every problem at once,
 * so a misconfigured function refuses to start instead of failing per request.
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];

  const text = (name: string, fallback: string): string => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    return raw;
  };

  const integer = (name: keyof typeof DEFAULTS, min: number, max: number): number => {
    const raw = env[name];
    const fallback = DEFAULTS[name] as number;
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const flag = (name: keyof typeof DEFAULTS): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return DEFAULTS[name] as boolean;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return false;
  };

  const stage = text('STAGE', DEFAULTS.STAGE);

  const secretText = env.JWT_SECRET ?? '';
  const jwtSecret = new TextEncoder().encode(secretText);
  if (secretText === '') {
    problems.push('JWT_SECRET is required (at least 32 bytes)');
  } else if (jwtSecret.byteLength < MIN_SECRET_BYTES) {
    problems.push(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes, got ${jwtSecret.byteLength}`);
  } else if (secretText === DEV_JWT_SECRET && stage !== 'local') {
    problems.push(`JWT_SECRET is the local development secret; set a real secret for stage "${stage}"`);
  }

  const demoUsers = flag('DEMO_USERS');
  if (demoUsers && stage !== 'local') {
    problems.push(`DEMO_USERS serves the well-known user test/test and is only allowed on stage "local"`);
  }

  const config: Config = {
    stage,
    jwtSecret,
    jwtAlgorithm: 'HS256',
    issuer: text('JWT_ISSUER', DEFAULTS.JWT_ISSUER),
    audience: text('JWT_AUDIENCE', DEFAULTS.JWT_AUDIENCE),
    accessTokenTtlSeconds: integer('ACCESS_TOKEN_TTL', 1, 86_400),
    refreshTokenTtlSeconds: integer('REFRESH_TOKEN_TTL', 60, 31_536_000),
    clockLeewaySeconds: integer('CLOCK_LEEWAY', 0, 300),
    demoUsers,
    maxBodyBytes: integer('MAX_BODY_BYTES', 64, 1_048_576),
    corsAllowOrigin: text('CORS_ALLOW_ORIGIN', DEFAULTS.CORS_ALLOW_ORIGIN),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
