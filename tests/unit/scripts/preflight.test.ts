import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { ParameterMetadata } from '@aws-sdk/client-ssm';
import type { FunctionRoleSettings, PrintedFunction } from '../../../scripts/local-db';
import { keyParameters, kmsFindings, nameFindings, parameterFindings, type KeyParameter } from '../../../scripts/preflight';

// What the preflight decides, given a printed service and what AWS answered. The settings here are
// a small made-up service, not serverless.yml's (tests/e2e/deploy-check.test.ts runs on that one).

const PATH = '/svc/prod';
const SETTINGS: FunctionRoleSettings = {
  namePrefix: 'fresh-token',
  jwtAlg: 'HS256',
  parameterPath: PATH,
  kmsKeyArn: '',
  keyParameters: {
    HS256: { sign: ['jwt-secret'], verify: ['jwt-secret', 'jwt-previous-secrets'], publish: [] },
    EdDSA: { sign: ['jwt-private-key'], verify: ['jwt-public-keys'], publish: ['jwt-public-keys'] },
  },
};
const FUNCTIONS: Record<string, PrintedFunction> = {
  login: { keyAccess: ['sign', 'verify'], environment: { JWT_SECRET_PARAM: `${PATH}/jwt-secret`, JWT_PREVIOUS_SECRETS_PARAM: '' } },
  'plain-login': { keyAccess: 'sign' },
  'any-valid': { keyAccess: 'verify', environment: { JWT_SECRET_PARAM: `${PATH}/jwt-secret` } },
  jwks: { keyAccess: 'publish' },
  'protected-recent': {},
};
const REGION = 'eu-west-1';
const ARN = `arn:aws:kms:${REGION}:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd`;
const CONTEXT = { region: REGION, algorithm: 'EdDSA' };
const NO_CUSTOMER_KEY = { customKeyArn: undefined, arnOf: new Map<string, string | undefined>() };

const found = (...metadata: ParameterMetadata[]) => new Map(metadata.map((m) => [m.Name ?? '', m]));
const parametersOf = (jwtAlg: string, functions = FUNCTIONS) => keyParameters(functions, { ...SETTINGS, jwtAlg });
const asymmetric = (): KeyParameter[] => parametersOf('EdDSA').parameters;

describe('keyParameters', () => {
  it('lists each key parameter once with the functions that read it, for one kind of access or several', () => {
    const { parameters, findings } = parametersOf('HS256');
    expect(parameters).toEqual([
      { key: 'jwt-secret', name: `${PATH}/jwt-secret`, readers: ['login', 'plain-login', 'any-valid'] },
      // An empty JWT_PREVIOUS_SECRETS_PARAM (login's) or none at all: the name the role allows.
      { key: 'jwt-previous-secrets', name: `${PATH}/jwt-previous-secrets`, readers: ['login', 'any-valid'] },
    ]);
    expect(findings).toEqual([]);
    expect(asymmetric().map(({ key, readers }) => [key, readers])).toEqual([
      ['jwt-private-key', ['login', 'plain-login']],
      ['jwt-public-keys', ['login', 'any-valid', 'jwks']],
    ]);
  });

  it('reports once a *_PARAM setting that names a parameter the roles may not read', () => {
    const moved = Object.fromEntries(
      Object.entries(FUNCTIONS).map(([name, fn]) => [
        name,
        { ...fn, environment: { ...fn.environment, JWT_PREVIOUS_SECRETS_PARAM: '/other' } },
      ]),
    );
    const { findings } = parametersOf('HS256', moved);
    expect(findings).toEqual([
      {
        status: 'WRONG',
        text: `JWT_PREVIOUS_SECRETS_PARAM names /other, but the roles of login, any-valid may read only ${PATH}/jwt-previous-secrets`,
        fix: [`unset JWT_PREVIOUS_SECRETS_PARAM   # and keep that value in ${PATH}/jwt-previous-secrets`],
      },
    ]);
  });

  it('refuses an algorithm serverless.yml has no key parameters for', () => {
    expect(parametersOf('RS256')).toEqual({
      parameters: [],
      findings: [{ status: 'WRONG', text: 'JWT_ALG must be one of HS256, EdDSA, got "RS256"' }],
    });
  });
});

describe('nameFindings', () => {
  // fresh-token-<stage>-protected-recent-ap-southeast-2: 44 characters besides the stage.
  it('accepts a stage whose longest role name is 64 characters, and says how long a stage fits when it is one more', () => {
    const fits = nameFindings('s'.repeat(20), 'ap-southeast-2', FUNCTIONS, SETTINGS);
    expect(fits).toEqual([{ status: 'ok', text: expect.stringContaining('the longest IAM role name is 64 of 64 characters') }]);
    const [tooLong] = nameFindings('s'.repeat(21), 'ap-southeast-2', FUNCTIONS, SETTINGS);
    expect(tooLong).toEqual({
      status: 'WRONG',
      text: expect.stringContaining(
        'protected-recent-ap-southeast-2 is 65 characters, AWS allows 64; use a stage of at most 20 characters',
      ),
    });
  });
});

