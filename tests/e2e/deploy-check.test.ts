import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeSsm, type FakeSsm } from '../helpers/fake-ssm';
import { runScript, runScriptInProcess, type ScriptRun } from '../helpers/run-script';

// `npm run deploy:check` as an operator runs it, against the fake SSM (AWS_ENDPOINT_URL_SSM) with
// placeholder credentials: it reads the stage's parameter names from serverless.yml itself. The
// command runs in this process (a second of CPU less a run), but for the run with SSM unreachable: a
// subprocess (node --import tsx scripts/deploy-check.ts), the wiring check. It shows that the script
// hands its command line to runCli, that the process exits with the status a failure names (3), and
// that its stderr is that one line and nothing else (no stack trace, no Node or SDK warning). And
// only a real process can show that line: the refused connection is an error of Node's own, which
// under jest is not an Error of the test's realm, so the SDK wraps it and its code is lost.

const REGION = 'eu-west-1';
const SECRET_PARAM = '/fresh-token-lambda/prod/jwt-secret';
const PREVIOUS_PARAM = '/fresh-token-lambda/prod/jwt-previous-secrets';
const SECRET_VALUE = 'preflight-secret-value-0123456789abcdef-0123456789';

let ssm: FakeSsm;
/** A stand-in for KMS's DescribeKey: the keys it knows, by the id, ARN or alias asked for. */
let kms: { endpoint: string; server: Server; keys: Map<string, Record<string, string>>; calls: string[] };
/** A home with no AWS configuration, so only the credentials a test gives count. */
let home: string;

/** Runs so far: each reads AWS configuration files of its own names. */
let runs = 0;

/**
 * Runs the preflight in an environment of exactly `env` (plus PATH and HOME), in this process, or
 * as a subprocess with `{ subprocess: true }`.
 */
function deployCheck(args: string[], env: Record<string, string>, { subprocess = false } = {}): Promise<ScriptRun> {
  runs += 1;
  const whole = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    // Files that do not exist, a name per run: the SDK keeps what it read of a file (or that it is
    // missing) by its name for as long as this process runs, and no run may see another's.
    AWS_CONFIG_FILE: path.join(home, `no-config-${runs}`),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, `no-credentials-${runs}`),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  };
  return subprocess ? runScript('deploy-check', args, { env: whole }) : runScriptInProcess('deploy-check', args, { env: whole });
}

const withCredentials = () => ({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_SSM: ssm.endpoint });
const prod = ['--stage', 'prod', '--region', REGION];

