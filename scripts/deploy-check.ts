/**
 * `npm run deploy:check -- [--stage <stage>] [--region <region>]`
 *
 * A preflight before `serverless deploy`, with your AWS credentials and read-only calls only
 * (ssm:DescribeParameters, and kms:DescribeKey when KEYS_KMS_KEY_ARN is set). It checks that:
 * - every SSM parameter the stage's functions will read exists, with the right type (SecureString
 *   for secrets; the public keys may be a String), and is encrypted with a key they may use;
 * - the customer KMS key of KEYS_KMS_KEY_ARN, if set, is usable: enabled, for encryption, in the region;
 * - the stage and region fit the names the stack creates (IAM roles, Lambda functions).
 * For each thing missing or wrong it prints the command that fixes it. It never reads a value.
 *
 * Which parameters, from what `serverless deploy` itself uses (`serverless print` with the same
 * stage, region and environment): each function's `keyAccess` and `custom.functionRoles` (the key
 * parameters per algorithm, as plugins/function-roles.js grants them), named by the function's
 * `<KEY>_PARAM` setting. Run it from the shell you deploy from: JWT_ALG, KEYS_KMS_KEY_ARN and
 * JWT_PREVIOUS_SECRETS_PARAM change the answer.
 *
 * Exit status: 0 all fine, 1 something to fix, 2 bad usage, 3 could not check (no credentials,
 * AWS unreachable, access denied).
 */
import { DescribeKeyCommand, KMSClient, type KeyMetadata } from '@aws-sdk/client-kms';
import { DescribeParametersCommand, SSMClient, type ParameterMetadata } from '@aws-sdk/client-ssm';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { readDeployment, type FunctionRoleSettings, type PrintedFunction } from './local-db';

const USAGE = `usage: npm run deploy:check -- [--stage <stage>] [--region <region>]

Checks, with your AWS credentials and read-only calls, that a deploy of <stage> (default dev) to
<region> (default us-east-1) finds its SSM key parameters and its KMS key, and that the stage
name fits; prints the command that fixes each thing missing. Run it in the shell you deploy from
(JWT_ALG, KEYS_KMS_KEY_ARN and JWT_PREVIOUS_SECRETS_PARAM change what is checked).`;

/** What plugins/function-roles.js exposes for checking names before packaging. */
interface FunctionRolesNames {
  readonly MAX_ROLE_NAME: number;
  readonly KMS_KEY_ARN: RegExp;
  functionRoleName(namePrefix: string, stage: string, name: string, region: string): string;
  providerRoleName(namePrefix: string, stage: string, region: string): string;
}
const FunctionRoles = createRequire(__filename)('../plugins/function-roles.js') as FunctionRolesNames;

// As serverless.yml's defaults: `serverless deploy` without --stage deploys dev to us-east-1.
const DEFAULT_STAGE = 'dev';
const DEFAULT_REGION = 'us-east-1';
const LOCAL_STAGE = 'local';
// The stack is named <service>-<stage>, and CloudFormation allows letters, digits and hyphens.
const STAGE_PATTERN = /^[A-Za-z0-9-]+$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const MAX_FUNCTION_NAME = 64;
/** The key SSM encrypts a SecureString with when no --key-id is given. */
const AWS_MANAGED_KEY = 'alias/aws/ssm';

type ParameterType = 'String' | 'StringList' | 'SecureString';

/**
 * What the functions accept in each key parameter, by its name under `custom.functionRoles`
 * (src/tokens/keys.ts): public keys are public, so a String will do; an absent previous-secrets
 * parameter means "no previous secrets". Every other key parameter is required, a SecureString.
 */
interface ParameterRule {
  readonly types: readonly ParameterType[];
  readonly optional?: true;
}
const PARAMETER_RULES: Record<string, ParameterRule | undefined> = {
  'jwt-public-keys': { types: ['String', 'SecureString'] },
  'jwt-previous-secrets': { types: ['SecureString'], optional: true },
};
const SECRET_RULE: ParameterRule = { types: ['SecureString'] };

/** One line of the report; a problem comes with the commands that fix it. */
interface Finding {
  readonly status: 'ok' | 'MISSING' | 'WRONG';
  readonly text: string;
  readonly fix?: readonly string[];
}

/** A key parameter some function reads, and who reads it. */
interface KeyParameter {
  /** Its short name under custom.functionRoles.parameterPath (`jwt-secret`). */
  readonly key: string;
  /** The full name the functions read. */
  readonly name: string;
  readonly readers: string[];
}

