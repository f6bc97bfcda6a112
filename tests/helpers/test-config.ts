import { loadConfig, type Config } from '../../src/config/config';
import { loadSigningKey, loadVerificationKeys } from '../../src/tokens/keys';
import { createTokenIssuer, type TokenIssuer } from '../../src/tokens/token-issuer';
import { createTokenVerifier, type TokenVerifier } from '../../src/tokens/token-verifier';
import { fixedKeys } from '../../src/tokens/key-ring';
import { scryptParams } from '../../src/users/password';

/** The environment tests run under; `setup-env.ts` and `useEnvironment` put it in `process.env`. */
export const TEST_ENV = Object.freeze({
  STAGE: 'local',
  JWT_SECRET: 'unit-test-secret-0123456789abcdef-0123456789',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_NAMESPACE: 'fresh-token-lambda-test',
  // Unit tests reach no database; the integration tests use serverless.yml's names (local-stack.ts).
  USERS_TABLE: 'users',
  FAMILIES_TABLE: 'families',
  LOGIN_ATTEMPTS_TABLE: 'attempts',
  PASSKEYS_TABLE: 'passkeys',
  PASSKEY_CHALLENGES_TABLE: 'passkey-challenges',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // The cheap hasher, through the same setting production reads (local stage only); the
  // production cost and its timing equality are proven in tests/unit/users/password.test.ts.
  PASSWORD_SCRYPT_LOG2N: '10',
});

/** The scrypt cost of `TEST_ENV`, for stores the tests wire by hand. */
export const TEST_SCRYPT = scryptParams(Number(TEST_ENV.PASSWORD_SCRYPT_LOG2N));

/** A config from `TEST_ENV` with optional overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...TEST_ENV, ...overrides });
}

/** When the password was verified, for tokens the tests issue directly. */
export const AUTH_TIME = Math.floor(Date.now() / 1000);

/** Family fields of a refresh token the tests issue directly. */
export const REFRESH = Object.freeze({ fam: 'family-1', jti: 'refresh-jti-1', authTime: AUTH_TIME, iat: AUTH_TIME, exp: AUTH_TIME + 3600 });

/** Tests never read SSM: key material comes from the environment. */
const noParameters = (name: string): Promise<string> => Promise.reject(new Error(`tests read no SSM parameter (${name})`));

/** A real issuer over the test config (or `config`), keys from its environment. */
export function testIssuer(config: Config = testConfig()): TokenIssuer {
  return createTokenIssuer(config, fixedKeys(loadSigningKey(config, noParameters)));
}

/** A real verifier over the test config (or `config`), keys from its environment. */
export function testVerifier(config: Config = testConfig()): TokenVerifier {
  return createTokenVerifier(config, fixedKeys(loadVerificationKeys(config, noParameters)));
}
