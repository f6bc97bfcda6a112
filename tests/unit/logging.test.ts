import { handler as login } from '../../functions/login';
import { handler as refresh } from '../../functions/refresh';
import { createAuthorizer } from '../../src/authorizer';
import { logger } from '../../src/logger';
import { createTokenVerifier } from '../../src/tokens/token-verifier';
import { authorizerEvent, httpEvent, jsonPost, lambdaContext } from '../helpers/events';
import { TEST_ENV, testConfig } from '../helpers/test-config';

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

  it('record function, request id, outcome and identity but never a token or password', async () => {
    const password = 'test';
    const wrongPassword = 'wrong-password-1234';
    const ok = await login(jsonPost({ username: 'test', password }), lambdaContext('login'));
    await login(jsonPost({ username: 'test', password: wrongPassword }), lambdaContext('login'));
    const { access_token, refresh_token } = JSON.parse(ok.body) as Record<string, string>;
    await refresh(httpEvent({ headers: { Authorization: `Bearer ${refresh_token}` } }), lambdaContext('refresh'));
    await refresh(httpEvent({ headers: { Authorization: `Bearer ${access_token}` } }), lambdaContext('refresh'));
    const anyValid = createAuthorizer({ requireFresh: false }, createTokenVerifier(testConfig()));
    await anyValid(authorizerEvent(`Bearer ${access_token}`), lambdaContext('any-valid'));
    await expect(anyValid(authorizerEvent(`Bearer ${refresh_token}`), lambdaContext('any-valid'))).rejects.toThrow('Unauthorized');

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThanOrEqual(6);
    expect(records[0]).toMatchObject({ function_name: 'login', function_request_id: 'aws-request-1', outcome: 'ok', identity: 'test' });
    expect(records[1]).toMatchObject({ outcome: 'ERR_BAD_CREDENTIALS', status: 401 });
    expect(records.some((r) => r.outcome === 'ERR_ACCESS_TOKEN_REQUIRED')).toBe(true);
    const all = lines.join('\n');
    for (const secret of [access_token, refresh_token, wrongPassword, 'scrypt$', TEST_ENV.JWT_SECRET]) {
      expect(all).not.toContain(secret);
    }
    for (const part of [...access_token!.split('.'), ...refresh_token!.split('.')]) {
      expect(all).not.toContain(part);
    }
  });
});