/** A failure that stops the check: one line for the operator, exit status 3 (or 2 for usage). */
class CheckError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 3 = 3,
  ) {
    super(message);
  }
}

/** The key parameters the functions of this deployment read, and any name their role does not allow. */
function keyParameters(
  functions: Record<string, PrintedFunction>,
  settings: FunctionRoleSettings,
): { parameters: KeyParameter[]; findings: Finding[] } {
  const byAccess = settings.keyParameters[settings.jwtAlg];
  if (!byAccess) {
    const algorithms = Object.keys(settings.keyParameters).join(', ');
    return { parameters: [], findings: [{ status: 'WRONG', text: `JWT_ALG must be one of ${algorithms}, got "${settings.jwtAlg}"` }] };
  }
  const parameters = new Map<string, KeyParameter>();
  // Names a function's setting gives that its role does not allow, with the functions concerned.
  const denied = new Map<string, { variable: string; name: string; granted: string; readers: string[] }>();
  for (const [functionName, fn] of Object.entries(functions)) {
    for (const key of fn.keyAccess ? (byAccess[fn.keyAccess] ?? []) : []) {
      // jwt-secret is named by JWT_SECRET_PARAM, jwt-public-keys by JWT_PUBLIC_KEYS_PARAM, and so on.
      const variable = `${key.toUpperCase().replaceAll('-', '_')}_PARAM`;
      const granted = `${settings.parameterPath}/${key}`;
      const name = fn.environment?.[variable] || granted;
      if (name !== granted) {
        const entry = denied.get(`${variable}=${name}`) ?? { variable, name, granted, readers: [] };
        entry.readers.push(functionName);
        denied.set(`${variable}=${name}`, entry);
      }
      const parameter = parameters.get(name) ?? { key, name, readers: [] };
      parameter.readers.push(functionName);
      parameters.set(name, parameter);
    }
  }
  const findings = [...denied.values()].map(({ variable, name, granted, readers }): Finding => ({
    status: 'WRONG',
    text: `${variable} names ${name}, but the roles of ${readers.join(', ')} may read only ${granted}`,
    fix: [`unset ${variable}   # and keep that value in ${granted}`],
  }));
  return { parameters: [...parameters.values()], findings };
}

/** Whether the stage can be deployed under the names the stack gives its roles and functions. */
function nameFindings(
  stage: string,
  region: string,
  functions: Record<string, PrintedFunction>,
  settings: FunctionRoleSettings,
): Finding[] {
  const roles = [
    FunctionRoles.providerRoleName(settings.namePrefix, stage, region),
    ...Object.entries(functions).map(
      ([name, fn]) => fn.iamRoleStatementsName ?? FunctionRoles.functionRoleName(settings.namePrefix, stage, name, region),
    ),
  ];
  const names = Object.entries(functions).map(([name, fn]) => fn.name ?? name);
  const longest = (list: string[]) => list.reduce((a, b) => (b.length > a.length ? b : a), '');
  const [role, lambda] = [longest(roles), longest(names)];
  const findings: Finding[] = [];
  for (const [what, name, limit] of [
    ['IAM role name', role, FunctionRoles.MAX_ROLE_NAME],
    ['Lambda function name', lambda, MAX_FUNCTION_NAME],
  ] as const) {
    if (name.length > limit) {
      const fits = stage.length - (name.length - limit);
      findings.push({
        status: 'WRONG',
        text: `stage "${stage}": the ${what} ${name} is ${name.length} characters, AWS allows ${limit}; use a stage of at most ${fits} characters`,
      });
    }
  }
  if (findings.length > 0) return findings;
  return [
    {
      status: 'ok',
      text: `stage "${stage}" in ${region}: the longest IAM role name is ${role.length} of ${FunctionRoles.MAX_ROLE_NAME} characters, the longest function name ${lambda.length} of ${MAX_FUNCTION_NAME}`,
    },
  ];
}

/** A subshell that writes a file only you can read, runs `commands`, and removes the file whatever happens. */
function withPrivateFiles(files: string, commands: string[]): string {
  return `(umask 077 && ${commands.join(' && ')}; rm -f ${files})`;
}

