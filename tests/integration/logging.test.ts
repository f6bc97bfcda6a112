import { createAuthorizer } from '../../src/authorizer';
import { logger } from '../../src/logger';
import { addUser } from '../../src/users/user-admin';
import { authorizerEvent, httpEvent, jsonPost, lambdaContext } from '../helpers/events';
import { importHandlers } from '../helpers/handlers';
import { startTestDatabase, useEnvironment, type TestDatabase } from '../helpers/local-stack';
import { TEST_ENV, testConfig, testVerifier } from '../helpers/test-config';
import { adminDeps } from '../helpers/users';

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase();
  useEnvironment(db);
});

afterAll(async () => {
  await db.close();
});

describe('logs', () => {
  let lines: string[];
  let spy: jest.SpyInstance;

  beforeEach(() => {
    lines = [];
    logger.setLogLevel('DEBUG');
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    });
  });

  afterEach(() => {
    spy.mockRestore();
    logger.setLogLevel('SILENT');
  });

  it('record function, request id, outcome and identity but never a token, password or hash', async () => {
    const { login, refresh, logout } = await importHandlers();
    const password = 'correct horse battery';
    const wrongPassword = 'wrong-password-1234';
    await addUser(adminDeps(db), 'carol', password);
    const ok = await login(jsonPost({ username: 'carol', password }), lambdaContext('login'));
    await login(jsonPost({ username: 'carol', password: wrongPassword }), lambdaContext('login'));
    const { access_token, refresh_token } = JSON.parse(ok.body) as Record<string, string>;
    const rotated = await refresh(httpEvent({ headers: { Authorization: `Bearer ${refresh_token}` } }), lambdaContext('refresh'));
    await refresh(httpEvent({ headers: { Authorization: `Bearer ${access_token}` } }), lambdaContext('refresh'));
    await refresh(httpEvent({ headers: { Authorization: `Bearer ${refresh_token}` } }), lambdaContext('refresh'));
    await logout(httpEvent({ headers: { Authorization: `Bearer ${refresh_token}` } }), lambdaContext('logout'));
    const anyValid = createAuthorizer({ requireFresh: false }, testVerifier());
    await anyValid(authorizerEvent(`Bearer ${access_token}`), lambdaContext('any-valid'));
    await expect(anyValid(authorizerEvent(`Bearer ${refresh_token}`), lambdaContext('any-valid'))).rejects.toThrow('Unauthorized');

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThanOrEqual(8);
    expect(records[0]).toMatchObject({ function_name: 'login', function_request_id: 'aws-request-1', outcome: 'ok', identity: 'carol' });
    expect(records[1]).toMatchObject({ outcome: 'ERR_BAD_CREDENTIALS', status: 401 });
    for (const outcome of ['ERR_ACCESS_TOKEN_REQUIRED', 'ERR_REFRESH_TOKEN_REUSED']) {
      expect(records.some((record) => record.outcome === outcome)).toBe(true);
    }
    const stored = await adminDeps(db).users.findUser('carol');
    const { refresh_token: next } = JSON.parse(rotated.body) as Record<string, string>;
    const all = lines.join('\n');
    for (const secret of [password, wrongPassword, stored!.passwordHash, TEST_ENV.JWT_SECRET, 'scrypt$']) {
      expect(all).not.toContain(secret);
    }
    for (const part of [access_token, refresh_token, next].flatMap((token) => token!.split('.'))) {
      expect(all).not.toContain(part);
    }
  });
});
