import { createAuthorizer } from '../../src/authorize/authorizer';
import { logger } from '../../src/platform/logger';
import { addUser } from '../../src/users/user-admin';
import { authorizerEvent, httpEvent, jsonPost, lambdaContext } from '../helpers/events';
import { importHandlers } from '../helpers/handlers';
import { midAttemptWindow } from '../helpers/hand-clock';
import { startTestDatabase, useEnvironment, type TestDatabase } from '../helpers/local-stack';
import { TEST_ENV, testConfig, testVerifier } from '../helpers/test-config';
import { adminDeps } from '../helpers/users';

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase();
  // Strict rotation, so a superseded token is reuse (and counted as such) rather than a retry.
  useEnvironment(db, { REFRESH_REUSE_GRACE: '0' });
});

afterAll(async () => {
  await db.close();
});

afterEach(() => jest.useRealTimers());

describe('logs', () => {
  let lines: string[];
  let spy: jest.SpyInstance;
  let errSpy: jest.SpyInstance;

  beforeEach(() => {
    lines = [];
    logger.setLogLevel('DEBUG');
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    });
    // Warnings and errors (the audit trail among them) go to stderr.
    errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    });
  });

  afterEach(() => {
    spy.mockRestore();
    errSpy.mockRestore();
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
    const anyValid = createAuthorizer({ requireFresh: false, transport: testConfig().transport }, testVerifier());
    await anyValid(authorizerEvent(`Bearer ${access_token}`), lambdaContext('any-valid'));
    await expect(anyValid(authorizerEvent(`Bearer ${refresh_token}`), lambdaContext('any-valid'))).rejects.toThrow('Unauthorized');

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => !('_aws' in record));
    expect(records.length).toBeGreaterThanOrEqual(8);
    expect(records[0]).toMatchObject({ function_name: 'login', function_request_id: 'aws-request-1', outcome: 'ok', identity: 'carol' });
    expect(records[1]).toMatchObject({ message: 'login failed', audit: true, outcome: 'ERR_BAD_CREDENTIALS', username: 'carol' });
    expect(records[2]).toMatchObject({ message: 'request rejected', outcome: 'ERR_BAD_CREDENTIALS', status: 401 });
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

  /** The EMF metric lines written so far: metric name → count. */
  function metricCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const record of lines.map((line) => JSON.parse(line) as Record<string, unknown>)) {
      const emf = record._aws as
        { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } | undefined;
      if (!emf) continue;
      expect(emf.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'fresh-token-lambda-test', Dimensions: [['service']] });
      expect(record.service).toBe('fresh-token-lambda');
      for (const { Name } of emf.CloudWatchMetrics[0]!.Metrics) counts[Name] = (counts[Name] ?? 0) + (record[Name] as number);
    }
    return counts;
  }

  it('count logins, rotations, reuse and logouts as EMF metric lines, one per counted request', async () => {
    const { login, refresh, logout } = await importHandlers();
    await addUser(adminDeps(db), 'dora', 'dora-password-1');
    const ok = await login(jsonPost({ username: 'dora', password: 'dora-password-1' }), lambdaContext('login'));
    await login(jsonPost({ username: 'dora', password: 'not-her-password' }), lambdaContext('login'));
    const { refresh_token } = JSON.parse(ok.body) as Record<string, string>;
    const rotated = await refresh(httpEvent({ headers: { Authorization: `Bearer ${refresh_token}` } }), lambdaContext('refresh'));
    await refresh(httpEvent({ headers: { Authorization: `Bearer ${refresh_token}` } }), lambdaContext('refresh'));
    const { refresh_token: next } = JSON.parse(rotated.body) as Record<string, string>;
    await logout(httpEvent({ headers: { Authorization: `Bearer ${next}` } }), lambdaContext('logout'));
    expect(metricCounts()).toEqual({ LoginSucceeded: 1, LoginFailed: 1, RefreshRotated: 1, RefreshReuseDetected: 1, SessionRevoked: 1 });
  });

  it('count lockouts, and write the audit trail of failed and locked logins without the password', async () => {
    midAttemptWindow(900); // LOGIN_WINDOW's default
    const { login } = await importHandlers();
    const attempt = (username: string, password: string) => {
      const event = jsonPost({ username, password });
      const identity = { ...event.requestContext.identity, sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' };
      return login({ ...event, requestContext: { ...event.requestContext, identity } }, lambdaContext('login'));
    };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('eve', `guess-number-${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    await attempt('bad\nname" injected', 'guess-x');

    const audit = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.audit === true);
    expect(audit).toHaveLength(7);
    expect(audit[0]).toMatchObject({
      message: 'login failed',
      outcome: 'ERR_BAD_CREDENTIALS',
      username: 'eve',
      sourceIp: '203.0.113.7',
      userAgent: 'curl/8.5.0',
    });
    expect(audit[5]).toMatchObject({ message: 'login locked', outcome: 'ERR_TOO_MANY_ATTEMPTS', username: 'eve', sourceIp: '203.0.113.7' });
    expect(audit[6]).toMatchObject({ message: 'login failed', username: '<invalid>' });
    expect(metricCounts()).toMatchObject({ LoginFailed: 6, LoginLocked: 1 });
    const all = lines.join('\n');
    for (let i = 0; i < 6; i++) expect(all).not.toContain(`guess-number-${i}`);
    expect(all).not.toContain('injected');
  });
});
