/**
 * `npm run start-time`: how long `npm start` takes from the command to its first answer, on free
 * ports with one throwaway database; the median of ROUNDS starts (default 3), after one start that
 * warms the caches (the offline build, the printed tables).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliError, runCli, type CliSpec } from './cli';
import { freePort } from './offline';

const ROOT = path.resolve(__dirname, '..');

export const cli = {
  name: 'start-time',
  usage: 'usage: npm run start-time',
  help: `Measures how long npm start takes from the command to its first answer: it starts the stack on
free ports with a throwaway database ROUNDS times (default 3) after one start that warms the
caches, and prints each time and the median, the figure docs/development.md gives. Nothing of
npm start's own database or ports is touched.

Exit status: 0 measured, 1 a start failed (its output says why).`,
} satisfies CliSpec;

async function startOnce(dir: string): Promise<number> {
  const [port, dbPort, lambdaPort, websocketPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const started = process.hrtime.bigint();
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dbPort),
      LAMBDA_PORT: String(lambdaPort),
      WEBSOCKET_PORT: String(websocketPort),
      LOCAL_DATA_DIR: path.join(dir, 'dynamodb'),
      // Not one of this checkout's stacks for npm run users: its record stays with its throwaway data.
      LOCAL_STACKS_DIR: path.join(dir, 'stacks'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new CliError(`npm start exited before it answered: ${output.trim().split('\n').at(-1) ?? ''}`);
      const answered = await fetch(`http://127.0.0.1:${port}/openapi.json`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (answered) return Number(process.hrtime.bigint() - started) / 1e6;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 3);
  // One database for all the starts, as .data/ is for npm start: the first start makes the tables and the demo user.
  const dir = mkdtempSync(path.join(tmpdir(), 'fresh-token-start-'));
  await startOnce(dir);
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) times.push(await startOnce(dir));
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  console.log(
    `npm start on free ports with a throwaway database, command to first answer: ${times.map((ms) => (ms / 1000).toFixed(2)).join(' s, ')} s; median ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(2)} s`,
  );
}

if (require.main === module) runCli(cli, main);
