/**
 * The local stacks of this checkout. While it runs, each `npm start` records its ports, data folder
 * and process id in a small file (`.data/stacks/<PORT>.json`, or under LOCAL_STACKS_DIR), so the
 * local commands (`npm run users`) work on the database of this checkout's stack, never on
 * whatever another checkout left listening on a well-known port.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CliError } from './cli';

const ROOT = path.resolve(__dirname, '..');
/** The HTTP port of `npm start` without PORT, whose data folder is `.data/dynamodb`. */
export const DEFAULT_PORT = 3000;

/** What a running stack tells the local commands. */
export interface StackRecord {
  readonly pid: number;
  /** The HTTP API's port (PORT). */
  readonly port: number;
  readonly url: string;
  readonly dynamodbEndpoint: string;
  readonly lambdaPort: number;
  /** Where its database keeps its data. */
  readonly dataDir: string;
  readonly startedAt: string;
}

/** Where the running stacks of this checkout are recorded. */
export function stacksDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_STACKS_DIR ?? path.join(ROOT, '.data', 'stacks');
}

/** The data folder of the stack on `port`: `.data/dynamodb` for the default port, `.data/dynamodb-<port>` for another. */
export function dataDirFor(port: number, env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_DATA_DIR ?? path.join(ROOT, '.data', port === DEFAULT_PORT ? 'dynamodb' : `dynamodb-${port}`);
}

/** A folder as a person reads it: relative to the checkout when inside it. */
export function shownPath(dir: string): string {
  const relative = path.relative(ROOT, dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? `${dir}/` : `${relative}/`;
}

/** Records a running stack; returns what removes the record again (safe to call more than once). */
export function recordStack(record: StackRecord, dir = stacksDir()): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${record.port}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return () => rmSync(file, { force: true });
}

function isRecord(value: unknown): value is StackRecord {
  const record = value as Partial<StackRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    Number.isInteger(record.pid) &&
    Number.isInteger(record.port) &&
    typeof record.dynamodbEndpoint === 'string' &&
    typeof record.dataDir === 'string'
  );
}

/** Every record in `dir`, running or not, by port; a file that is not a record is left out. */
export function readStackRecords(dir = stacksDir()): StackRecord[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  const records: StackRecord[] = [];
  for (const file of files) {
    try {
      const value: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      if (isRecord(value)) records.push(value);
    } catch {
      // half-written or foreign: not a stack
    }
  }
  return records.sort((a, b) => a.port - b.port);
}

/** Whether a process with this id exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something accepts a connection at the endpoint's host and port, within a second. */
export function endpointAnswers(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The stacks of this checkout that are running: their process is alive and their database answers.
 * The record of a stack that is gone (killed, crashed) is removed.
 */
export async function liveStacks(
  dir = stacksDir(),
  probe: { alive: (pid: number) => boolean; answers: (endpoint: string) => Promise<boolean> } = {
    alive: processAlive,
    answers: endpointAnswers,
  },
): Promise<StackRecord[]> {
  const records = readStackRecords(dir);
  const live = await Promise.all(records.map(async (record) => probe.alive(record.pid) && (await probe.answers(record.dynamodbEndpoint))));
  for (const [index, record] of records.entries())
    if (!live[index] && !probe.alive(record.pid)) rmSync(path.join(dir, `${record.port}.json`), { force: true });
  return records.filter((_, index) => live[index]);
}

/** One stack as the commands name it. */
export function describeStack(record: StackRecord): string {
  return `the stack on port ${record.port} (pid ${record.pid}; database ${record.dynamodbEndpoint}, data in ${shownPath(record.dataDir)})`;
}

/**
 * The stack a local command works on: the one serving `port` when given, else the only one
 * running. None, or several without a port, is a refusal saying what to do (exit status 2 for
 * several: the command needs a choice).
 */
export function chooseStack(stacks: readonly StackRecord[], port: number | undefined, command: string): StackRecord {
  const running = stacks.map((stack) => String(stack.port)).join(', ');
  if (port !== undefined) {
    const chosen = stacks.find((stack) => stack.port === port);
    if (chosen) return chosen;
    throw new CliError(
      `no stack of this checkout serves port ${port}${stacks.length > 0 ? ` (running: ${stacks.length === 1 ? 'port' : 'ports'} ${running})` : ''}: start it with PORT=${port} npm start`,
    );
  }
  const [only, ...others] = stacks;
  if (only === undefined)
    throw new CliError(
      'no local stack of this checkout is running: start one with npm start (in another terminal), or name a database with DYNAMODB_ENDPOINT',
    );
  if (others.length > 0)
    throw new CliError(`several stacks of this checkout are running (ports ${running}): choose one with ${command} --port <port>`, 2);
  return only;
}
