import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { addUser } from '../../src/users/user-admin';
import { apiClient } from '../helpers/http-client';
import { startTestApi, type TestApi } from '../helpers/local-stack';
import { adminDeps } from '../helpers/users';
import { freePort } from '../../scripts/offline';

// A browser session moves between this API and a real flask-jwt-extended 4.7.4 app configured for
// cookies (tests/interop/flask_app.py): same cookie names, the same `csrf` claim, the same header.
// The app runs in a virtualenv under node_modules/.cache, made on first use with pip.

const ROOT = path.resolve(__dirname, '../..');
const VENV = path.join(ROOT, 'node_modules', '.cache', 'flask-interop-venv');
const PYTHON = path.join(VENV, 'bin', 'python');
const SECRET = 'e2e-flask-cookies-secret-0123456789abcdef-0123';

let api: TestApi;
let flask: ChildProcess;
let flaskUrl: string;
let request: ReturnType<typeof apiClient>;

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

beforeAll(async () => {
  if (!existsSync(PYTHON)) {
    execFileSync('python3', ['-m', 'venv', VENV]);
    // pip's own configuration decides where from (a local mirror on these machines); no retries
    // against an index that cannot be reached.
    execFileSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '--retries', '0', 'flask-jwt-extended==4.7.4'], { stdio: 'inherit' });
  }
  const port = await freePort();
  flask = spawn(PYTHON, [path.join(ROOT, 'tests/interop/flask_app.py')], {
    env: { ...process.env, JWT_SECRET: SECRET, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  flaskUrl = `http://127.0.0.1:${port}`;
  api = await startTestApi({ JWT_SECRET: SECRET, TOKEN_FORMAT: 'flask-jwt-extended', TOKEN_LOCATION: 'cookies' });
  await addUser(adminDeps(api.db), 'test', 'test-passphrase-1');
  request = apiClient(api.baseUrl);
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${flaskUrl}/flask/login`, { method: 'POST' }).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the Flask app did not start');
}, 300_000);

afterAll(async () => {
  flask?.kill();
  await api?.stop();
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