/** The command that creates a missing parameter, as docs/deploying.md does it (the value never on a command line). */
function createCommand(
  parameter: KeyParameter,
  context: { region: string; algorithm: string; all: KeyParameter[]; existing: ReadonlySet<string> },
): string {
  const { region, algorithm, all, existing } = context;
  const put = (name: string, type: ParameterType, file: string) =>
    `aws ssm put-parameter --region ${region} --type ${type} --name ${name} --value file://${file}${existing.has(name) ? ' --overwrite' : ''}`;
  if (parameter.key === 'jwt-secret')
    return withPrivateFiles('jwt-secret.txt', [
      `openssl rand -base64 48 | tr -d '\\n' > jwt-secret.txt`,
      put(parameter.name, 'SecureString', 'jwt-secret.txt'),
    ]);
  // A key pair: both halves are made together, so they always match.
  const named = (key: string) => all.find((p) => p.key === key)?.name ?? '';
  return withPrivateFiles('keys.json private.jwk public.jwks', [
    `npm run -s keys -- ${algorithm} > keys.json`,
    `node -e 'const k=require("./keys.json"); const fs=require("fs"); fs.writeFileSync("private.jwk", k.privateKey); fs.writeFileSync("public.jwks", k.publicKeys)'`,
    ...(named('jwt-private-key') ? [put(named('jwt-private-key'), 'SecureString', 'private.jwk')] : []),
    put(named('jwt-public-keys'), 'String', 'public.jwks'),
  ]);
}

/** The command that turns an existing parameter into a SecureString (with `keyId`), keeping its value. */
function retypeCommand(name: string, region: string, keyId: string | undefined): string {
  return withPrivateFiles('value.txt', [
    `aws ssm get-parameter --region ${region} --name ${name} --with-decryption --query Parameter.Value --output text | tr -d '\\n' > value.txt`,
    `aws ssm delete-parameter --region ${region} --name ${name}`,
    `aws ssm put-parameter --region ${region} --type SecureString --name ${name} --value file://value.txt${keyId ? ` --key-id ${keyId}` : ''}`,
  ]);
}

/** Runs an AWS call, turning the failures that stop the whole check into one line. */
async function call<T>(what: string, region: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const { name, message, code } = err as { name?: string; message?: string; code?: string };
    if (name === 'CredentialsProviderError')
      throw new CheckError('no AWS credentials found: run `aws configure` or `aws sso login` (or set AWS_PROFILE), then run this again');
    if (['UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException', 'InvalidSignatureException'].includes(name ?? ''))
      throw new CheckError(`AWS refused your credentials (${name}): renew them (aws sso login, or new access keys), then run this again`);
    if (name === 'AccessDeniedException')
      throw new CheckError(
        `your AWS identity may not call ${what} in ${region}: use one that may (read-only is enough), then run this again`,
      );
    if (code !== undefined && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(code))
      throw new CheckError(`cannot reach AWS for ${what} in ${region} (${code}): check the network, proxy and region, then run this again`);
    throw new CheckError(`${what} in ${region} failed: ${name ?? 'Error'}: ${(message ?? String(err)).split('\n')[0]}`);
  }
}

/** Each parameter: present with a type and key the functions can use, or the command that fixes it. */
function parameterFindings(
  parameters: KeyParameter[],
  found: ReadonlyMap<string, ParameterMetadata>,
  { region, algorithm }: { region: string; algorithm: string },
  keys: { customKeyArn: string | undefined; arnOf: ReadonlyMap<string, string | undefined> },
): Finding[] {
  const existing = new Set(found.keys());
  const { customKeyArn } = keys;
  return parameters.map((parameter): Finding => {
    const rule = PARAMETER_RULES[parameter.key] ?? SECRET_RULE;
    const metadata = found.get(parameter.name);
    const readers = `read by ${parameter.readers.join(', ')}`;
    if (!metadata) {
      if (rule.optional)
        return { status: 'ok', text: `${parameter.name}: none (optional: create it when you rotate keys, docs/tokens-and-freshness.md)` };
      return {
        status: 'MISSING',
        text: `${parameter.name} (${rule.types.join(' or ')}; ${readers})`,
        fix: [createCommand(parameter, { region, algorithm, all: parameters, existing })],
      };
    }
    const type = metadata.Type ?? 'unknown';
    if (!rule.types.some((allowed) => allowed === type))
      return {
        status: 'WRONG',
        text: `${parameter.name} is a ${type}; it must be a ${rule.types.join(' or ')} (${readers})`,
        fix: [retypeCommand(parameter.name, region, customKeyArn)],
      };
    if (type !== 'SecureString') return { status: 'ok', text: `${parameter.name}: ${type}` };
    const keyId = metadata.KeyId ?? AWS_MANAGED_KEY;
    // The AWS-managed key needs no grant; a customer key must be the one the roles may decrypt with.
    if (keyId === AWS_MANAGED_KEY) return { status: 'ok', text: `${parameter.name}: SecureString (AWS-managed key)` };
    const keyArn = keys.arnOf.get(keyId);
    if (customKeyArn !== undefined && keyArn === customKeyArn)
      return { status: 'ok', text: `${parameter.name}: SecureString (KEYS_KMS_KEY_ARN's key)` };
    const named = keyArn && keyArn !== keyId ? `${keyId} (${keyArn})` : keyId;
    return {
      status: 'WRONG',
      text: customKeyArn
        ? `${parameter.name} is encrypted with ${named}, but the functions may decrypt only with KEYS_KMS_KEY_ARN's key`
        : `${parameter.name} is encrypted with the customer key ${named}, which the functions may use only with KEYS_KMS_KEY_ARN set`,
      fix: customKeyArn
        ? [retypeCommand(parameter.name, region, customKeyArn)]
        : [
            `export KEYS_KMS_KEY_ARN=${keyArn ?? `<the ARN of ${keyId}>`}   # in the shell you deploy from; or re-encrypt with the AWS-managed key:`,
            retypeCommand(parameter.name, region, undefined),
          ],
    };
  });
}

