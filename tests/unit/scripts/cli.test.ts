import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCommandLine, type CliSpec } from '../../../scripts/cli';

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
