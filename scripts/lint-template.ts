/**
 * `npm run lint:template`: packages the CloudFormation templates a team would deploy and lints
 * each with cfn-lint (AWS's CloudFormation linter; the one on PATH, else installed with pip):
 * the default stage, prod, prod with EdDSA, and prod with every option on. Rules silenced on
 * purpose are listed, with the reason, in `.cfnlintrc`. Fails on any error or warning, so a new
 * finding is either fixed or silenced there with its reason.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './local-db';

const VARIANTS: { name: string; args: string[]; env: Record<string, string> }[] = [
  { name: 'default stage (dev)', args: [], env: {} },
  { name: 'prod', args: ['--stage', 'prod'], env: {} },
  { name: 'prod, EdDSA', args: ['--stage', 'prod'], env: { JWT_ALG: 'EdDSA' } },
  {
    name: 'prod, WAF, alarm e-mail, step-up from context, KMS key',
    args: ['--stage', 'prod'],
    env: {
      WAF: 'true',
      ALARM_EMAIL: 'ops@example.com',
      STEP_UP_CHALLENGE: 'context',
      KEYS_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
  },
];

/** The cfn-lint command: on PATH, else installed for this user with pip. */
function cfnLint(): string {
  const found = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return 'cfn-lint';
  console.log('cfn-lint is not on PATH; installing it with pip (python3 -m pip install --user cfn-lint)');
  execFileSync('python3', ['-m', 'pip', 'install', '--user', '--quiet', 'cfn-lint'], { stdio: 'inherit' });
  return 'cfn-lint';
}

async function packageVariant(variant: (typeof VARIANTS)[number], index: number): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-lint-'));
  const env = { ...process.env, JWT_SECRET: '', BUILD_DIR: `.esbuild-lint-${index}`, ...variant.env };
  try {
    await promisify(execFile)(
      path.join(ROOT, 'node_modules/.bin/serverless'),
      ['package', ...variant.args, '--region', 'eu-west-1', '--package', outDir],
      { cwd: ROOT, env },
    );
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`packaging "${variant.name}" failed:\n${stdout}${stderr}`, { cause: err });
  }
  return outDir;
}

async function main(): Promise<void> {
  const lint = cfnLint();
  console.log(execFileSync(lint, ['--version'], { encoding: 'utf8' }).trim());
  let failed = false;
  // One at a time: two packaging runs side by side in one service folder can trip each other.
  for (const [index, variant] of VARIANTS.entries()) {
    const dir = await packageVariant(variant, index);
    const template = path.join(dir, 'cloudformation-template-update-stack.json');
    const result = spawnSync(lint, ['--', template], { cwd: ROOT, encoding: 'utf8' });
    // cfn-lint's exit code is a bit field: 2 = errors, 4 = warnings, 8 = informational; 1 = it crashed.
    const errors = result.status === null || (result.status & 7) !== 0;
    console.log(`${errors ? 'FAIL' : 'ok  '}  ${variant.name}${result.status ? ` (cfn-lint exit ${result.status})` : ''}`);
    const output = `${result.stdout}${result.stderr}`.replaceAll(template, 'template').trimEnd();
    if (output) console.log(output);
    failed ||= errors;
    rmSync(dir, { recursive: true, force: true });
    rmSync(path.join(ROOT, `.esbuild-lint-${index}`), { recursive: true, force: true });
  }
  if (failed) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