/** Describes a KMS key by id, ARN or alias; undefined when there is no such key. */
type DescribeKey = (keyId: string) => Promise<KeyMetadata | undefined>;

/** The customer KMS key of KEYS_KMS_KEY_ARN: in the region, enabled, symmetric, for encryption. */
async function kmsFindings(arn: string, region: string, describeKey: DescribeKey): Promise<Finding[]> {
  if (!FunctionRoles.KMS_KEY_ARN.test(arn))
    return [{ status: 'WRONG', text: `KEYS_KMS_KEY_ARN must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got "${arn}"` }];
  const keyRegion = arn.split(':')[3];
  if (keyRegion !== region)
    return [
      {
        status: 'WRONG',
        text: `KEYS_KMS_KEY_ARN is a key in ${keyRegion}, but SSM in ${region} encrypts only with keys of ${region}`,
        fix: [`aws kms create-key --region ${region} --description "fresh-token-lambda keys"   # then KEYS_KMS_KEY_ARN=<its Arn>`],
      },
    ];
  const metadata = await describeKey(arn);
  if (!metadata) return [{ status: 'MISSING', text: `KEYS_KMS_KEY_ARN: no such key in this account and region: ${arn}` }];
  const findings: Finding[] = [];
  if (metadata.KeyState !== 'Enabled') {
    const fix =
      metadata.KeyState === 'PendingDeletion'
        ? [`aws kms cancel-key-deletion --region ${region} --key-id ${arn} && aws kms enable-key --region ${region} --key-id ${arn}`]
        : metadata.KeyState === 'Disabled'
          ? [`aws kms enable-key --region ${region} --key-id ${arn}`]
          : undefined;
    findings.push({
      status: 'WRONG',
      text: `KEYS_KMS_KEY_ARN's key is ${metadata.KeyState ?? 'in an unknown state'}, not Enabled`,
      ...(fix ? { fix } : {}),
    });
  }
  if (metadata.KeyUsage !== 'ENCRYPT_DECRYPT' || metadata.KeySpec !== 'SYMMETRIC_DEFAULT')
    findings.push({
      status: 'WRONG',
      text: `KEYS_KMS_KEY_ARN's key is ${metadata.KeySpec} for ${metadata.KeyUsage}; SSM needs a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT`,
    });
  if (findings.length === 0) findings.push({ status: 'ok', text: `KEYS_KMS_KEY_ARN: ${arn}, enabled, symmetric, for encryption` });
  return findings;
}

