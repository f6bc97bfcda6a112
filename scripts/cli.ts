/**
 * The command line every `npm run` script shares: `--help` prints the usage and what the command is
 * for, exit status 0; an unknown option or a wrong argument is one line and the usage, exit status
 * 2; a failure is one line saying what to do, exit status 1 (or the one the failure names), never a
 * stack trace.
 */
import { Console } from 'node:console';
import { parseArgs, types, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a command takes and says about itself. */
export interface CliSpec<O extends Options = Options> {
  /** The npm script's name, which starts every message (`users: …`). */
  readonly name: string;
  /** How to call it, one line (`usage: npm run users -- …`). */
  readonly usage: string;
  /** What `--help` prints after the usage: what the command and its output are for, its options, its exit statuses. */
  readonly help: string;
  /** Its options; `--help` (and `-h`) is added to them. */
  readonly options?: O;
  /** How many arguments besides the options it takes (none unless set). */
  readonly positionals?: { readonly min: number; readonly max: number };
}

/** A mistake in how the command was called: one line, then the usage; exit status 2. */
export class UsageError extends Error {}

/** A failure the user can act on: one line saying what to do; exit status `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; args: string[] }>>;

/** How a command line reads: a request for help, a usage error, or the options and arguments to run with. */
export type CommandLine<O extends Options> =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'usage'; readonly text: string }
  | { readonly kind: 'run'; readonly values: Parsed<O>['values']; readonly positionals: string[] };

/** The usage error's text: the one line naming what is wrong, then the usage. */
export function usageText(spec: Pick<CliSpec, 'name' | 'usage'>, problem: string): string {
  return `${spec.name}: ${problem}\n${spec.usage}`;
}

/** Reads `argv` (the arguments after the script) as `spec` says; pure, so every command's is tested in-process. */
export function readCommandLine<O extends Options>(spec: CliSpec<O>, argv: readonly string[]): CommandLine<O> {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as unknown as O;
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ options, allowPositionals: true, args: [...argv] });
  } catch (err) {
    // Node's own message, without its advice about '--' (this is an unknown option, not a positional).
    // (Under some hosts the message arrives prefixed with the error's name and code: not for a person.)
    const text = (err instanceof Error ? err.message : String(err)).replace(/^\w*Error \[ERR_\w+\]: /, '');
    const message = text.split(/\.\s/)[0] ?? '';
    return { kind: 'usage', text: usageText(spec, message.replace(/\.$/, '')) };
  }
  if ((parsed.values as Record<string, unknown>).help === true) return { kind: 'help', text: `${spec.usage}\n\n${spec.help}` };
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  const count = parsed.positionals.length;
  // Not echoed: an argument too many may be a password typed where it does not belong.
  if (count > max) return { kind: 'usage', text: usageText(spec, `too many arguments (${count}; at most ${max})`) };
  if (count < min) return { kind: 'usage', text: usageText(spec, 'missing argument') };
  return { kind: 'run', values: parsed.values, positionals: parsed.positionals };
}

/** One line for an error nobody planned for: its kind and the first line of its message. */
function unexpectedLine(err: unknown): string {
  // An error of Node's own is an Error too when a test runs the command in-process (jest gives the test a realm of its own).
  if (!(err instanceof Error) && !types.isNativeError(err)) return String(err);
  const first = err.message.split('\n')[0] ?? '';
  return err.name === 'Error' ? first : `${err.name}: ${first}`;
}

/** What a command runs with: the arguments after its script, its environment, where it prints. */
export interface CommandIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** How a command ended: its exit status, and whether a failure ended it (not `main` returning). */
export interface CommandEnd {
  readonly status: number;
  readonly failed: boolean;
}

type Main<O extends Options> = (args: Extract<CommandLine<O>, { kind: 'run' }>) => number | void | Promise<number | void>;

/**
 * Runs `main` with the command line as `spec` reads it from `io`, and says how it ended, as the
 * header says (a usage error 2, a failure 1 or the status it names), without ending the process:
 * runCli ends it; a test runs the command inside its own process and reads the status. `explain` may turn
 * a known kind of error (no AWS credentials, a database not answering) into a line saying what to
 * do. `main` returns the exit status, or nothing for 0 (a server keeps running).
 */
