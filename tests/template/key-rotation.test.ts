import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { addUser } from '../../src/users/user-admin';
import { docBlocks, ROOT } from '../helpers/doc-blocks';
import { startFakeSsm, type FakeSsm } from '../helpers/fake-ssm';
import { apiClient } from '../helpers/http-client';
import { startTestApi, type TestApi } from '../helpers/local-stack';
import { adminDeps } from '../helpers/users';
import { waitFor } from '../helpers/wait-for';
import { packagedProd } from './packaged-prod';

// The first deploy (docs/deploying.md) and a key rotation (docs/tokens-and-freshness.md) as an
// operator follows them: the docs' own shell blocks, run by bash with an `aws` that talks to the
// SSM stand-in (tests/helpers/aws-cli/aws), against the parameter names the packaged template
// gives the functions. Old tokens and sessions must survive the rotation, and stop only once the
// old key is retired.

const STAGE = 'prod';
const REGION = 'eu-west-1';
const credentials = { username: 'ops', password: 'ops-first-passphrase' };

type Resource = { Type: string; Properties: { FunctionName?: string; Environment?: { Variables: Record<string, string> } } };

/** The environment the packaged template (the tier's prod package, packaged-prod.ts) gives `name`. */
function packagedVariables(): (name: string) => Record<string, string> {
  const { Resources } = JSON.parse(packagedProd().template) as { Resources: Record<string, Resource> };
  return (name) => {
    const fn = Object.values(Resources).find((r) => r.Properties.FunctionName === `fresh-token-lambda-${STAGE}-${name}`);
    if (!fn) throw new Error(`no function ${name}`);
    return fn.Properties.Environment!.Variables;
  };
}

/** The shell blocks of `file` that run against the SSM stand-in, in order. */
function ssmBlocks(file: string): string[] {
  return docBlocks(file)
    .filter((block) => block.marker?.startsWith('ssm (run by tests/template/key-rotation.test.ts'))
    .map((block) => block.code);
}