/** Reads the options: exits 0 with usage for --help, throws a usage CheckError for anything else unknown. */
function options(): { stage: string; region: string } {
  let values: { stage?: string; region?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { stage: { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    throw new CheckError(`${(err as Error).message.split('\n')[0]} (see npm run deploy:check -- --help)`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return { stage: values.stage ?? DEFAULT_STAGE, region: values.region ?? DEFAULT_REGION };
}

async function main(): Promise<number> {
  const { stage, region } = options();
  if (!STAGE_PATTERN.test(stage))
    throw new CheckError(`--stage "${stage}": a stage name holds letters, digits and hyphens only (it names the CloudFormation stack)`, 2);
  if (stage === LOCAL_STAGE)
    throw new CheckError(
      `--stage ${LOCAL_STAGE} is npm start's stage and is never deployed (its functions carry the development secret)`,
      2,
    );
  if (!REGION_PATTERN.test(region)) throw new CheckError(`--region "${region}" is not an AWS region name (like eu-west-1)`, 2);

  const client = { region, maxAttempts: 2, requestHandler: { connectionTimeout: 3000, requestTimeout: 10_000 } };
  const ssm = new SSMClient(client);
  const kms = new KMSClient(client);
  try {
    // Credentials first: without them nothing else can be checked, and printing the service takes seconds.
    await call('finding your AWS credentials', region, () => ssm.config.credentials());
    const { functions, functionRoles } = await readDeployment(stage, region).catch((err: unknown) => {
      throw new CheckError(`serverless print failed: ${String((err as Error).message).split('\n')[0]}`);
    });
    const { parameters, findings: parameterProblems } = keyParameters(functions, functionRoles);

    const found = new Map<string, ParameterMetadata>();
    if (parameters.length > 0) {
      const response = await call('ssm:DescribeParameters', region, () =>
        ssm.send(
          new DescribeParametersCommand({
            ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: parameters.map((p) => p.name) }],
            MaxResults: 50,
          }),
        ),
      );
      for (const metadata of response.Parameters ?? []) if (metadata.Name) found.set(metadata.Name, metadata);
    }
    // Each KMS key once: KEYS_KMS_KEY_ARN's, and the customer keys the SecureStrings name (an alias, an id).
    const described = new Map<string, Promise<KeyMetadata | undefined>>();
    const describeKey: DescribeKey = (keyId) => {
      const known =
        described.get(keyId) ??
        call('kms:DescribeKey', region, () =>
          kms.send(new DescribeKeyCommand({ KeyId: keyId })).then(
            (response) => response.KeyMetadata,
            (err: unknown) => {
              if ((err as { name?: string }).name === 'NotFoundException') return undefined;
              throw err;
            },
          ),
        );
      described.set(keyId, known);
      return known;
    };
    const customKeyArn = functionRoles.kmsKeyArn || undefined;
    const keyFindings = customKeyArn
      ? await kmsFindings(customKeyArn, region, describeKey)
      : [{ status: 'ok', text: 'KMS: no customer key (KEYS_KMS_KEY_ARN unset); SecureStrings use the AWS-managed key' } as const];
    const arnOf = new Map<string, string | undefined>();
    for (const metadata of found.values()) {
      const keyId = metadata.KeyId;
      if (metadata.Type === 'SecureString' && keyId && keyId !== AWS_MANAGED_KEY && !arnOf.has(keyId))
        arnOf.set(keyId, keyId === customKeyArn ? keyId : (await describeKey(keyId))?.Arn);
    }

    const findings: Finding[] = [
      ...nameFindings(stage, region, functions, functionRoles),
      ...parameterProblems,
      ...parameterFindings(parameters, found, { region, algorithm: functionRoles.jwtAlg }, { customKeyArn, arnOf }),
      ...keyFindings,
    ];
    console.log(`Preflight of stage ${stage} in ${region} (JWT_ALG=${functionRoles.jwtAlg}):`);
    const shown = new Set<string>();
    for (const finding of findings) {
      console.log(`  ${finding.status.padEnd(7)} ${finding.text}`);
      // A key pair's two parameters share one command: print it once.
      for (const line of finding.fix ?? []) console.log(`          fix: ${shown.has(line) ? '(the command above)' : line}`);
      for (const line of finding.fix ?? []) shown.add(line);
    }
    const problems = findings.filter((finding) => finding.status !== 'ok').length;
    console.log(
      problems === 0
        ? `All set: npx serverless deploy --stage ${stage} --region ${region}`
        : `${problems} to fix; then run npm run deploy:check -- --stage ${stage} --region ${region} again.`,
    );
    return problems === 0 ? 0 : 1;
  } finally {
    ssm.destroy();
    kms.destroy();
  }
}

main().then(
  (status) => process.exit(status),
  (err: unknown) => {
    console.error(err instanceof CheckError ? `deploy:check: ${err.message}` : err);
    process.exit(err instanceof CheckError ? err.exitCode : 1);
  },
);