/** Starts the KMS stand-in on loopback. */
async function startFakeKms(): Promise<typeof kms> {
  const keys = new Map<string, Record<string, string>>();
  const calls: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace('TrentService.', '');
      calls.push(operation);
      const key = operation === 'DescribeKey' ? keys.get((JSON.parse(body) as { KeyId: string }).KeyId) : undefined;
      response.writeHead(key ? 200 : 400, { 'Content-Type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(key ? { KeyMetadata: key } : { __type: 'NotFoundException', message: 'no such key' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, keys, calls };
}

beforeAll(async () => {
  ssm = await startFakeSsm();
  kms = await startFakeKms();
  home = mkdtempSync(path.join(tmpdir(), 'deploy-check-home-'));
});

afterAll(async () => {
  await ssm?.close();
  await new Promise((resolve) => kms?.server.close(resolve));
  rmSync(home, { recursive: true, force: true });
});

beforeEach(() => {
  ssm.parameters.clear();
  ssm.types.clear();
  ssm.keyIds.clear();
  ssm.describePageSize = Infinity;
});

describe('npm run deploy:check', () => {
  it('passes when every parameter is there as a SecureString, an absent previous-secrets parameter meaning none', async () => {
    ssm.parameters.set(SECRET_PARAM, SECRET_VALUE);
    const run = await deployCheck(prod, withCredentials());
    expect(run.stdout).toContain(`ok      ${SECRET_PARAM}: SecureString (AWS-managed key)`);
    expect(run.stdout).toContain(`ok      ${PREVIOUS_PARAM}: none (optional`);
    expect(run.stdout).toContain(`All set: npx serverless deploy --stage prod --region ${REGION}`);
    expect(run.stdout).not.toContain(SECRET_VALUE);
    expect(run.code).toBe(0);
    // Read-only, and never a value: only parameter metadata was asked for.
    expect(Object.keys(ssm.calls).filter((operation) => operation !== 'DescribeParameters')).toEqual([]);
  });

  it('names a missing parameter and prints the command that creates it', async () => {
    const run = await deployCheck(prod, withCredentials());
    expect(run.stdout).toContain(`MISSING ${SECRET_PARAM} (SecureString; read by login, fresh-login, refresh, logout,`);
    expect(run.stdout).toContain(
      `fix: (umask 077 && openssl rand -base64 48 | tr -d '\\n' > jwt-secret.txt && ` +
        `aws ssm put-parameter --region ${REGION} --type SecureString --name ${SECRET_PARAM} --value file://jwt-secret.txt; rm -f jwt-secret.txt)`,
    );
    expect(run.stdout).toContain(`1 thing to fix; then run npm run deploy:check -- --stage prod --region ${REGION} again.`);
    expect(run.code).toBe(1);
  });

  it('refuses a secret stored as a String, and prints how to make it a SecureString with its value kept', async () => {
    ssm.parameters.set(SECRET_PARAM, SECRET_VALUE);
    ssm.types.set(SECRET_PARAM, 'String');
    ssm.parameters.set(PREVIOUS_PARAM, '[]');
    ssm.types.set(PREVIOUS_PARAM, 'String');
    // One parameter per page: the second is found only by asking for the next page.
    ssm.describePageSize = 1;
    const run = await deployCheck(prod, withCredentials());
    for (const name of [SECRET_PARAM, PREVIOUS_PARAM]) {
      expect(run.stdout).toContain(`WRONG   ${name} is a String; it must be a SecureString`);
      expect(run.stdout).toContain(
        `fix: (umask 077 && aws ssm get-parameter --region ${REGION} --name ${name} --with-decryption --query Parameter.Value --output text | tr -d '\\n' > value.txt && ` +
          `aws ssm delete-parameter --region ${REGION} --name ${name} && ` +
          `aws ssm put-parameter --region ${REGION} --type SecureString --name ${name} --value file://value.txt; rm -f value.txt)`,
      );
    }
    expect(run.stdout).not.toContain(SECRET_VALUE);
    expect(run.code).toBe(1);
  });

  it('checks a customer KMS key and that each SecureString is encrypted with it', async () => {
    const keyId = '1111aaaa-2222-bbbb-3333-cccc4444dddd';
    const arn = `arn:aws:kms:${REGION}:123456789012:key/${keyId}`;
    const otherArn = `arn:aws:kms:${REGION}:123456789012:key/9999ffff-8888-eeee-7777-dddd6666cccc`;
    const symmetric = { KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' };
    kms.keys.set(arn, { KeyId: keyId, Arn: arn, KeyState: 'Disabled', ...symmetric });
    kms.keys.set('alias/old-key', { KeyId: 'other', Arn: otherArn, KeyState: 'Enabled', ...symmetric });
    kms.keys.set(keyId, { KeyId: keyId, Arn: arn, KeyState: 'Disabled', ...symmetric });
    ssm.parameters.set(SECRET_PARAM, SECRET_VALUE);
    ssm.keyIds.set(SECRET_PARAM, 'alias/old-key');
    ssm.parameters.set(PREVIOUS_PARAM, '[]');
    ssm.keyIds.set(PREVIOUS_PARAM, keyId);
    const run = await deployCheck(prod, { ...withCredentials(), KEYS_KMS_KEY_ARN: arn, AWS_ENDPOINT_URL_KMS: kms.endpoint });
    expect(run.stdout).toContain(`WRONG   KEYS_KMS_KEY_ARN's key is Disabled, not Enabled`);
    expect(run.stdout).toContain(`fix: aws kms enable-key --region ${REGION} --key-id ${arn}`);
    expect(run.stdout).toContain(
      `WRONG   ${SECRET_PARAM} is encrypted with alias/old-key (${otherArn}), but the functions may decrypt only with KEYS_KMS_KEY_ARN's key`,
    );
    expect(run.stdout).toContain(`--type SecureString --name ${SECRET_PARAM} --value file://value.txt --key-id ${arn}; rm -f value.txt)`);
    expect(run.stdout).toContain(`ok      ${PREVIOUS_PARAM}: SecureString (KEYS_KMS_KEY_ARN's key)`);
    expect(run.code).toBe(1);
    expect(new Set(kms.calls)).toEqual(new Set(['DescribeKey']));
  });

  it('says in one line what to do when there are no AWS credentials, with no stack trace', async () => {
    const run = await deployCheck(prod, { AWS_ENDPOINT_URL_SSM: ssm.endpoint });
    expect(run.stderr.trim().split('\n')).toEqual([
      'deploy:check: no usable AWS credentials (Could not load credentials from any providers): ' +
        'run `aws configure` or `aws sso login` (or set AWS_PROFILE), then run this again',
    ]);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(3);
  });

  it('says in one line when SSM cannot be reached', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const run = await deployCheck(prod, { ...withCredentials(), AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${port}` }, { subprocess: true });
    expect(run.stderr.trim().split('\n')).toEqual([
      `deploy:check: cannot reach AWS for ssm:DescribeParameters in ${REGION} (ECONNREFUSED): check the network, proxy and region, then run this again`,
    ]);
    expect(run.code).toBe(3);
  });

  it('prints its usage for --help, and one line with status 2 for an unknown option', async () => {
    const [help, unknown] = await Promise.all([deployCheck(['--help'], {}), deployCheck(['--stag', 'prod'], {})]);
    expect(help.stdout).toMatch(/^usage: npm run deploy:check -- \[--stage <stage>\] \[--region <region>\]/);
    expect(help.code).toBe(0);
    expect(unknown.stderr.trim().split('\n')).toEqual([
      "deploy:check: Unknown option '--stag'",
      'usage: npm run deploy:check -- [--stage <stage>] [--region <region>]',
    ]);
    expect(unknown.code).toBe(2);
  });
});
