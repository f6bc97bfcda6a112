import { craftToken, accessClaims } from '../helpers/craft-token';
import { startFakeSsm, type FakeSsm } from '../helpers/fake-ssm';
import { apiClient } from '../helpers/http-client';
import { startTestApi, type TestApi } from '../helpers/local-stack';
import { adminDeps } from '../helpers/users';
import { addUser } from '../../src/users/user-admin';
import { waitFor } from '../helpers/wait-for';

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
/** A refresh token from a login once the key is readable; the refresh function is still cold. */
let refreshToken: string;

/**
 * Sends `send` again, as a client honouring Retry-After would, until it is answered other than
 * 503; every 503 on the way must carry Retry-After: 1. Load only changes how many 503s come first.
 */
async function untilServed(send: () => ReturnType<ReturnType<typeof apiClient>>) {
  return waitFor(
    'an answer other than 503',
    async () => {
      const response = await send();
      if (response.status !== 503) return response;
      expect(response.headers.get('retry-after')).toBe('1');
      return undefined;
    },
    { intervalMs: 1000 },
  );
}

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
}, 300_000);

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
    // The container does not hammer SSM: after a failed read it asks again at most once a second.
    // Counted against the time that truly passed, so a slow machine cannot change the verdict.
    const started = Date.now();
    const calls = ssm.calls.GetParameters ?? 0;
    for (let i = 0; i < 5; i += 1) expect((await request('POST', '/login', { json: credentials })).status).toBe(503);
    const seconds = Math.floor((Date.now() - started) / 1000);
    // Reads at least a second apart fit floor(seconds) + 1 times in that span: the first may fall
    // due just after `started`, a second after the failed read of the first request.
    expect((ssm.calls.GetParameters ?? 0) - calls).toBeLessThanOrEqual(seconds + 1);
    // Named in the log once, when the failure starts, however many reads and requests follow.
    const named = api
      .output()
      .split('\n')
      .filter((line) => line.includes(`SSM parameter ${SECRET_PARAM} is missing or empty`));
    expect(named).toHaveLength(1);

    ssm.parameters.set(SECRET_PARAM, SECRET_A);
    const recovered = await untilServed(() => request('POST', '/login', { json: credentials }));
    expect(recovered.status).toBe(200);
    refreshToken = recovered.json.refresh_token as string;
  });

  it('reads every key parameter a function needs in one GetParameters call per cold start', async () => {
    // Only the cold refresh function is called (a warm login may re-read its keys in the background
    // once KEYS_MAX_AGE has passed, however long the machine took to get here).
    const before = ssm.batches.length;
    const refreshed = await request('POST', '/refresh', { token: refreshToken });
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
    const after = await untilServed(() => request('POST', '/fresh-login', { json: credentials }));
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

    // The warm login function signs with the new key once KEYS_MAX_AGE (10 s) has passed: each login
    // after that starts a background re-read, and a later one signs with the key it brought.
    const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    await waitFor(
      'a login signed with the rotated key',
      async () => {
        const { access_token: token } = (await request('POST', '/login', { json: credentials })).json as Record<string, string>;
        return kidOf(token!) === kidOf(signedWithB) ? token : undefined;
      },
      { intervalMs: 500, deadlineMs: 120_000 },
    );
  }, 300_000);
});
