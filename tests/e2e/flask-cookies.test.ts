import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { addUser } from '../../src/users/user-admin';
import { apiClient } from '../helpers/http-client';
import { adminDeps } from '../helpers/users';
import { waitFor } from '../helpers/wait-for';
import { freePort } from '../../scripts/offline';
import { SHARED_STACKS, sharedStack } from './shared-stacks';

// A browser session moves between this API and a real flask-jwt-extended 4.7.4 app configured for
// cookies (tests/interop/flask_app.py): same cookie names, the same `csrf` claim, the same header.
// The app runs in a virtualenv under node_modules/.cache, made on first use with pip.

const ROOT = path.resolve(__dirname, '../..');
const VENV = path.join(ROOT, 'node_modules', '.cache', 'flask-interop-venv');
const PYTHON = path.join(VENV, 'bin', 'python');
const PACKAGE = 'flask-jwt-extended==4.7.4';
/** Written once the package is in the virtualenv, so an install that failed halfway is redone. */
const INSTALLED = path.join(VENV, `.installed-${PACKAGE}`);
const SECRET = SHARED_STACKS.flaskCookies.JWT_SECRET;

const api = sharedStack('flaskCookies');
const request = apiClient(api.baseUrl);
let flask: ChildProcess;
let flaskUrl: string;

/** Cookies a response set, as a Cookie header, and the CSRF values by name. */
function jar(headers: Headers): { cookie: string; values: Map<string, string> } {
  const values = new Map<string, string>();
  for (const line of headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    values.set(pair.slice(0, at).trim(), decodeURIComponent(pair.slice(at + 1)));
  }
  return { cookie: [...values].map(([name, value]) => `${name}=${value}`).join('; '), values };
}

/** Runs a command to its end; a failure carries what it printed. */
async function run(command: string, args: string[]): Promise<void> {
  try {
    await promisify(execFile)(command, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: err });
  }
}

/**
 * The virtualenv with flask-jwt-extended, made on first use. pip's own configuration decides
 * where from (a local mirror on these machines); no retries against an index that cannot be
 * reached. The system's pip installs into a virtualenv made without one (`--python`, pip 22.3+):
 * seeding a virtualenv with its own pip (ensurepip) took three times the CPU of the install. A
 * Python without a pip of its own gets the seeded virtualenv.
 */
async function prepareFlask(): Promise<void> {
  if (existsSync(INSTALLED)) return;
  const install = ['install', '--quiet', '--retries', '0', '--disable-pip-version-check', PACKAGE];
  try {
    await run('python3', ['-m', 'venv', '--clear', '--without-pip', VENV]);
    await run('python3', ['-m', 'pip', '--python', PYTHON, ...install]);
  } catch {
    await run('python3', ['-m', 'venv', '--clear', VENV]);
    await run(PYTHON, ['-m', 'pip', ...install]);
  }
  writeFileSync(INSTALLED, '');
}

beforeAll(async () => {
  // The virtualenv (on a fresh clone: pip's download and install) while the stack starts.
  await Promise.all([api.ready(), prepareFlask()]);
  const port = await freePort();
  flask = spawn(PYTHON, [path.join(ROOT, 'tests/interop/flask_app.py')], {
    env: { ...process.env, JWT_SECRET: SECRET, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  flaskUrl = `http://127.0.0.1:${port}`;
  await addUser(adminDeps(api.db), 'test', 'test-passphrase-1');
  await waitFor(
    'the Flask app to answer',
    () =>
      fetch(`${flaskUrl}/flask/login`, { method: 'POST' }).then(
        () => true,
        () => (flask.exitCode === null ? undefined : Promise.reject(new Error(`the Flask app exited (${flask.exitCode})`))),
      ),
    { intervalMs: 100 },
  );
}, 300_000);

afterAll(async () => {
  // Gone before jest is: an app still running at the end would outlive the run.
  if (flask === undefined || flask.exitCode !== null || flask.signalCode !== null) return;
  const exited = new Promise((resolve) => flask.once('exit', resolve));
  flask.kill();
  await exited;
});

describe('cookies shared with a real flask-jwt-extended app', () => {
  it('lets the Flask app accept our cookies, with the CSRF header it expects, and refuse them without', async () => {
    const login = await request('POST', '/login', { json: { username: 'test', password: 'test-passphrase-1' } });
    expect(login.json).toEqual({ login: true });
    const { cookie, values } = jar(login.headers);
    const withCsrf = await fetch(`${flaskUrl}/flask/protected`, {
      method: 'POST',
      headers: { Cookie: cookie, 'X-CSRF-TOKEN': values.get('csrf_access_token')! },
    });
    expect(withCsrf.status).toBe(200);
    expect(await withCsrf.json()).toEqual({ logged_in_as: 'test' });
    const without = await fetch(`${flaskUrl}/flask/protected`, { method: 'POST', headers: { Cookie: cookie } });
    expect(without.status).toBe(401);
    expect(await without.json()).toEqual({ msg: 'Missing CSRF token' });
  });

  it('accepts the Flask app’s cookies: access on our routes (CSRF on state-changing ones), refresh on /refresh', async () => {
    const flaskLogin = await fetch(`${flaskUrl}/flask/login`, { method: 'POST' });
    const { cookie, values } = jar(flaskLogin.headers);
    expect((await request('GET', '/protected', { headers: { Cookie: cookie } })).json).toEqual({ logged_in_as: 'test' });
    // A fresh Flask token passes the fresh-only authorizer only with the CSRF header.
    expect((await request('DELETE', '/sessions/none', { headers: { Cookie: cookie } })).status).toBe(401);
    const ended = await request('DELETE', '/sessions/none', {
      headers: { Cookie: cookie, 'X-CSRF-TOKEN': values.get('csrf_access_token')! },
    });
    expect(ended.status).toBe(404);
    const refreshed = await request('POST', '/refresh', { headers: { Cookie: cookie, 'X-CSRF-TOKEN': values.get('csrf_refresh_token')! } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).toEqual({ refresh: true });
    // And the refreshed cookies work back on the Flask app.
    const next = jar(refreshed.headers);
    const back = await fetch(`${flaskUrl}/flask/protected`, {
      method: 'POST',
      headers: { Cookie: next.cookie, 'X-CSRF-TOKEN': next.values.get('csrf_access_token')! },
    });
    expect(back.status).toBe(200);
  });
});