export async function runCommand<O extends Options>(
  spec: CliSpec<O>,
  main: Main<O>,
  explain: (err: unknown) => string | undefined,
  io: CommandIo,
): Promise<CommandEnd> {
  const line = readCommandLine(spec, io.argv);
  if (line.kind === 'help') {
    io.stdout.write(`${line.text}\n`);
    return { status: 0, failed: false };
  }
  if (line.kind === 'usage') {
    io.stderr.write(`${line.text}\n`);
    return { status: 2, failed: false };
  }
  try {
    return { status: (await withProcessIo(io, () => main(line))) ?? 0, failed: false };
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${usageText(spec, err.message)}\n`);
      return { status: 2, failed: true };
    }
    io.stderr.write(`${spec.name}: ${err instanceof CliError ? err.message : (explain(err) ?? unexpectedLine(err))}\n`);
    return { status: err instanceof CliError ? err.exitCode : 1, failed: true };
  }
}

/**
 * Runs `main` from the command line of this process, and ends it as the header says. A failure
 * ends it at once, whatever the command had started (a server, a child process, a timer).
 */
export function runCli<O extends Options>(
  spec: CliSpec<O>,
  main: Main<O>,
  explain: (err: unknown) => string | undefined = () => undefined,
): void {
  const io = { argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr };
  void runCommand(spec, main, explain, io).then(({ status, failed }) => {
    process.exitCode = status;
    if (failed) process.exit();
  });
}

/** The runs given an environment and output of their own, in turn: each waits for the one before. */
let borrowed: Promise<unknown> = Promise.resolve();

/**
 * Runs `run` with `io`'s environment in process.env and its output behind console, unless they are
 * this process's own. The commands and the AWS SDK read their settings from process.env (the SDK
 * when it makes a client and when it looks for credentials) and print with console, so a command
 * run inside a test's process needs both for its whole run. One such run at a time; the process's
 * own are put back after each, even when it fails.
 */
function withProcessIo<T>(io: CommandIo, run: () => T | Promise<T>): Promise<T> {
  if (io.env === process.env && io.stdout === process.stdout && io.stderr === process.stderr) return Promise.resolve(run());
  const turn = borrowed.then(async () => {
    const saved = { env: { ...process.env }, console: globalThis.console };
    replaceEnv({ ...io.env });
    globalThis.console = new Console({ stdout: io.stdout, stderr: io.stderr });
    try {
      return await run();
    } finally {
      globalThis.console = saved.console;
      replaceEnv(saved.env);
    }
  });
  borrowed = turn.catch(() => undefined);
  return turn;
}

/** Makes process.env hold exactly `env`, in place: code that keeps a reference to process.env sees it too. */
function replaceEnv(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) delete process.env[name];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
}

// AWS region names: two letters, words, a number (eu-west-1, us-gov-east-1).
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** An AWS region name as given by `source` (`--region`, `AWS_REGION`), or a usage error naming it. */
export function regionSetting(region: string, source: string): string {
  if (!REGION_PATTERN.test(region)) throw new UsageError(`${source} "${region}" is not an AWS region name (like eu-west-1)`);
  return region;
}

/**
 * A failure of an AWS or database call as one line: no credentials, credentials refused, or the
 * endpoint unreachable, each with what to do; undefined for any other error. `refused` defaults to
 * the `credentials` advice.
 */
export function awsFailureLine(
  err: unknown,
  advice: { credentials: string; refused?: string; unreachable: { what: string; todo: string } },
): string | undefined {
  const { name = 'Error', message = String(err) } = err as { name?: string; message?: string };
  // The SDK's reason (none found, an expired SSO session, a missing profile) and what to do about it.
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError')
    return `no usable AWS credentials (${message.split('\n')[0] ?? ''}): ${advice.credentials}`;
  if (['UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException', 'InvalidSignatureException'].includes(name))
    return `AWS refused your credentials (${name}): ${advice.refused ?? advice.credentials}`;
  const cause = (err as { cause?: unknown }).cause;
  const codes = [(err as { code?: unknown }).code, (cause as { code?: unknown } | undefined)?.code];
  const reason = codes.find((code): code is string => typeof code === 'string' && NETWORK_CODES.includes(code));
  if (reason !== undefined) return `cannot reach ${advice.unreachable.what} (${reason}): ${advice.unreachable.todo}`;
  return undefined;
}

const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'];
