import { ERROR_TABLE } from '../../../src/errors/error-table';
import { buildGatewayResponses } from '../../../src/errors/gateway-responses';
import {
  createOfflineGateway,
  gatewayAnswer,
  parserRefusal,
  policyAllows,
  preflightAnswer,
  readAuthorizerResult,
} from '../../../scripts/offline-gateway';

const RESPONSES = buildGatewayResponses({
  cors: { allowOrigin: 'https://app.example', credentials: true, allowHeaders: ['Authorization', 'Content-Type'] },
  stepUpChallenge: 'static',
});
const API = 'arn:aws:execute-api:us-east-1:123456789012:offline/local';

/** A policy for `resource` as an authorizer returns it. */
const policy = (effect: 'Allow' | 'Deny', resource: string, context: Record<string, unknown> = {}) => ({
  value: {
    principalId: 'ann',
    policyDocument: { Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
    context,
  },
});

/** Just enough of hapi's toolkit and request to run the scheme's authenticate(). */
function harness(invoke: (name: string, event: unknown) => Promise<{ error?: string; value?: unknown }>) {
  // A hand clock, in seconds.
  let seconds = 1_000_000;
  const clock = { advance: (by: number) => (seconds += by) };
  const gateway = createOfflineGateway(
    {
      stage: 'local',
      region: 'us-east-1',
      lambdaEndpoint: 'http://unused',
      gatewayResponses: RESPONSES,
      authorizers: {
        'any-valid': { functionName: 'any-valid-fn', ttlSeconds: 30, identityHeaders: ['authorization'] },
        'fresh-only': { functionName: 'fresh-only-fn', ttlSeconds: 0, identityHeaders: ['authorization'] },
      },
      preflights: {},
    },
    { now: () => seconds * 1000, invoke },
  );
  const server = { ext: () => undefined, route: () => undefined };
  const call = async (authorizer: string, method: string, path: string, token?: string) => {
    const strategy = gateway.provider({ authorizer: { name: authorizer } }, 'fn', method, path);
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const request = {
      method: method.toLowerCase(),
      path,
      headers,
      params: {},
      query: {},
      info: { remoteAddress: '127.0.0.1' },
      raw: { req: { rawHeaders: Object.entries(headers).flat() } },
      response: null,
      plugins: {},
      route: { path },
    };
    let answer: { status: number; headers: Record<string, string>; body?: string; credentials?: unknown } = { status: 0, headers: {} };
    const response = {
      statusCode: 0,
      headers: {},
      code(status: number) {
        answer.status = status;
        return response;
      },
      header(name: string, value: string) {
        answer.headers[name] = value;
        return response;
      },
      takeover: () => response,
      charset: () => response,
    };
    const h = {
      continue: Symbol('continue'),
      response(body?: string) {
        answer = { status: 200, headers: {}, ...(body === undefined ? {} : { body }) };
        return response;
      },
      authenticated(data: { credentials: Record<string, unknown> }) {
        answer = { status: 200, headers: {}, credentials: data.credentials };
        return data;
      },
    };
    await strategy.getAuthenticateFunction(server).authenticate(request, h);
    return answer;
  };
  return { call, clock, gateway };
}

describe('the offline gateway’s Lambda authorizers', () => {
  it('applies a cached policy to other routes of the authorizer: a too-narrow Resource is ACCESS_DENIED there', async () => {
    const invoke = jest.fn((_name: string, event: unknown) => Promise.resolve(policy('Allow', (event as { methodArn: string }).methodArn)));
    const { call } = harness(invoke);
    expect((await call('any-valid', 'GET', '/protected', 'tok')).status).toBe(200);
    // Same route again: the cached policy still allows it, and the authorizer does not run.
    expect((await call('any-valid', 'GET', '/protected', 'tok')).status).toBe(200);
    // Another route with the same token: the cached policy names only /protected.
    // API Gateway's 403 ACCESS_DENIED, which this template answers as 401 "Fresh token required".
    const other = await call('any-valid', 'GET', '/me', 'tok');
    expect(other).toMatchObject({ status: 401, body: '{"msg":"Fresh token required"}' });
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it('keys the cache by identity source and drops an entry after the TTL; never caches fresh-only', async () => {
    const invoke = jest.fn(() => Promise.resolve(policy('Allow', `${API}/*`, { fresh: false, expiresAt: 5 })));
    const { call, clock } = harness(invoke);
    const allowed = await call('any-valid', 'GET', '/protected', 'a');
    // Context values reach the function as strings, as on AWS.
    expect(allowed.credentials).toMatchObject({ principalId: 'ann', context: { fresh: 'false', expiresAt: '5' } });
    await call('any-valid', 'GET', '/me', 'a');
    expect(invoke).toHaveBeenCalledTimes(1);
    await call('any-valid', 'GET', '/me', 'b');
    expect(invoke).toHaveBeenCalledTimes(2);
    clock.advance(30);
    await call('any-valid', 'GET', '/me', 'a');
    expect(invoke).toHaveBeenCalledTimes(3);
    await call('fresh-only', 'GET', '/protected-fresh', 'a');
    await call('fresh-only', 'GET', '/protected-fresh', 'a');
    expect(invoke).toHaveBeenCalledTimes(5);
  });

  it('answers Unauthorized with 401, a Deny with the ACCESS_DENIED response, anything else with 500; caches none but the policy', async () => {
    const results = [
      { error: 'Unauthorized' },
      policy('Deny', `${API}/*`, { challenge: 'Bearer error="insufficient_user_authentication"' }),
      { error: 'boom' },
    ];
    const invoke = jest.fn(() => Promise.resolve(results.shift() ?? { error: 'Unauthorized' }));
    const { call } = harness(invoke);
    const unauthorized = await call('any-valid', 'GET', '/protected', 'x');
    expect(unauthorized).toMatchObject({ status: 401, body: '{"msg":"Missing or invalid access token"}' });
    expect(unauthorized.headers['WWW-Authenticate']).toBe(ERROR_TABLE.ERR_TOKEN_INVALID.wwwAuthenticate);
    expect(await call('fresh-only', 'GET', '/protected-fresh', 'x')).toMatchObject({
      status: 401,
      body: '{"msg":"Fresh token required"}',
    });
    expect(await call('fresh-only', 'GET', '/protected-fresh', 'x')).toMatchObject({
      status: 500,
      body: '{"msg":"Internal server error"}',
    });
    // No identity source: 401 without running the authorizer.
    expect(await call('any-valid', 'GET', '/protected')).toMatchObject({ status: 401 });
    expect(invoke).toHaveBeenCalledTimes(3);
  });
});

describe('readAuthorizerResult', () => {
  it('reads only exactly "Unauthorized" as a 401 and refuses a policy without principal or with a nested context', () => {
    expect(readAuthorizerResult({ error: 'Unauthorized' })).toEqual({ kind: 'unauthorized' });
    expect(readAuthorizerResult({ error: 'unauthorized' }).kind).toBe('fault');
    expect(readAuthorizerResult({ value: 'Unauthorized' }).kind).toBe('fault');
    expect(readAuthorizerResult({ value: { policyDocument: { Statement: [] } } }).kind).toBe('fault');
    expect(readAuthorizerResult(policy('Allow', '*', { nested: { a: 1 } })).kind).toBe('fault');
  });
});

describe('policyAllows', () => {
  it('needs a matching Allow, lets an explicit Deny win, and reads IAM wildcards', () => {
    const statement = (Effect: string, Resource: string | string[]) => ({ Effect, Action: 'execute-api:Invoke', Resource });
    expect(policyAllows({ Statement: [statement('Allow', `${API}/*`)] }, `${API}/GET/me`)).toBe(true);
    expect(policyAllows({ Statement: [statement('Allow', `${API}/GET/protected`)] }, `${API}/GET/me`)).toBe(false);
    expect(policyAllows({ Statement: [statement('Allow', `${API}/*`), statement('Deny', `${API}/GET/*`)] }, `${API}/GET/me`)).toBe(false);
    expect(policyAllows({ Statement: [statement('Allow', [`${API}/?ET/me`])] }, `${API}/GET/me`)).toBe(true);
    expect(policyAllows({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }, `${API}/GET/me`)).toBe(false);
  });
});

describe('gatewayAnswer', () => {
  it('renders every Gateway Response type of the template, with DEFAULT_4XX/5XX for a type without its own', () => {
    for (const response of Object.values(RESPONSES)) {
      const answer = gatewayAnswer(
        RESPONSES,
        response.ResponseType === 'DEFAULT_4XX' || response.ResponseType === 'DEFAULT_5XX' ? 'THROTTLED' : response.ResponseType,
      );
      expect(answer.headers['Access-Control-Allow-Origin']).toBe('https://app.example');
      expect(answer.headers['Access-Control-Allow-Credentials']).toBe('true');
    }
    expect(gatewayAnswer(RESPONSES, 'THROTTLED')).toMatchObject({ statusCode: 429, headers: { 'Retry-After': '1' } });
    expect(gatewayAnswer(RESPONSES, 'REQUEST_TOO_LARGE')).toMatchObject({ statusCode: 413, body: '{"msg":"Request Too Long"}' });
    expect(gatewayAnswer(RESPONSES, 'DEFAULT_5XX', undefined, { status: 504, message: 'Endpoint request timed out' })).toMatchObject({
      statusCode: 504,
      body: '{"msg":"Internal server error"}',
    });
  });
});

describe('preflightAnswer', () => {
  it('echoes the listed origin that asks, else answers the first, as serverless writes the OPTIONS method', () => {
    const settings = {
      origin: 'https://a.example,https://b.example',
      headers: ['Authorization'],
      methods: ['OPTIONS', 'GET'],
      allowCredentials: true,
      maxAge: 600,
    };
    expect(preflightAnswer(settings, 'https://b.example').headers['Access-Control-Allow-Origin']).toBe('https://b.example');
    expect(preflightAnswer(settings, 'https://evil.example').headers['Access-Control-Allow-Origin']).toBe('https://a.example');
    expect(preflightAnswer({ ...settings, origin: '*', allowCredentials: false }, 'https://x.example').headers).not.toHaveProperty(
      'Access-Control-Allow-Credentials',
    );
  });
});

describe('a request Node’s parser refuses', () => {
  it('gets API Gateway’s DEFAULT_4XX in JSON: 431 for headers over the limit, 400 for anything else malformed', () => {
    const [head, body] = parserRefusal(RESPONSES, 'HPE_HEADER_OVERFLOW').split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(head).toMatch(/\r\nContent-Type: application\/json\r\n/);
    expect(head).toContain(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`);
    expect(head).toMatch(/\r\nConnection: close$/);
    expect(JSON.parse(body)).toEqual({ msg: 'Request Header Fields Too Large' });
    const malformed = parserRefusal(RESPONSES, 'HPE_INVALID_METHOD');
    expect(malformed.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(malformed.split('\r\n\r\n')[1]!)).toEqual({ msg: 'Bad Request' });
  });
});
