import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/offline';
import { apiClient } from '../helpers/http-client';
import { waitFor } from '../helpers/wait-for';
import { ROOT } from './packaged-prod';

// Two `npm start` stacks of one checkout side by side, with nothing but PORT set: each gets its own
// database (on a free port, in .data/dynamodb-<PORT>/) and serverless-offline ports, prints them,
// and serves; npm run users picks one by --port and refuses to guess between them. In this tier
// rather than in npm test's two minutes: two whole stacks take most of a minute on two cores.

/** Variables that would choose a port, folder or database for the stacks: the test sets none but PORT. */
const PICKING = ['DYNAMODB_ENDPOINT', 'DYNAMODB_PORT', 'PORT', 'LAMBDA_PORT', 'WEBSOCKET_PORT', 'LOCAL_DATA_DIR', 'LOCAL_STACKS_DIR'];
const baseEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !PICKING.includes(name)));

interface Stack {
  readonly port: number;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  output: string;
}

/** Where the stacks record themselves: this test's own folder, so a developer's running stack is not among them. */
let stacksDir: string;
let stacks: Stack[] = [];
/** The data folders the stacks make in the checkout; removed after, as none existed before. */
let dataDirs: string[] = [];

function startStack(port: number): Stack {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts'], {
    cwd: ROOT,
    env: { ...baseEnv(), PORT: String(port), LOCAL_STACKS_DIR: stacksDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stack: Stack = { port, process: child, exited: new Promise((resolve) => child.once('exit', resolve)), output: '' };
  child.stdout?.on('data', (chunk: Buffer) => (stack.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stack.output += chunk.toString()));
  return stack;
}

function users(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/users.ts', ...args],
      { cwd: ROOT, env: { ...baseEnv(), LOCAL_STACKS_DIR: stacksDir } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

async function stop(stack: Stack): Promise<void> {
  if (stack.process.exitCode === null && stack.process.signalCode === null) stack.process.kill('SIGINT');
  await stack.exited;
}

beforeAll(async () => {
  stacksDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-stacks-'));
  const ports = [await freePort(), await freePort()];
  dataDirs = ports.map((port) => path.join(ROOT, '.data', `dynamodb-${port}`));
  if (dataDirs.some((dir) => existsSync(dir))) throw new Error(`a data folder of ${dataDirs.join(', ')} exists already`);
  stacks = ports.map(startStack);
  await Promise.all(
    stacks.map((stack) =>
      waitFor(
        `npm start on port ${stack.port} to be ready`,
        () => {
          if (stack.process.exitCode !== null) throw new Error(`npm start on port ${stack.port} exited:\n${stack.output}`);
          return stack.output.includes('API ready') ? true : undefined;
        },
        { deadlineMs: 280_000 },
      ),
    ),
  );
}, 300_000);

afterAll(async () => {
  await Promise.all(stacks.map(stop));
  for (const dir of [...dataDirs, stacksDir]) rmSync(dir, { recursive: true, force: true });
});

describe('two npm start stacks with only PORT set', () => {
  it('each print their own database, on a free port in a data folder of their own, and their Lambda port', () => {
    const endpoints = stacks.map((stack) => {
      const database = new RegExp(
        `Local DynamoDB \\(dynalite\\) at (http://127\\.0\\.0\\.1:\\d+) \\(a free port; DYNAMODB_PORT sets it\\), data in \\.data/dynamodb-${stack.port}/`,
      ).exec(stack.output);
      expect(database).not.toBeNull();
      expect(stack.output).toMatch(/Lambda Invoke API on 127\.0\.0\.1:\d+ \(a free port; LAMBDA_PORT sets it\)/);
      expect(stack.output).toContain(`Fresh-token API ready at http://localhost:${stack.port}`);
      return database?.[1];
    });
    expect(new Set(endpoints).size).toBe(2);
    expect(readdirSync(stacksDir).sort()).toEqual(stacks.map((stack) => `${stack.port}.json`).sort());
  });

  it('each serve their own API, with the demo user in each database', async () => {
    for (const stack of stacks) {
      const login = await apiClient(`http://127.0.0.1:${stack.port}`)('POST', '/login', { json: { username: 'test', password: 'test' } });
      expect(login.status).toBe(200);
    }
  });

  it('npm run users refuses to guess between them, and works on the one --port names', async () => {
    const guess = await users(['list']);
    expect(guess.code).toBe(2);
    const ports = stacks.map((stack) => stack.port).sort((a, b) => a - b);
    expect(guess.stderr).toBe(
      `users: several stacks of this checkout are running (ports ${ports.join(', ')}): choose one with npm run users -- --port <port>\n`,
    );

    const [first, second] = stacks as [Stack, Stack];
    const added = await users(['add', 'dana', '--port', String(first.port)], 'dana-password-1\n');
    expect(added.code).toBe(0);
    expect(added.stderr).toContain(`users: working on the local database of the stack on port ${first.port}`);
    const login = (stack: Stack) =>
      apiClient(`http://127.0.0.1:${stack.port}`)('POST', '/login', { json: { username: 'dana', password: 'dana-password-1' } });
    expect((await login(first)).status).toBe(200);
    expect((await login(second)).status).toBe(401);
  });

  it('once one stops, its record is gone and npm run users works on the other without --port', async () => {
    const [first, second] = stacks as [Stack, Stack];
    await stop(first);
    expect(readdirSync(stacksDir)).toEqual([`${second.port}.json`]);
    const listed = await users(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain(`users: working on the local database of the stack on port ${second.port}`);
    expect(listed.stdout).toMatch(/^test\t/m);
    expect(listed.stdout).not.toMatch(/^dana\t/m);
  });
});
