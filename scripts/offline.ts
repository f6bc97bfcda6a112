/** Starts and stops serverless-offline for `npm start` and the end-to-end tests. */
import { spawn } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SERVERLESS = path.join(ROOT, 'node_modules', '.bin', 'serverless');

export interface Offline {
  readonly baseUrl: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** A TCP port that is free on `host` (loopback unless given) right now, chosen by the system. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `serverless offline start --stage local` in its own process group and resolves once it
 * serves HTTP. `env` adds to (and overrides) this process's environment; `logFile`, if given, gets
 * everything it prints as well, for readers in other processes; `idleSeconds` is how long an idle
 * function instance stays warm (serverless-offline's terminateIdleLambdaTime, 60 by default).
 * Aborting `signal` before then stops it (a Ctrl-C during the start).
 */
export async function startOffline({
  port = 3000,
  env = {},
  echo = false,
  logFile,
  idleSeconds,
  readyTimeoutMs = 120_000,
  signal,
}: {
  port?: number;
  env?: Record<string, string>;
  echo?: boolean;
  logFile?: string;
  idleSeconds?: number;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
} = {}): Promise<Offline> {
  const buildDir = `.esbuild-offline-${port}`;
  const childEnv = {
    ...process.env,
    PORT: String(port),
    LAMBDA_PORT: process.env.LAMBDA_PORT ?? String(await freePort()),
    WEBSOCKET_PORT: process.env.WEBSOCKET_PORT ?? String(await freePort()),
    // A build folder per run, so several servers (and packaging) can run side by side.
    BUILD_DIR: buildDir,
    // The functions run on this machine's Node (maybe 20) locally, on 22 in Lambda: not worth a warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  };
  const idle = idleSeconds === undefined ? [] : ['--terminateIdleLambdaTime', String(idleSeconds)];
  const child = spawn(SERVERLESS, ['offline', 'start', '--stage', 'local', ...idle], {
    cwd: ROOT,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start serverless offline');
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serverless offline not ready after ${readyTimeoutMs} ms:\n${output}`)),
      readyTimeoutMs,
    );
    let started = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      // Looked for only until found, in this chunk and the line the last one may have cut: a stack
      // that lives for the whole run prints a line per invocation.
      const cutLine = started ? '' : output.slice(output.lastIndexOf('\n') + 1);
      output += text;
      if (echo) process.stdout.write(text);
      if (logFile !== undefined) appendFileSync(logFile, text);
      if (!started && (cutLine + text).includes('Server ready:')) {
        started = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code, signal: killedBy }) => {
      clearTimeout(timer);
      reject(new Error(`serverless offline exited (${code ?? killedBy}) before it was ready:\n${output}`));
    });
    signal?.addEventListener('abort', () => reject(new Error('serverless offline: start aborted')), { once: true });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(killer);
    // serverless-offline leaves its build folder behind when stopped by a signal.
    rmSync(path.join(ROOT, buildDir), { recursive: true, force: true });
  };

  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl: `http://127.0.0.1:${port}`, pid, output: () => output, stop };
}
