// Starts and stops serverless-offline for `npm start` and the end-to-end tests.
'use strict';
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SERVERLESS = path.join(ROOT, 'node_modules', '.bin', 'serverless');

/** A TCP port that is free on loopback right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `serverless offline start --stage local` in its own process group and resolves once it
 * serves HTTP. `env` adds to (and overrides) this process's environment.
 * @param {{ port?: number, env?: Record<string, string>, echo?: boolean, readyTimeoutMs?: number }} options
 * @returns {Promise<{ baseUrl: string, pid: number, output: () => string, stop: () => Promise<void> }>}
 */
async function startOffline({ port = 3000, env = {}, echo = false, readyTimeoutMs = 120_000 } = {}) {
  const childEnv = {
    ...process.env,
    PORT: String(port),
    LAMBDA_PORT: process.env.LAMBDA_PORT ?? String(await freePort()),
    WEBSOCKET_PORT: process.env.WEBSOCKET_PORT ?? String(await freePort()),
    ...env,
  };
  const child = spawn(SERVERLESS, ['offline', 'start', '--stage', 'local'], {
    cwd: ROOT,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serverless offline not ready after ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      if (echo) process.stdout.write(text);
      if (/Server ready:/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serverless offline exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(killer);
  };

  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl: `http://127.0.0.1:${port}`, pid: child.pid, output: () => output, stop };
}

module.exports = { freePort, startOffline };
