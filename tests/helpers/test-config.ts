import { loadConfig, type Config } from '../../src/config';

/** The environment unit tests run under; `setup-env.ts` puts it in `process.env` for the handlers. */
export const TEST_ENV = Object.freeze({
  STAGE: 'local',
  JWT_SECRET: 'unit-test-secret-0123456789abcdef-0123456789',
  DEMO_USERS: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});

/** A config from `TEST_ENV` with optional overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...TEST_ENV, ...overrides });
}
