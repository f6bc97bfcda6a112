import { craftToken, accessClaims } from '../helpers/craft-token';
import { startFakeSsm, type FakeSsm } from '../helpers/fake-ssm';
import { apiClient } from '../helpers/http-client';
import { startTestApi, type TestApi } from '../helpers/local-stack';
import { adminDeps } from '../helpers/users';
import { addUser } from '../../src/users/user-admin';

// Key material from SSM through the real AWS SDK and Powertools Parameters, pointed at a local
// stand-in for SSM (AWS_ENDPOINT_URL_SSM), under faults: missing, throttled, rotated.

const SECRET_PARAM = '/fresh-token-lambda/local/jwt-secret';
const PREVIOUS_PARAM = '/fresh-token-lambda/local/jwt-previous-secrets';
const SECRET_A = 'ssm-secret-a-0123456789abcdef-0123456789abcdef';
const SECRET_B = 'ssm-secret-b-0123456789abcdef-0123456789abcdef';
const credentials = { username: 'sam', password: 'sam-password-1' };

let ssm: FakeSsm;
let api: TestApi;
let request: ReturnType<typeof apiClient>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  // The secret's parameter does not exist yet: the first cold starts must fail, then recover.
  ssm = await startFakeSsm({ [PREVIOUS_PARAM]: '[]' });
  api = await startTestApi({
    JWT_SECRET: '',
    JWT_SECRET_PARAM: SECRET_PARAM,
    JWT_PREVIOUS_SECRETS_PARAM: PREVIOUS_PARAM,
    KEYS_MAX_AGE: '10',
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    LOG_LEVEL: 'INFO',
  });
  request = apiClient(api.baseUrl);
  await addUser(adminDeps(api.db), credentials.username, credentials.password);
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await ssm?.close();
});

describe('key material in SSM', () => {
  it('answers 503 with Retry-After while a parameter is missing, names it once in the log, and recovers without a restart', async () => {
    const first = await request('POST', '/login', { json: credentials });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.json).toEqual({ msg: 'Service temporarily unavailable; please retry shortly' });
    // Within the second, no new SSM call: the container does not hammer SSM.
    const calls = ssm.calls.GetParameters;
    expect((await request('POST', '/login', { json: credentials })).status).toBe(503);
    expect(ssm.calls.GetParameters).toBe(calls);
    const named = api
      .output()
      .split('\n')
      .filter((line) => line.includes(`SSM parameter ${SECRET_PARAM} is missing or empty`));
    expect(named).toHaveLength(1);

    ssm.parameters.set(SECRET_PARAM, SECRET_A);
    await sleep(1100);
    expect((await request('POST', '/login', { json: credentials })).status).toBe(200);
  });

  it('reads every key parameter a function needs in one GetParameters call per cold start', async () => {
    const before = ssm.batches.length;
    const { refresh_token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    const refreshed = await request('POST', '/refresh', { token: refresh_token });
    expect(refreshed.status).toBe(200);
    // refresh (cold) signs and verifies: secret and previous secrets, one call.
    expect(ssm.batches.slice(before)).toEqual([[SECRET_PARAM, PREVIOUS_PARAM]]);
    expect(ssm.calls.GetParameter ?? 0).toBe(0);
  });

  it('faults (never 401 on AWS) while SSM throttles a cold start, then serves the first request after it recovers', async () => {
    ssm.throttle = true;
    const during = await request('POST', '/fresh-login', { json: credentials });
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('1');
    expect(api.output()).toContain('ThrottlingException');
    ssm.throttle = false;
    await sleep(1100);
    const after = await request('POST', '/fresh-login', { json: credentials });
    expect(after.status).toBe(200);
  });

  it('picks up a rotated key in warm containers: at once for a token of the new key, by max age for signing', async () => {
    const { access_token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    expect((await request('GET', '/protected', { token: access_token })).status).toBe(200);

    // Rotate: the new secret current, the old one still accepted.
    ssm.parameters.set(SECRET_PARAM, SECRET_B);
    ssm.parameters.set(PREVIOUS_PARAM, JSON.stringify([SECRET_A]));
    const signedWithB = await craftToken(accessClaims({ sub: 'sam' }), {}, SECRET_B);
    expect((await request('GET', '/protected', { token: signedWithB })).json).toEqual({ logged_in_as: 'sam' });
    expect((await request('GET', '/protected', { token: access_token })).json).toEqual({ logged_in_as: 'sam' });

    // The warm login function signs with the new key once KEYS_MAX_AGE (10 s) has passed.
    await sleep(10_500);
    await request('POST', '/login', { json: credentials }); // starts the background re-read
    await sleep(500);
    const rotated = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
    const header = JSON.parse(Buffer.from(rotated.access_token!.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const headerB = JSON.parse(Buffer.from(signedWithB.split('.')[0]!, 'base64url').toString()) as { kid: string };
    expect(header.kid).toBe(headerB.kid);
  }, 60_000);
});
