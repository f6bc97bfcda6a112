import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliError, UsageError } from '../../../scripts/cli';
import { clashIn, planPorts, PortClashError } from '../../../scripts/local-ports';
import { chooseStack, dataDirFor, liveStacks, recordStack, type StackRecord } from '../../../scripts/local-stacks';

// Several local stacks on one machine, decided without a network: which ports a stack takes, what
// a clash says, and which stack a local command picks. tests/integration/local-stacks.test.ts runs
// the commands; tests/template/several-stacks.test.ts starts two stacks side by side.

const ROOT = path.resolve(__dirname, '../../..');

const stack = (port: number, pid = 1000 + port, dynamodbPort = port + 5000): StackRecord => ({
  pid,
  port,
  url: `http://localhost:${port}`,
  dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`,
  lambdaPort: port + 2,
  dataDir: path.join(ROOT, '.data', `dynamodb-${port}`),
  startedAt: '2026-12-06T10:00:00.000Z',
});

/** A machine on which `busy` ports are taken, and the system hands out 50000, 50001, … */
function machine(busy: number[] = []) {
  let next = 50_000;
  return {
    free: (port: number) => Promise.resolve(!busy.includes(port)),
    pick: () => Promise.resolve(next++),
  };
}

describe('the ports of a stack', () => {
  it('are 3000 and 8000 for the default stack, serverless-offline’s picked free', async () => {
    const ports = await planPorts({}, { host: '127.0.0.1', ...machine() });
    expect(ports).toEqual({
      http: 3000,
      dynamodb: 8000,
      lambda: 50_000,
      websocket: 50_001,
      origins: { http: 'default', dynamodb: 'default', lambda: 'free', websocket: 'free' },
    });
  });

  it('with only PORT set: that port, and a free one for the database and serverless-offline', async () => {
    const ports = await planPorts({ PORT: '4400' }, { host: '127.0.0.1', ...machine([8000]) });
    expect(ports).toMatchObject({ http: 4400, dynamodb: 50_000, lambda: 50_001, websocket: 50_002 });
    expect(ports.origins).toEqual({ http: 'given', dynamodb: 'free', lambda: 'free', websocket: 'free' });
  });

  it('moves the default stack’s database off 8000 when something else holds it, and says so', async () => {
    const ports = await planPorts({}, { host: '127.0.0.1', ...machine([8000]) });
    expect(ports.dynamodb).toBe(50_000);
    expect(ports.origins.dynamodb).toBe('busy');
  });

  it('takes the ports the shell names, and never one twice', async () => {
    const env = { PORT: '4000', DYNAMODB_PORT: '4001', LAMBDA_PORT: '4002', WEBSOCKET_PORT: '4003' };
    expect(await planPorts(env, { host: '127.0.0.1', ...machine() })).toMatchObject({
      http: 4000,
      dynamodb: 4001,
      lambda: 4002,
      websocket: 4003,
    });
    await expect(planPorts({ PORT: '4000', LAMBDA_PORT: '4000' }, { host: '127.0.0.1', ...machine() })).rejects.toThrow(
      "port 4000 (serverless-offline's Lambda Invoke API) is in use: set LAMBDA_PORT to another port",
    );
  });

  it('names the service and the variable that moves it when a port is in use', async () => {
    const clash = planPorts({ DYNAMODB_PORT: '8000' }, { host: '127.0.0.1', ...machine([8000]) });
    await expect(clash).rejects.toBeInstanceOf(PortClashError);
    await expect(clash).rejects.toThrow(
      'port 8000 (the local database) is in use: set DYNAMODB_PORT to another port, or leave it unset and a free one is picked',
    );
    await expect(planPorts({}, { host: '127.0.0.1', ...machine([3000, 3001]) })).rejects.toThrow(
      'port 3000 (the HTTP API) is in use: start this stack on another port, e.g. PORT=3002 npm start',
    );
  });

  it('says when the holder is a stack of this checkout, by its pid', async () => {
    const running = stack(3000, 4242, 8000);
    await expect(planPorts({}, { host: '127.0.0.1', stacks: [running], ...machine([3000, 8000]) })).rejects.toThrow(
      "port 3000 (the HTTP API) is in use by this checkout's stack (pid 4242): stop it, or start this stack on another port, e.g. PORT=3001 npm start",
    );
    await expect(
      planPorts({ PORT: '4400', DYNAMODB_PORT: '8000' }, { host: '127.0.0.1', stacks: [running], ...machine([3000, 8000]) }),
    ).rejects.toThrow("port 8000 (the local database) is in use by this checkout's stack on port 3000 (pid 4242)");
  });

  it('refuses a port variable that is not a port, naming it', async () => {
    await expect(planPorts({ PORT: 'abc' }, { host: '127.0.0.1', ...machine() })).rejects.toThrow(
      new UsageError('PORT must be a port number (1-65535), got "abc"'),
    );
    await expect(planPorts({ DYNAMODB_PORT: '70000' }, { host: '127.0.0.1', ...machine() })).rejects.toBeInstanceOf(UsageError);
  });

  it('reads which service a server’s EADDRINUSE is about from its port', () => {
    const ports = { http: 4400, dynamodb: 8000, lambda: 4402, websocket: 4403, origins: {} as never };
    expect(clashIn('Error: listen EADDRINUSE: address already in use 127.0.0.1:4402', ports)).toEqual({ role: 'lambda', port: 4402 });
    expect(clashIn('listen EADDRINUSE: address already in use 127.0.0.1:9999', ports)).toBeUndefined();
    expect(clashIn('some other failure', ports)).toBeUndefined();
  });
});

describe('the data folder of a stack', () => {
  it('is .data/dynamodb for the default port, .data/dynamodb-<PORT> for another, LOCAL_DATA_DIR when set', () => {
    expect(dataDirFor(3000, {})).toBe(path.join(ROOT, '.data', 'dynamodb'));
    expect(dataDirFor(4400, {})).toBe(path.join(ROOT, '.data', 'dynamodb-4400'));
    expect(dataDirFor(4400, { LOCAL_DATA_DIR: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
  });
});

describe('the stack a local command works on', () => {
  it('is the only one running', () => {
    expect(chooseStack([stack(3000)], undefined, 'npm run users --')).toEqual(stack(3000));
  });

  it('is the one on the port asked for', () => {
    expect(chooseStack([stack(3000), stack(4400)], 4400, 'npm run users --')).toEqual(stack(4400));
  });

  it('is refused when none runs, saying how to start one', () => {
    expect(() => chooseStack([], undefined, 'npm run users --')).toThrow(
      new CliError(
        'no local stack of this checkout is running: start one with npm start (in another terminal), or name a database with DYNAMODB_ENDPOINT',
      ),
    );
  });

  it('is refused when several run and no port says which, listing them (exit status 2)', () => {
    let refusal: unknown;
    try {
      chooseStack([stack(3000), stack(4400)], undefined, 'npm run users --');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toEqual(
      new CliError('several stacks of this checkout are running (ports 3000, 4400): choose one with npm run users -- --port <port>'),
    );
    expect((refusal as CliError).exitCode).toBe(2);
  });

  it('is refused when none serves the port asked for, naming the ones that run', () => {
    expect(() => chooseStack([stack(3000)], 4400, 'npm run users --')).toThrow(
      'no stack of this checkout serves port 4400 (running: port 3000): start it with PORT=4400 npm start',
    );
  });
});

describe('the records of running stacks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fresh-token-stacks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('count a stack whose process is alive and whose database answers; a dead one’s record is removed', async () => {
    for (const record of [stack(3000), stack(4400), stack(4500)]) recordStack(record, dir);
    writeFileSync(path.join(dir, 'notes.json'), '{"not": "a stack"}');
    const alive = new Set([stack(3000).pid, stack(4500).pid]);
    const answering = new Set([stack(3000).dynamodbEndpoint]);
    const live = await liveStacks(dir, { alive: (pid) => alive.has(pid), answers: (endpoint) => Promise.resolve(answering.has(endpoint)) });
    expect(live.map((record) => record.port)).toEqual([3000]);
    // 4500 is alive but its database does not answer (starting, stopping): its record stays.
    expect(readdirSync(dir).sort()).toEqual(['3000.json', '4500.json', 'notes.json']);
  });

  it('are removed by the stack when it stops', () => {
    const remove = recordStack(stack(3000), dir);
    expect(readdirSync(dir)).toEqual(['3000.json']);
    remove();
    remove();
    expect(readdirSync(dir)).toEqual([]);
  });
});