/** Runs a doc block as the operator would: bash, from the project's folder, STAGE and REGION set, `aws` the stand-in. */
async function runAsOperator(code: string, ssm: FakeSsm): Promise<void> {
  const script = `set -euo pipefail\nSTAGE=${STAGE} REGION=${REGION}\n${code}\n`;
  await promisify(execFile)('bash', ['-c', script], {
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${path.join(ROOT, 'tests/helpers/aws-cli')}:${process.env.PATH ?? ''}`,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    },
  });
}

let ssm: FakeSsm;
let api: TestApi;
let request: ReturnType<typeof apiClient>;
let variablesOf: (name: string) => Record<string, string>;

beforeAll(async () => {
  variablesOf = packagedVariables();
  ssm = await startFakeSsm();
}, 300_000);

afterAll(async () => {
  await api?.stop();
  await ssm?.close();
});

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

describe('the first deploy and a key rotation, as the docs say', () => {
  it('creates every key parameter the template names but the previous secrets, which a first deploy does without', async () => {
    const [firstDeploy] = ssmBlocks('docs/deploying.md');
    await runAsOperator(firstDeploy!, ssm);
    const names = ['login', 'refresh', 'any-valid', 'fresh-only'].map(variablesOf);
    for (const variables of names) expect(ssm.parameters.has(variables.JWT_SECRET_PARAM!)).toBe(true);
    expect(variablesOf('refresh').JWT_PREVIOUS_SECRETS_PARAM).toBe(`/fresh-token-lambda/${STAGE}/jwt-previous-secrets`);
    expect(ssm.parameters.has(variablesOf('refresh').JWT_PREVIOUS_SECRETS_PARAM!)).toBe(false);
    // The secret is what `openssl rand -base64 48` wrote, and none of the doc's files stayed behind.
    expect(ssm.parameters.get(variablesOf('login').JWT_SECRET_PARAM!)).toMatch(/^[A-Za-z0-9+/]{64}$/);
    for (const file of ['jwt-secret.txt', 'keys.json', 'private.jwk', 'public.jwks']) {
      expect(() => readFileSync(path.join(ROOT, file))).toThrow();
    }
    // And the preflight the doc runs next finds nothing missing, for either algorithm.
    for (const alg of ['HS256', 'EdDSA']) {
      const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'deploy:check', '--', '--stage', STAGE, '--region', REGION], {
        cwd: ROOT,
        env: {
          ...process.env,
          JWT_ALG: alg,
          AWS_ENDPOINT_URL_SSM: ssm.endpoint,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
        },
      });
      expect(stdout).not.toContain('MISSING');
    }
  }, 300_000);

  it('serves at the first cold start, keeps every token and session through a rotation, and refuses old tokens only once the old key is retired', async () => {
    const refresh = variablesOf('refresh');
    api = await startTestApi({
      JWT_SECRET: '',
      JWT_SECRET_PARAM: refresh.JWT_SECRET_PARAM!,
      JWT_PREVIOUS_SECRETS_PARAM: refresh.JWT_PREVIOUS_SECRETS_PARAM!,
      // Re-read soon, so the test need not wait the default 300 s for a rotation to arrive.
      KEYS_MAX_AGE: '10',
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    request = apiClient(api.baseUrl);
    await addUser(adminDeps(api.db), credentials.username, credentials.password);

    // Cold start, log in.
    const first = await request('POST', '/login', { json: credentials });
    expect({ status: first.status, body: first.status === 200 ? 'tokens' : first.text }).toEqual({ status: 200, body: 'tokens' });
    const before = first.json as { access_token: string; refresh_token: string };
    const oldKid = kidOf(before.access_token);
    expect((await request('GET', '/protected-fresh', { token: before.access_token })).status).toBe(200);
    const currentSession = async (token: string) =>
      ((await request('GET', '/sessions', { token })).json as { sessions: { id: string; current: boolean }[] }).sessions.find(
        (session) => session.current,
      )?.id;
    const session = await currentSession(before.access_token);
    expect(session).toEqual(expect.any(String));

    // Rotate exactly as the doc says.
    const [rotate, retire] = ssmBlocks('docs/tokens-and-freshness.md');
    await runAsOperator(rotate!, ssm);
    expect(JSON.parse(ssm.parameters.get(refresh.JWT_PREVIOUS_SECRETS_PARAM!)!)).toHaveLength(1);

    // New tokens carry the new kid once the issuers have re-read their keys.
    const after = await waitFor(
      'a login signed with the new key',
      async () => {
        const tokens = (await request('POST', '/login', { json: credentials })).json as { access_token: string; refresh_token: string };
        return kidOf(tokens.access_token) !== oldKid ? tokens : undefined;
      },
      { intervalMs: 500 },
    );
    expect((await request('GET', '/protected-fresh', { token: after.access_token })).status).toBe(200);
    // The old access token still works, also where a function starts cold after the rotation
    // (fresh-recent and logout were never called before it).
    expect((await request('GET', '/protected-fresh', { token: before.access_token })).status).toBe(200);
    expect((await request('GET', '/protected-recent', { token: before.access_token })).status).toBe(200);
    // The old session goes on: its refresh token rotates, into tokens of the new key.
    const rotated = await request('POST', '/refresh', { token: before.refresh_token });
    expect(rotated.status).toBe(200);
    const next = rotated.json as { access_token: string; refresh_token: string };
    expect(kidOf(next.access_token)).not.toBe(oldKid);
    expect(await currentSession(next.access_token)).toBe(session);

    // Retire the old key as the doc says: only now do the old tokens stop.
    await runAsOperator(retire!, ssm);
    expect(ssm.parameters.has(refresh.JWT_PREVIOUS_SECRETS_PARAM!)).toBe(false);
    await waitFor('the old access token refused', async () =>
      (await request('GET', '/protected-fresh', { token: before.access_token })).status === 401 ? true : undefined,
    );
    expect((await request('GET', '/protected-fresh', { token: after.access_token })).status).toBe(200);
    expect((await request('POST', '/refresh', { token: next.refresh_token })).status).toBe(200);
    // A logout with a token of the new key still ends its session.
    expect((await request('POST', '/logout', { token: after.refresh_token })).status).toBe(200);
  }, 300_000);
});