describe('parameterFindings', () => {
  it('makes both halves of a key pair in one command, overwriting the half that exists', () => {
    const parameters = asymmetric();
    const [privateKey, publicKeys] = parameterFindings(
      parameters,
      found({ Name: `${PATH}/jwt-private-key`, Type: 'SecureString', KeyId: 'alias/aws/ssm' }),
      CONTEXT,
      NO_CUSTOMER_KEY,
    );
    expect(publicKeys?.status).toBe('MISSING');
    expect(publicKeys?.fix).toEqual([
      '(umask 077 && npm run -s keys -- EdDSA > keys.json && ' +
        `node -e 'const k=require("./keys.json"); const fs=require("fs"); fs.writeFileSync("private.jwk", k.privateKey); fs.writeFileSync("public.jwks", k.publicKeys)' && ` +
        `aws ssm put-parameter --region ${REGION} --type SecureString --name ${PATH}/jwt-private-key --value file://private.jwk --overwrite && ` +
        `aws ssm put-parameter --region ${REGION} --type String --name ${PATH}/jwt-public-keys --value file://public.jwks; ` +
        'rm -f keys.json private.jwk public.jwks)',
    ]);
    expect(privateKey).toEqual({ status: 'ok', text: `${PATH}/jwt-private-key: SecureString (AWS-managed key)` });
  });

  it('takes public keys as a String, but a secret only as a SecureString', () => {
    const findings = parameterFindings(
      asymmetric(),
      found({ Name: `${PATH}/jwt-public-keys`, Type: 'String' }, { Name: `${PATH}/jwt-private-key`, Type: 'StringList' }),
      CONTEXT,
      NO_CUSTOMER_KEY,
    );
    expect(findings.map(({ status, text }) => [status, text])).toEqual([
      ['WRONG', `${PATH}/jwt-private-key is a StringList; it must be a SecureString (read by login, plain-login)`],
      ['ok', `${PATH}/jwt-public-keys: String`],
    ]);
  });

  it('asks for KEYS_KMS_KEY_ARN when a SecureString uses a customer key and none is configured', () => {
    const [secret] = parameterFindings(
      parametersOf('HS256').parameters,
      found({ Name: `${PATH}/jwt-secret`, Type: 'SecureString', KeyId: 'alias/mine' }),
      CONTEXT,
      { customKeyArn: undefined, arnOf: new Map([['alias/mine', ARN]]) },
    );
    expect(secret?.status).toBe('WRONG');
    expect(secret?.text).toBe(
      `${PATH}/jwt-secret is encrypted with the customer key alias/mine (${ARN}), which the functions may use only with KEYS_KMS_KEY_ARN set`,
    );
    expect(secret?.fix?.[0]).toMatch(new RegExp(`^export KEYS_KMS_KEY_ARN=${ARN} `));
  });
});

describe('kmsFindings', () => {
  const symmetric: KeyMetadata = { KeyId: 'k', Arn: ARN, KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' };
  const describing = (metadata: KeyMetadata | undefined) => jest.fn((_keyId: string) => Promise.resolve(metadata));

  it('accepts an enabled symmetric encryption key of the region', async () => {
    expect(await kmsFindings(ARN, REGION, describing(symmetric))).toEqual([
      { status: 'ok', text: `KEYS_KMS_KEY_ARN: ${ARN}, enabled, symmetric, for encryption` },
    ]);
  });

  it('refuses a key of another region without asking KMS', async () => {
    const describeKey = describing(symmetric);
    const [finding] = await kmsFindings(ARN, 'us-east-1', describeKey);
    expect(finding?.text).toBe(`KEYS_KMS_KEY_ARN is a key in ${REGION}, but SSM in us-east-1 encrypts only with keys of us-east-1`);
    expect(describeKey).not.toHaveBeenCalled();
  });

  it('names a key pending deletion, a signing key, a missing key and a malformed ARN', async () => {
    const pending = await kmsFindings(ARN, REGION, describing({ ...symmetric, KeyState: 'PendingDeletion' }));
    expect(pending).toEqual([
      {
        status: 'WRONG',
        text: "KEYS_KMS_KEY_ARN's key is PendingDeletion, not Enabled",
        fix: [`aws kms cancel-key-deletion --region ${REGION} --key-id ${ARN} && aws kms enable-key --region ${REGION} --key-id ${ARN}`],
      },
    ]);
    const signing = await kmsFindings(ARN, REGION, describing({ ...symmetric, KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256' }));
    expect(signing.map((f) => f.text)).toEqual([
      "KEYS_KMS_KEY_ARN's key is ECC_NIST_P256 for SIGN_VERIFY; SSM needs a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT",
    ]);
    expect(await kmsFindings(ARN, REGION, describing(undefined))).toEqual([
      { status: 'MISSING', text: `KEYS_KMS_KEY_ARN: no such key in this account and region: ${ARN}` },
    ]);
    const [malformed] = await kmsFindings('alias/mine', REGION, describing(symmetric));
    expect(malformed?.status).toBe('WRONG');
  });
});
