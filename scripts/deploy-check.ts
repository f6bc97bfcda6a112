/**
 * `npm run deploy:check -- [--stage <stage>] [--region <region>]`
 *
 * A preflight before `serverless deploy`, with your AWS credentials and read-only calls only
 * (ssm:DescribeParameters, and kms:DescribeKey for KEYS_KMS_KEY_ARN and any customer key a
 * parameter is encrypted with). It checks that:
 * - every SSM parameter the stage's functions will read exists, with the right type (SecureString
 *   for secrets; the public keys may be a String), and is encrypted with a key they may use;
 * - the customer KMS key of KEYS_KMS_KEY_ARN, if set, is usable: enabled, for encryption, in the region;
 * - the stage and region fit the names the stack creates (IAM roles, Lambda functions).
 * For each thing missing or wrong it prints the command that fixes it. It never reads a value.
 *
 * Which parameters, from what `serverless deploy` itself uses (`serverless print` with the same
 * stage, region and environment): each function's `keyAccess` and `custom.functionRoles` (the key
 * parameters per algorithm, as plugins/function-roles.js grants them), named by the function's
 * `<KEY>_PARAM` setting. Run it from the shell you deploy from: JWT_ALG and KEYS_KMS_KEY_ARN
 * change the answer.
 *
 * This file is the command line and the AWS calls; what is decided from their answers is in
 * scripts/preflight.ts.
 *
 * Exit status: 0 all fine, 1 something to fix, 2 bad usage, 3 could not check (no credentials,
 * AWS unreachable, access denied).
 */
import { DescribeKeyCommand, KMSClient, type KeyMetadata } from '@aws-sdk/client-kms';
import { paginateDescribeParameters, SSMClient, type ParameterMetadata } from '@aws-sdk/client-ssm';
import { awsFailureLine, CliError, regionSetting, runCli, UsageError, type CliSpec } from './cli';
import { readDeployment } from './local-db';
import { AWS_MANAGED_KEY, keyParameters, kmsFindings, nameFindings, parameterFindings, type DescribeKey, type Finding } from './preflight';

export const cli = {
  name: 'deploy:check',
  usage: 'usage: npm run deploy:check -- [--stage <stage>] [--region <region>]',
  help: `Checks, with your AWS credentials and read-only calls, that a deploy of <stage> (default dev) to
<region> (default us-east-1) finds its SSM key parameters and its KMS key, and that the stage
name fits; prints the command that fixes each thing missing. Run it in the shell you deploy from
(JWT_ALG and KEYS_KMS_KEY_ARN change what is checked).

Exit status: 0 all set, 1 something to fix, 2 a usage error, 3 could not check (no credentials,
AWS unreachable, access denied).`,
  options: { stage: { type: 'string' }, region: { type: 'string' } },
} satisfies CliSpec;

// As serverless.yml's defaults: `serverless deploy` without --stage deploys dev to us-east-1.
const DEFAULT_STAGE = 'dev';
const DEFAULT_REGION = 'us-east-1';
const LOCAL_STAGE = 'local';
// The stack is named <service>-<stage>, and CloudFormation allows letters, digits and hyphens.
const STAGE_PATTERN = /^[A-Za-z0-9-]+$/;

/** A failure that stops the check: one line for the operator, exit status 3. */
class CheckError extends CliError {
  constructor(message: string) {
    super(message, 3);
  }
}

/** Runs an AWS call, turning the failures that stop the whole check into one line. */
async function call<T>(what: string, region: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const { name, message } = err as { name?: string; message?: string };
    const line = awsFailureLine(err, {
      credentials: 'run `aws configure` or `aws sso login` (or set AWS_PROFILE), then run this again',
      refused: 'renew them (aws sso login, or new access keys), then run this again',
      unreachable: { what: `AWS for ${what} in ${region}`, todo: 'check the network, proxy and region, then run this again' },
    });
    if (line !== undefined) throw new CheckError(line);
    if (name === 'AccessDeniedException')
      throw new CheckError(
        `your AWS identity may not call ${what} in ${region}: use one that may (read-only is enough), then run this again`,
      );
    throw new CheckError(`${what} in ${region} failed: ${name ?? 'Error'}: ${(message ?? String(err)).split('\n')[0]}`);
  }
}

/** The preflight: prints what it found and the fixes; 0 when all is set, 1 when something is to fix. */
export async function main({ values }: { values: { stage?: string; region?: string } }): Promise<number> {
  const stage = values.stage ?? DEFAULT_STAGE;
  const region = regionSetting(values.region ?? DEFAULT_REGION, '--region');
  if (!STAGE_PATTERN.test(stage))
    throw new UsageError(`--stage "${stage}": a stage name holds letters, digits and hyphens only (it names the CloudFormation stack)`);
  if (stage === LOCAL_STAGE)
    throw new UsageError(`--stage ${LOCAL_STAGE} is npm start's stage and is never deployed (its functions carry the development secret)`);

  const client = { region, maxAttempts: 2, requestHandler: { connectionTimeout: 3000, requestTimeout: 10_000 } };
  const ssm = new SSMClient(client);
  const kms = new KMSClient(client);
  try {
    // Credentials first: without them nothing else can be checked, and printing the service takes seconds.
    await call('finding your AWS credentials', region, () => ssm.config.credentials());
    const { functions, functionRoles } = await readDeployment(stage, region).catch((err: unknown) => {
      // serverless says what is wrong on stderr; the error's own message is the command line.
      const { stderr, message } = err as { stderr?: string; message?: string };
      const reason = (stderr ?? '').split('\n').find((line) => line.trim() !== '' && !/^\W*Error:?\s*$/.test(line));
      throw new CheckError(`serverless print failed: ${(reason ?? message ?? String(err)).trim()}`);
    });
    const { parameters, findings: parameterProblems } = keyParameters(functions, functionRoles);

    const found = new Map<string, ParameterMetadata>();
    if (parameters.length > 0) {
      // Every page: SSM may answer a filtered DescribeParameters with fewer matches than exist, and a NextToken.
      await call('ssm:DescribeParameters', region, async () => {
        const filter = { Key: 'Name', Option: 'Equals', Values: parameters.map((p) => p.name) };
        for await (const page of paginateDescribeParameters({ client: ssm }, { ParameterFilters: [filter], MaxResults: 50 }))
          for (const metadata of page.Parameters ?? []) if (metadata.Name) found.set(metadata.Name, metadata);
      });
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
        : `${problems} ${problems === 1 ? 'thing' : 'things'} to fix; then run npm run deploy:check -- --stage ${stage} --region ${region} again.`,
    );
    return problems === 0 ? 0 : 1;
  } finally {
    ssm.destroy();
    kms.destroy();
  }
}

if (require.main === module) runCli(cli, main);
