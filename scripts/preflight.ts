/**
 * What `npm run deploy:check` (scripts/deploy-check.ts) decides, apart from AWS and the command
 * line: which key parameters a deployment's functions read, whether each one found fits, whether
 * the stage fits the stack's names and the customer KMS key is usable, and the command that fixes
 * each problem. Pure but for `describeKey`, so it is tested without AWS.
 */
import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { ParameterMetadata } from '@aws-sdk/client-ssm';
import { createRequire } from 'node:module';
import type { FunctionRoleSettings, PrintedFunction } from './local-db';

/** What plugins/function-roles.js exposes for checking names before packaging. */
interface FunctionRolesNames {
  readonly MAX_ROLE_NAME: number;
  readonly KMS_KEY_ARN: RegExp;
  functionRoleName(namePrefix: string, stage: string, name: string, region: string): string;
  providerRoleName(namePrefix: string, stage: string, region: string): string;
  keyParametersOf(byAlgorithm: Record<string, string[]>, keyAccess: string | string[] | undefined): string[];
}
const FunctionRoles = createRequire(__filename)('../plugins/function-roles.js') as FunctionRolesNames;

const MAX_FUNCTION_NAME = 64;
/** The key SSM encrypts a SecureString with when no --key-id is given. */
export const AWS_MANAGED_KEY = 'alias/aws/ssm';

type ParameterType = 'String' | 'StringList' | 'SecureString';

/**
 * What the functions accept in each key parameter, by its name under `custom.functionRoles`: public
 * keys are public, so a String will do (docs/deploying.md creates one); an absent previous-secrets
 * parameter means "no previous secrets" (`keySource(…, { optional: true })` in src/config/config.ts).
 * Every other key parameter is required, a SecureString.
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
export interface Finding {
  readonly status: 'ok' | 'MISSING' | 'WRONG';
  readonly text: string;
  readonly fix?: readonly string[];
}

/** A key parameter some function reads, and who reads it. */
export interface KeyParameter {
  /** Its short name under custom.functionRoles.parameterPath (`jwt-secret`). */
  readonly key: string;
  /** The full name the functions read. */
  readonly name: string;
  readonly readers: string[];
}

/** The key parameters the functions of this deployment read, and any name their role does not allow. */
export function keyParameters(
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
    for (const key of FunctionRoles.keyParametersOf(byAccess, fn.keyAccess)) {
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
export function nameFindings(
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

/** Each parameter: present with a type and key the functions can use, or the command that fixes it. */
export function parameterFindings(
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
export type DescribeKey = (keyId: string) => Promise<KeyMetadata | undefined>;

/** The customer KMS key of KEYS_KMS_KEY_ARN: in the region, enabled, symmetric, for encryption. */
export async function kmsFindings(arn: string, region: string, describeKey: DescribeKey): Promise<Finding[]> {
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
