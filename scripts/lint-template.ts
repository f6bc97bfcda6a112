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
import { CliError, runCli, type CliSpec } from './cli';
import { ROOT } from './local-db';

export const cli = {
  name: 'lint:template',
  usage: 'usage: npm run lint:template',
  help: `Packages the CloudFormation templates a team would deploy (the default stage, prod, prod with
EdDSA, prod with every option on) and lints each with cfn-lint, AWS's CloudFormation linter: the
one on PATH, else it installs it with python3 -m pip install --user cfn-lint. Prints ok or FAIL per
template with cfn-lint's findings. Rules silenced on purpose are listed with the reason in
.cfnlintrc. No AWS credentials needed; CI runs it.

Exit status: 0 every template clean, 1 an error or warning (fix it, or silence it in .cfnlintrc
with the reason), or packaging failed.`,
} satisfies CliSpec;

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
  try {
    execFileSync('python3', ['-m', 'pip', 'install', '--user', '--quiet', 'cfn-lint'], { stdio: 'inherit' });
  } catch {
    throw new CliError('cfn-lint is not on PATH and pip could not install it: install it (pipx install cfn-lint), then run this again');
  }
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
    // serverless's own words: the first line of its error, not its stack.
    const reason = `${stderr}\n${stdout}`.split('\n').find((line) => /error/i.test(line) && !/^\s+at /.test(line));
    throw new CliError(
      `packaging "${variant.name}" failed${reason ? `: ${reason.trim()}` : ''}; run npx serverless package ${variant.args.join(' ')} for the whole output`,
    );
  }
  return outDir;
}

async function main(): Promise<number> {
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
  return failed ? 1 : 0;
}

if (require.main === module) runCli(cli, main);
