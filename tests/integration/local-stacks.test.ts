import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordStack } from '../../scripts/local-stacks';
import { freePort } from '../../scripts/offline';
import { startTestDatabase, type TestDatabase } from '../helpers/local-stack';
import { runScript, runScriptInProcess, type ScriptRun } from '../helpers/run-script';
import { adminDeps } from '../helpers/users';

// The local commands as a person meets them with several stacks on one machine: npm run users works
// on the database of this checkout's running stack and says which, or refuses when none runs; npm
// start names a port in use with the variable that moves it. Each command runs in this process (a
// second of CPU less a run), with the records of running stacks in a folder of this test's own
// (LOCAL_STACKS_DIR); one npm start runs as a subprocess (node --import tsx scripts/start.ts), the
// wiring check: the script hands its command line to runCli and the process exits with status 1 and
// prints that one line, nothing else. users' wiring is checked in tests/unit/scripts/users-cli.test.ts.

const ROOT = path.resolve(__dirname, '../..');
/** Variables that would pick a database or port themselves: the commands must find them without. */
const PICKING = ['DYNAMODB_ENDPOINT', 'DYNAMODB_PORT', 'PORT', 'LAMBDA_PORT', 'WEBSOCKET_PORT', 'LOCAL_DATA_DIR'];

/** Runs `script` in this process's environment without PICKING and with `env`; as a subprocess with `{ subprocess: true }`. */
function run(script: string, args: string[], env: Record<string, string>, { subprocess = false } = {}): Promise<ScriptRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !PICKING.includes(name)));
  return (subprocess ? runScript : runScriptInProcess)(script, args, { env: { ...base, ...env } });
}

/** A port something else holds for the test's duration. */
async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

let db: TestDatabase;
let stacks: string;

beforeAll(async () => {
  db = await startTestDatabase();
  await adminDeps(db).users.createUser('carol', 'scrypt$not-a-real-hash', 1_800_000_000);
});

afterAll(async () => {
  await db?.close();
});

beforeEach(() => {
  stacks = mkdtempSync(path.join(tmpdir(), 'fresh-token-stacks-'));
});

afterEach(() => rmSync(stacks, { recursive: true, force: true }));

describe('npm run users without --stage', () => {
  it('works on the database of this checkout’s running stack, and says which on stderr', async () => {
    // This test's process stands in for the stack's: alive, with its database answering.
    recordStack(
      {
        pid: process.pid,
        port: 4999,
        url: 'http://localhost:4999',
        dynamodbEndpoint: db.endpoint,
        lambdaPort: 4998,
        dataDir: path.join(ROOT, '.data', 'dynamodb-4999'),
        startedAt: new Date().toISOString(),
      },
      stacks,
    );
    const listed = await run('users', ['list'], { LOCAL_STACKS_DIR: stacks });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^carol\t/m);
    expect(listed.stderr).toBe(
      `users: working on the local database of the stack on port 4999 (pid ${process.pid}; database ${db.endpoint}, data in .data/dynamodb-4999/)\n`,
    );
  });

  it('refuses when no stack of this checkout runs, in one line saying how to start one', async () => {
    const refused = await run('users', ['list'], { LOCAL_STACKS_DIR: stacks });
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'users: no local stack of this checkout is running: start one with npm start (in another terminal), or name a database with DYNAMODB_ENDPOINT\n',
    });
  });
});

describe('npm start', () => {
  it('names a port in use with its service and the variable that moves it, in one line, exit status 1', async () => {
    const held = await holdPort();
    try {
      const [http, database] = await Promise.all([
        run('start', [], { LOCAL_STACKS_DIR: stacks, PORT: String(held.port) }, { subprocess: true }),
        // The HTTP port free, the database's taken: the check comes before anything starts.
        freePort().then((port) => run('start', [], { LOCAL_STACKS_DIR: stacks, PORT: String(port), DYNAMODB_PORT: String(held.port) })),
      ]);
      expect(http).toEqual({
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(
          new RegExp(
            `^start: port ${held.port} \\(the HTTP API\\) is in use: start this stack on another port, e\\.g\\. PORT=\\d+ npm start\\n$`,
          ),
        ) as unknown,
      });
      expect(database).toEqual({
        code: 1,
        stdout: '',
        stderr: `start: port ${held.port} (the local database) is in use: set DYNAMODB_PORT to another port, or leave it unset and a free one is picked\n`,
      });
    } finally {
      await held.release();
    }
  });
});
