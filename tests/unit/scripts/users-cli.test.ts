import { runScript, runScriptInProcess } from '../../helpers/run-script';

// The users command as an operator meets it before it touches any database: --help, and a mistyped
// option, answered in words and an exit status, never a stack trace. The mistyped option runs as a
// subprocess (node --import tsx scripts/users.ts), the wiring check: the script hands its command
// line to runCli, and the process exits with status 2 and prints no stack trace. The others run the
// same command in-process, a second of CPU less each. (tests/e2e/sessions.test.ts adds a user as a
// subprocess too, for its stdin.)

const users = (args: string[]) => runScriptInProcess('users', args);

describe('npm run users', () => {
  it('answers --help with its usage, every command and option, and exit status 0', async () => {
    const { code, stdout, stderr } = await users(['--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const word of [
      'add <username>',
      'passwd',
      'email',
      'disable',
      'enable',
      'delete',
      'list',
      '--force',
      '--yes',
      '--stage',
      '--region',
      '--port',
    ])
      expect(stdout).toContain(word);
  });

  it('names an unknown option and shows the usage, with exit status 2 and no stack trace', async () => {
    const { code, stdout, stderr } = await runScript('users', ['list', '--bogus']);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain("Unknown option '--bogus'");
    expect(stderr).toContain('usage: npm run users --');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a region that is not an AWS region name as a usage error (exit status 2), before calling AWS', async () => {
    const { code, stdout, stderr } = await users(['list', '--stage', 'prod', '--region', 'nowhere']);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.split('\n')[0]).toBe('users: --region "nowhere" is not an AWS region name (like eu-west-1)');
    expect(stderr).toContain('usage: npm run users --');
  });
});
