import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { CliError, readCommandLine, runCommand, UsageError, type CliSpec, type CommandLine } from '../../../scripts/cli';
import { textStream } from '../../helpers/run-script';

// Every command a user runs with npm (package.json's `tsx scripts/…` scripts, so a new one is
// covered the day it is added) answers --help with its usage and exit status 0, and an unknown
// option with one line and the usage, exit status 2. The command lines are read in-process; one
// command runs as a subprocess to show the wiring.

const ROOT = path.resolve(__dirname, '../../..');
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const commands = Object.entries(scripts).flatMap(([script, command]) => {
  const file = /^tsx (scripts\/[\w-]+\.ts)$/.exec(command)?.[1];
  return file === undefined ? [] : [{ script, file }];
});

async function specOf(file: string): Promise<CliSpec> {
  const loaded = (await import(path.join(ROOT, file))) as { cli?: CliSpec };
  if (loaded.cli === undefined) throw new Error(`${file} exports no cli (its CliSpec): see scripts/cli.ts`);
  return loaded.cli;
}

describe('every npm run command', () => {
  it('is found in package.json', () => {
    expect(commands.map(({ script }) => script)).toEqual(
      expect.arrayContaining([
        'start',
        'users',
        'keys',
        'deploy:check',
        'bench',
        'start-time',
        'docs:config',
        'docs:facts',
        'lint:template',
      ]),
    );
  });

  it.each(commands)('$script answers --help with its usage, what it is for and its exit statuses', async ({ script, file }) => {
    const spec = await specOf(file);
    expect(spec.name).toBe(script);
    expect(spec.usage).toMatch(script === 'start' ? /^usage: npm start\b/ : new RegExp(`^usage: npm run (-s )?${script}\\b`));
    const line = readCommandLine(spec, ['--help']);
    expect(line.kind).toBe('help');
    expect(line.kind === 'help' && line.text.startsWith(`${spec.usage}\n\n`)).toBe(true);
    expect(spec.help).toMatch(/Exit status: 0 /);
    expect(readCommandLine(spec, ['-h']).kind).toBe('help');
  });

  it.each(commands)('$script answers an unknown option with one line naming it, then the usage', async ({ file }) => {
    const spec = await specOf(file);
    expect(readCommandLine(spec, ['--no-such-option'])).toEqual({
      kind: 'usage',
      text: `${spec.name}: Unknown option '--no-such-option'\n${spec.usage}`,
    });
  });

  it.each(commands)('$script hands its command line to runCli when run, and does nothing when imported', ({ file }) => {
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    expect(source).toMatch(/^if \(require\.main === module\)\s+runCli\(\s*cli,/m);
  });
});

describe('readCommandLine', () => {
  const spec: CliSpec = {
    name: 'demo',
    usage: 'usage: npm run demo -- <one> [<two>] [--flag]',
    help: 'Exit status: 0 done.',
    options: { flag: { type: 'boolean' } },
    positionals: { min: 1, max: 2 },
  };

  it('gives the options and arguments to run with', () => {
    expect(readCommandLine(spec, ['a', '--flag'])).toEqual({ kind: 'run', values: { flag: true }, positionals: ['a'] });
  });

  it('refuses too many or too few arguments in one line, then the usage, never echoing them', () => {
    expect(readCommandLine(spec, ['a', 'b', 'c', 'd'])).toEqual({
      kind: 'usage',
      text: `demo: too many arguments (4; at most 2)\n${spec.usage}`,
    });
    expect(readCommandLine(spec, [])).toEqual({ kind: 'usage', text: `demo: missing argument\n${spec.usage}` });
  });

  it('names an option that lacks its value', () => {
    const line = readCommandLine({ ...spec, options: { stage: { type: 'string' } } }, ['a', '--stage']);
    expect(line).toEqual({ kind: 'usage', text: expect.stringMatching(/^demo: Option '--stage <value>' argument missing\nusage:/) });
  });
});

describe('runCommand', () => {
  const spec: CliSpec = {
    name: 'demo',
    usage: 'usage: npm run demo -- [--flag]',
    help: 'Exit status: 0 done.',
    options: { flag: { type: 'boolean' } },
  };
  type Main = (line: Extract<CommandLine<NonNullable<CliSpec['options']>>, { kind: 'run' }>) => number | void | Promise<number | void>;

  /** Runs `main` as the demo command with `argv`, in an environment of exactly `env`, keeping what it prints. */
  async function run(
    argv: string[],
    main: Main,
    { env = {}, explain }: { env?: NodeJS.ProcessEnv; explain?: (err: unknown) => string | undefined } = {},
  ) {
    const [stdout, stderr] = [textStream(), textStream()];
    const end = await runCommand(spec, main, explain ?? (() => undefined), { argv, env, stdout: stdout.stream, stderr: stderr.stream });
    return { ...end, stdout: stdout.text(), stderr: stderr.text() };
  }

  it('answers --help on stdout with 0, and a usage error on stderr with 2, without running the command', async () => {
    const main = jest.fn();
    expect(await run(['--help'], main)).toEqual({
      status: 0,
      failed: false,
      stdout: `${spec.usage}\n\nExit status: 0 done.\n`,
      stderr: '',
    });
    expect(await run(['--flg'], main)).toEqual({
      status: 2,
      failed: false,
      stdout: '',
      stderr: `demo: Unknown option '--flg'\n${spec.usage}\n`,
    });
    expect(main).not.toHaveBeenCalled();
  });

  it('gives the status the command returns (0 for none) and what it printed with console, as Node formats it', async () => {
    const printing: Main = ({ values }) => {
      console.log('found %d things', 3);
      console.error('on stderr');
      return values.flag === true ? 1 : undefined;
    };
    expect(await run(['--flag'], printing)).toEqual({ status: 1, failed: false, stdout: 'found 3 things\n', stderr: 'on stderr\n' });
    expect(await run([], printing)).toMatchObject({ status: 0, failed: false });
  });

  it('ends a failure in one line: the usage with 2, a CliError with its status, anything else with 1 or what explain says', async () => {
    const failing = (err: Error) => () => Promise.reject(err);
    expect(await run([], failing(new UsageError('--flag goes with something')))).toEqual({
      status: 2,
      failed: true,
      stdout: '',
      stderr: `demo: --flag goes with something\n${spec.usage}\n`,
    });
    expect(await run([], failing(new CliError('start it first', 3)))).toMatchObject({
      status: 3,
      failed: true,
      stderr: 'demo: start it first\n',
    });
    expect(await run([], failing(new TypeError('no such thing\n    at somewhere')))).toMatchObject({
      status: 1,
      stderr: 'demo: TypeError: no such thing\n',
    });
    // An error made in another realm, as Node's own are for a command run in-process under jest.
    expect(await run([], failing(runInNewContext("new RangeError('out of range\\nmore')")))).toMatchObject({
      status: 1,
      stderr: 'demo: RangeError: out of range\n',
    });
    expect(await run([], failing(new Error('ECONNREFUSED')), { explain: () => 'is the database running?' })).toMatchObject({
      status: 1,
      stderr: 'demo: is the database running?\n',
    });
  });

  it('runs the command in exactly the environment given, and puts back this process’s environment and console after, even on a failure', async () => {
    const before = { env: { ...process.env }, console: globalThis.console };
    const seen: NodeJS.ProcessEnv[] = [];
    const reading: Main = () => {
      seen.push({ ...process.env });
      throw new CliError('stopped');
    };
    expect(await run([], reading, { env: { ONLY: 'this', UNSET: undefined } })).toMatchObject({ status: 1, stderr: 'demo: stopped\n' });
    expect(seen).toEqual([{ ONLY: 'this' }]);
    expect(process.env).toEqual(before.env);
    expect(globalThis.console).toBe(before.console);
  });

  it('runs one command at a time: the next waits until the one before has ended, each in its own environment', async () => {
    let releaseFirst = (): void => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const events: string[] = [];
    const waiting: Main = async () => {
      events.push(`first starts in ${process.env.RUN}`);
      await firstHeld;
      events.push(`first ends in ${process.env.RUN}`);
    };
    const quick: Main = () => {
      events.push(`second runs in ${process.env.RUN}`);
    };
    const first = run([], waiting, { env: { RUN: 'one' } });
    const second = run([], quick, { env: { RUN: 'two' } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['first starts in one']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['first starts in one', 'first ends in one', 'second runs in two']);
  });
});

describe('npm run keys', () => {
  it('says what its output is for, where each half goes, and that it is a secret, with exit status 0', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/keys.ts', '--help'], { cwd: ROOT }, (error, out, err) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
      ),
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const words of ['jwt-private-key', 'jwt-public-keys', 'SSM', 'JWT_ALG=EdDSA or ES256', 'secret', 'docs/deploying.md'])
      expect(stdout).toContain(words);
  });
});
