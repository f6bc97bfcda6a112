import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCommand, type CliSpec, type CommandLine } from '../../scripts/cli';

const ROOT = path.resolve(__dirname, '../..');

/** How a command ended: its exit status and everything it printed. */
export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `scripts/<name>.ts` with `args` as its npm script does (`tsx scripts/<name>.ts`), from the
 * repository's root, as a subprocess: tsx's loader in one Node process (`node --import tsx`), so
 * the same TypeScript, output and exit status as the tsx command, without the second Node process
 * that command starts around it (about 0.3 s of CPU a run). `env` is the whole environment (this
 * process's unless given); `input`, if given, is written to stdin and stdin closed. A test file
 * keeps one such run per command, to show the wiring: the rest run in-process (runScriptInProcess).
 */
export function runScript(
  name: string,
  args: readonly string[],
  { env, input }: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', `scripts/${name}.ts`, ...args],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** What a script exports for its command to run in-process: what it hands runCli. */
interface Script {
  readonly cli: CliSpec;
  readonly main: (line: Extract<CommandLine<NonNullable<CliSpec['options']>>, { kind: 'run' }>) => number | void | Promise<number | void>;
  readonly explain?: (err: unknown) => string | undefined;
}

/** A stream that keeps what is written to it, for a command's stdout or stderr. */
export function textStream(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * Runs the command of `scripts/<name>.ts` with `args` in this process, as runScript would as a
 * subprocess: the same command line, exit status and output (what it prints with console), without
 * a Node start, tsx and the script's imports each run (about 1 s of CPU). `env` is the whole
 * environment for the run (this process's unless given): it is process.env while the command runs,
 * since the AWS SDK reads its settings there; runs wait for each other, and this process's own
 * environment and console are back after each. What the process itself does is not run here: the
 * `require.main` line, stdin, what Node prints (warnings), the exit; hence one subprocess run per
 * command in its tests.
 */
export async function runScriptInProcess(
  name: string,
  args: readonly string[],
  { env }: { env?: NodeJS.ProcessEnv } = {},
): Promise<ScriptRun> {
  const script = (await import(path.join(ROOT, 'scripts', name))) as Partial<Script>;
  if (script.cli === undefined || script.main === undefined)
    throw new Error(`scripts/${name}.ts exports no cli and main to run in-process`);
  const stdout = textStream();
  const stderr = textStream();
  const { status } = await runCommand(script.cli, script.main, script.explain ?? (() => undefined), {
    argv: args,
    env: env ?? { ...process.env },
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { code: status, stdout: stdout.text(), stderr: stderr.text() };
}
