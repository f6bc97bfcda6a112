import { createAuthorizer } from '../../../src/authorize/authorizer';
import { logger } from '../../../src/platform/logger';
import { createKeyRing } from '../../../src/tokens/key-ring';
import type { VerificationKeys } from '../../../src/tokens/keys';
import { createTokenVerifier } from '../../../src/tokens/token-verifier';
import { authorizerEvent, lambdaContext } from '../../helpers/events';
import { AUTH_TIME, REFRESH, testConfig, testIssuer, testVerifier } from '../../helpers/test-config';

// The authorizer's log lines are its only account of why a request was turned away (API Gateway
// gives the client one body per outcome): one line per decision, with the request id, the outcome
// and the identity where there is one, and never the token.

const config = testConfig();
const issuer = testIssuer(config);
const anyValid = createAuthorizer({ requireFresh: false, transport: config.transport }, testVerifier(config));
const freshOnly = createAuthorizer({ requireFresh: true, transport: config.transport }, testVerifier(config));
const context = lambdaContext('fresh-only');

let lines: Record<string, unknown>[];
let spies: jest.SpyInstance[];

beforeEach(() => {
  lines = [];
  logger.setLogLevel('DEBUG');
  const capture = (chunk: string | Uint8Array): boolean => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
});

afterEach(() => {
  for (const spy of spies) spy.mockRestore();
  logger.setLogLevel('SILENT');
});

describe('authorizer log lines', () => {
  it('an Allow: one debug line with the request id and the identity', async () => {
    await anyValid(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', true, AUTH_TIME)}`), context);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'DEBUG', message: 'authorized', requestId: 'aws-request-1', outcome: 'Allow', identity: 'alice' }),
    ]);
  });

  it('a Deny: one info line naming the user and the reason', async () => {
    await freshOnly(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', false, AUTH_TIME)}`), context);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'denied',
        requestId: 'aws-request-1',
        outcome: 'ERR_FRESH_TOKEN_REQUIRED',
        identity: 'alice',
      }),
    ]);
  });

  it('an Unauthorized: one info line with the reason, and not the token', async () => {
    const token = await issuer.issueRefreshToken('alice', REFRESH);
    await expect(anyValid(authorizerEvent(`Bearer ${token}`), context)).rejects.toThrow('Unauthorized');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'unauthorized',
        requestId: 'aws-request-1',
        outcome: expect.stringMatching(/^ERR_/),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('keys that cannot be read: one terse warning per request, not a fault report', async () => {
    const unavailable = createKeyRing<VerificationKeys>({
      load: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })),
      maxAgeSeconds: 300,
      onFailure: () => undefined,
    });
    const authorizer = createAuthorizer({ requireFresh: false, transport: config.transport }, createTokenVerifier(config, unavailable));
    await expect(
      authorizer(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', true, AUTH_TIME)}`), context),
    ).rejects.toThrow();
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'authorizer unavailable',
        requestId: 'aws-request-1',
        outcome: 'ERR_KEYS_UNAVAILABLE',
      }),
    ]);
  });

  it('a real fault: one error line with the error itself', async () => {
    const event = { ...authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', true, AUTH_TIME)}`), methodArn: 'not-an-arn' };
    await expect(anyValid(event, context)).rejects.toThrow('methodArn is not an execute-api method ARN');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'authorizer fault',
        requestId: 'aws-request-1',
        outcome: 'fault',
        error: expect.objectContaining({ message: 'methodArn is not an execute-api method ARN' }),
      }),
    ]);
  });

  it('decides without a Lambda context too (a test harness, a local call): the line just has no request id', async () => {
    const allowed = await anyValid(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', true, AUTH_TIME)}`));
    expect(allowed.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    const denied = await freshOnly(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', false, AUTH_TIME)}`));
    expect(denied.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    await expect(anyValid(authorizerEvent('Bearer nope'))).rejects.toThrow('Unauthorized');
    const unavailable = createKeyRing<VerificationKeys>({
      load: () => Promise.reject(new Error('down')),
      maxAgeSeconds: 300,
      onFailure: () => undefined,
    });
    const broken = createAuthorizer({ requireFresh: false, transport: config.transport }, createTokenVerifier(config, unavailable));
    await expect(broken(authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', true, AUTH_TIME)}`))).rejects.toThrow();
    await expect(
      anyValid({ ...authorizerEvent(`Bearer ${await issuer.issueAccessToken('alice', true, AUTH_TIME)}`), methodArn: 'not-an-arn' }),
    ).rejects.toThrow('methodArn');
    expect(lines.map((line) => [line.message, line.requestId])).toEqual([
      ['authorized', undefined],
      ['denied', undefined],
      ['unauthorized', undefined],
      ['authorizer unavailable', undefined],
      ['authorizer fault', undefined],
    ]);
  });
});
