/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../../scripts/offline';

// The demo page in a real browser (headless Chromium) against `npm start` on free ports, with
// tokens in cookies: log in → /protected → refresh (not fresh) → /protected-fresh refused →
// prove the password again → the retried call succeeds → add a passkey (Chromium's virtual
// authenticator) → /protected-strong refused with acr_values → step up with the passkey → the
// retried call succeeds → remove the passkey → sessions (end one) → log out.
// Screenshots of each step go to test-results/ (git-ignored).

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results', 'demo-page');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let stack: ChildProcess;
let output = '';
let dataDir: string;
let baseUrl: string;
let browser: Browser;
let page: Page;

async function startStack(location: 'cookies' | 'headers'): Promise<void> {
  output = '';
  const port = await freePort();
  dataDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-browser-'));
  stack = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(await freePort()),
      LOCAL_DATA_DIR: dataDir,
      TOKEN_LOCATION: location,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready:\n${output}`)), 150_000);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('API ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    stack.stdout?.on('data', take);
    stack.stderr?.on('data', take);
    stack.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
  baseUrl = `http://localhost:${port}`;
  mkdirSync(path.join(SHOTS, location), { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 420, height: 900 } }); // a phone's width
}

async function stopStack(): Promise<void> {
  await browser?.close();
  if (stack?.exitCode === null) {
    const exited = new Promise((resolve) => stack.once('exit', resolve));
    stack.kill('SIGINT');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}

const text = async (selector: string) => (await page.textContent(selector)) ?? '';
let mode = 'cookies';
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, mode, `${name}.png`), fullPage: true });
/** Waits until `selector`'s text matches. */
const until = (selector: string, pattern: RegExp) =>
  page.waitForFunction(
    ([sel, source]) => new RegExp(source).test(document.querySelector(sel)?.textContent ?? ''),
    [selector, pattern.source] as const,
    { timeout: 30_000 },
  );

describe.each(['cookies', 'headers'] as const)('the demo page, tokens in %s', (location) => {
  beforeAll(async () => {
    mode = location;
    await startStack(location);
  }, 180_000);
  afterAll(stopStack);

  it('is served with a strict Content-Security-Policy and runs under it', async () => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const response = await page.goto(`${baseUrl}/`);
    expect(response?.status()).toBe(200);
    const csp = (await response?.allHeaders())?.['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(await page.title()).toBe('Fresh tokens, step by step');
    await shot('0-start');
    expect(errors.filter((error) => /Content Security Policy/i.test(error))).toEqual([]);
  });

  it('walks through the fresh-token pattern', async () => {
    await page.fill('#username', 'test');
    await page.fill('#password', 'test');
    await page.click('#login');
    await until('#result', /Logged in with a fresh token/);
    await until('#freshness', /^Fresh/);
    // With cookies the tokens are HttpOnly: the page's script sees only the CSRF values. With
    // headers there are no cookies at all: the tokens live in the page's memory.
    const visible = await page.evaluate(() => document.cookie);
    if (location === 'cookies') expect(visible).toContain('csrf_access_token=');
    expect(visible).not.toContain('access_token_cookie');
    expect(JSON.parse(await text('#claims'))).toMatchObject({ username: 'test', fresh: true });
    await shot('1-logged-in');

    await page.click('#call-protected');
    await until('#result', /\/protected answered: \{"logged_in_as":"test"\}/);

    await page.click('#refresh');
    await until('#result', /Refreshed/);
    await until('#freshness', /Not fresh/);
    await shot('2-refreshed');

    await page.click('#call-fresh');
    await until('#result', /\/protected-fresh refused \((401|403)\): a fresh token is required/);
    expect(await page.$eval('#reauth', (element) => (element as HTMLElement).hidden)).toBe(false);
    await shot('3-fresh-required');

    await page.fill('#reauth-password', 'test');
    await page.click('#fresh-login');
    await until('#result', /\/protected-fresh answered: \{"fresh_logged_in_as":"test"\}/);
    await until('#freshness', /^Fresh/);
    await shot('4-fresh-again');
  });

  it('steps up with a passkey in Chromium’s virtual authenticator, where a password-fresh token is refused', async () => {
    // A platform authenticator with user verification (as Touch ID or Windows Hello), through CDP.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    // Registering needs the fresh token the password step-up just gave.
    await page.click('#add-passkey');
    await until('#result', /Passkey added/);
    await page.waitForSelector('#passkeys li');
    expect(await text('#passkeys')).toContain('This browser');
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
    await shot('5-passkey-added');

    // The password-fresh token is not enough for the strong route: refused with the acr it needs.
    await page.click('#call-strong');
    await until('#result', /\/protected-strong refused \(401\): a passkey step-up is required, acr_values=urn:fresh-token:acr:phr/);
    await page.click('#refresh');
    await until('#freshness', /Not fresh/);
    await page.click('#call-strong');
    await until('#result', /\/protected-strong refused \(401\).*acr_values=urn:fresh-token:acr:phr/);
    expect(await page.$eval('#stepup', (element) => (element as HTMLElement).hidden)).toBe(false);
    await shot('6-strong-required');

    // Nothing typed: the passkey proves the user, and the retried call succeeds.
    await page.click('#step-up-passkey');
    await until('#result', /\/protected-strong answered: \{"strong_logged_in_as":"test"\}/);
    await until('#freshness', /^Fresh/);
    await shot('7-strong');

    await page.click('#passkeys .remove-passkey');
    await until('#result', /Passkey removed/);
    await page.waitForFunction(() => document.querySelectorAll('#passkeys li').length === 0);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    await cdp.detach();
  });

  it('lists the sessions and ends another one with the fresh token', async () => {
    // A second session of the same user, as from another device.
    const other = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'test', password: 'test' }),
    });
    expect(other.status).toBe(200);
    await page.click('#load-sessions');
    await page.waitForSelector('#sessions:not([hidden]) tbody tr');
    const rows = await page.$$eval('#sessions tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.filter((row) => row.includes('this one'))).toHaveLength(1);
    await shot('8-sessions');
    await page.click('#sessions tbody tr button');
    await until('#result', /Session ended/);
    await page.waitForFunction((count) => document.querySelectorAll('#sessions tbody tr').length === count - 1, rows.length);
  });

  it('logs out: no token is left and the login form is back', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login-step:not([hidden])');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const me = await page.evaluate(async () => (await fetch('/me')).status);
    expect(me).toBe(401);
    await shot('9-logged-out');
  });
});
