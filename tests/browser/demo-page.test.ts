/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../../scripts/offline';

// The demo page in a real browser (headless Chromium) against `npm start` on free ports: at a
// phone's 390 px with tokens in cookies and in headers, and at a desktop's 1280 px with cookies.
// The demo login is shown → a wrong password shows an error where the user looks → log in (a fresh
// badge, human times, the raw /me behind a disclosure; step 1 stays, numbered 1 to 5) → "View
// profile (any token)" → "Get a new access token (refresh, no password)": not fresh → the critical
// "Change e-mail (fresh token only)" refused in plain words, the raw challenge behind a disclosure
// → prove the password again → the retried call succeeds, the badge in sight → sessions without
// horizontal overflow, with short device names → end one with a non-fresh token: password prompt
// beside it, then the retried call ends it → a step-up cancelled (said once, nothing sent again) and
// a wrong password (said in the prompt, the right one then runs the call) → reload (cookies: still
// signed in; headers: signed out, as the page says) → a second tab of the page shares the session →
// log out ("Signed out", in both tabs). Between them, with Chromium's virtual authenticator: add a
// passkey → "Send money" refused with acr_values in the raw answer → step up with the passkey,
// nothing typed → the retried call succeeds → remove the passkey. The page runs on
// fresh-token-lambda/client (page/src/): its step-ups are the client's onStepUp. Screenshots of each
// step go to test-results/demo-page/ (git-ignored), one folder per mode and width.

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results', 'demo-page');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** An iPhone's CSS width and height. */
const PHONE_WIDTH = 390;
const PHONE_HEIGHT = 844;
/** A laptop's. */
const DESKTOP_WIDTH = 1280;
const DESKTOP_HEIGHT = 800;
const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let stack: ChildProcess;
let output = '';
let dataDir: string;
let baseUrl: string;
let browser: Browser;
let page: Page;
/** Every answer the page got, for the 404 check. */
const responses: { url: string; status: number }[] = [];
/** Every request the page sent, as `METHOD /path`, to count what a step-up sends. */
const requests: string[] = [];
/** Another tab of the page, open from the shared-session test to the logout. */
let otherTab: Page | undefined;

async function startStack(location: 'cookies' | 'headers', width: number): Promise<void> {
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
      // Not one of this checkout's stacks for npm run users.
      LOCAL_STACKS_DIR: path.join(tmpdir(), 'fresh-token-browser-stacks'),
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
  mkdirSync(path.join(SHOTS, mode), { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const height = width === PHONE_WIDTH ? PHONE_HEIGHT : DESKTOP_HEIGHT;
  // A context of its own (one per walk), so a second tab of the page can open beside the first.
  page = await (await browser.newContext({ viewport: { width, height } })).newPage();
  page.on('response', (response) => responses.push({ url: response.url(), status: response.status() }));
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
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
/** The screenshot folder of the walk under way: `cookies-390`, `headers-390`, `cookies-1280`. */
let mode = 'cookies';
/**
 * The whole page from its top (so the sticky status bar is where it starts, not over the middle),
 * scrolled back after; or (`viewport`) only what the user sees at the moment.
 */
async function shot(name: string, viewport = false): Promise<void> {
  const file = path.join(SHOTS, mode, `${name}.png`);
  if (viewport) {
    await page.screenshot({ path: file });
    return;
  }
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  await page.evaluate((y) => window.scrollTo(0, y), scrolled);
}
/** True when nothing on the page is wider than the viewport (no sideways scrolling). */
const fitsWidth = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
const visibleText = async (selector: string) => ((await page.isVisible(selector)) ? text(selector) : '(hidden)');
/** Logs in another session of the demo user, as from `userAgent`'s device. */
const loginElsewhere = async (userAgent: string) => {
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': userAgent },
    body: JSON.stringify({ username: 'test', password: 'test' }),
  });
  expect(response.status).toBe(200);
};
const sessionRows = () => page.$$eval('#sessions tbody tr', (trs) => trs.length);
/** True when all of `selector`'s box is inside the viewport (on screen without scrolling). */
const inViewport = async (selector: string) => {
  const box = await page.locator(selector).boundingBox();
  const size = page.viewportSize();
  if (box === null || size === null) return false;
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height;
};
/** The visible h2 headings' step numbers ("1. Log in" → 1), unnumbered headings left out. */
const stepNumbers = () =>
  page.$$eval('h2', (headings) =>
    headings
      .filter((heading) => heading.getClientRects().length > 0)
      .map((heading) => /^(\d+)\./.exec(heading.textContent ?? '')?.[1])
      .filter((number) => number !== undefined)
      .map(Number),
  );
/** The requests sent since `mark` (an index of `requests`) to `route` (`METHOD /path`). */
const sentSince = (mark: number, route: string) => requests.slice(mark).filter((sent) => sent === route).length;
/**
 * True when a token (a JWT) is anywhere a script or a person could find it: the page's markup and
 * text, or web storage. With cookies the tokens are HttpOnly; in memory, the client's alone.
 */
const tokenExposed = (tab: Page = page) =>
  tab.evaluate(
    () => /eyJ[\w-]*\.eyJ[\w-]*\./.test(document.documentElement.outerHTML) || localStorage.length > 0 || sessionStorage.length > 0,
  );
/** The raw answer behind `disclosure` (a closed <details>): its text, whether or not it is open. */
const rawAnswer = (disclosure: string) => text(`${disclosure} pre`);

/** Waits until `selector`'s text matches (`pattern`'s flags are not passed on). */
const until = (selector: string, pattern: RegExp) =>
  page.waitForFunction(
    ([sel, source]) => new RegExp(source).test(document.querySelector(sel)?.textContent ?? ''),
    [selector, pattern.source] as const,
    { timeout: 30_000 },
  );

describe.each([
  ['cookies', PHONE_WIDTH],
  ['headers', PHONE_WIDTH],
  ['cookies', DESKTOP_WIDTH],
] as const)('the demo page, tokens in %s, %i px wide', (location, width) => {
  beforeAll(async () => {
    mode = `${location}-${width}`;
    await startStack(location, width);
  }, 180_000);
  afterAll(stopStack);

  it('is served with a strict Content-Security-Policy, runs under it, and has an icon (no 404 for /favicon.ico)', async () => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    // With cookies the client asks GET /me for a session the browser may hold (in memory, the other tabs).
    const asked = location === 'cookies' ? page.waitForResponse((answer) => new URL(answer.url()).pathname === '/me') : undefined;
    const response = await page.goto(`${baseUrl}/`);
    await page.waitForSelector('#login-step[aria-busy="false"]');
    expect(response?.status()).toBe(200);
    const csp = (await response?.allHeaders())?.['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    // One script, the client and the page's code bundled and inline, allowed by its hash alone: no
    // script file, no 'self', nothing unsafe.
    expect(csp).toMatch(/(^|; )script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-/);
    expect(await page.$$eval('script', (scripts) => scripts.map((script) => script.src))).toEqual(['']);
    expect(await page.title()).toBe('Fresh tokens, step by step');
    // Signed out: the page asked /me, got a 401, and shows the login form, with nothing to say yet.
    if (asked) expect((await asked).status()).toBe(401);
    await page.waitForSelector('#login-form:not([hidden])');
    expect(await visibleText('#login-message')).toBe('(hidden)');
    // A newcomer sees the demo login where they log in.
    expect(await page.isVisible('#demo-login')).toBe(true);
    expect((await text('#demo-login')).replace(/\s+/g, ' ')).toMatch(/username test, password test/);
    expect(await inViewport('#demo-login')).toBe(true);
    expect(await page.$eval('link[rel="icon"]', (link) => (link as HTMLLinkElement).href)).toMatch(/^data:image\/svg\+xml,/);
    await shot('0-start');
    expect(errors.filter((error) => /Content Security Policy/i.test(error))).toEqual([]);
    expect(responses.filter(({ status }) => status === 404)).toEqual([]);
  });

  it('shows a wrong password’s refusal next to the login form', async () => {
    await page.fill('#username', 'test');
    await page.fill('#password', 'not-the-password');
    await page.click('#login');
    await until('#login-message', /Login refused: Bad username or password/);
    expect(await page.isVisible('#login-message')).toBe(true);
    expect(await page.isVisible('#signed-in')).toBe(false);
    await shot('0-wrong-password');
  });

  it('walks through the fresh-token pattern, with a freshness badge and times a person reads', async () => {
    await page.fill('#username', 'test');
    await page.fill('#password', 'test');
    await page.click('#login');
    await until('#result', /Logged in with a fresh token/);
    await until('#freshness', /^Fresh: you proved your password/);
    expect(await visibleText('#login-message')).toBe('(hidden)');
    // Step 1 stays, done, and the steps are numbered once each, in order.
    expect(await visibleText('#login-title')).toBe('1. Log in');
    expect(await page.isVisible('#login-form')).toBe(false);
    expect(await visibleText('#login-done')).toMatch(/you are logged in/);
    expect(await stepNumbers()).toEqual([1, 2, 3, 4, 5]);
    expect(await visibleText('#who')).toBe('test');
    // Each action says what it does and what it needs; the critical ones are marked as such.
    expect(await visibleText('#call-protected')).toBe('View profile (any token)');
    expect(await visibleText('#refresh')).toBe('Get a new access token (refresh, no password)');
    expect(await visibleText('#call-fresh')).toBe('Change e-mail (fresh token only)');
    expect(await visibleText('#call-strong')).toBe('Send money (fresh passkey token only)');
    for (const critical of ['#call-fresh', '#call-strong']) {
      expect(await page.$eval(critical, (button) => button.closest('.group')?.querySelector('h3')?.textContent)).toMatch(/^Critical/);
      expect(await page.getAttribute(critical, 'class')).toBe('critical');
    }
    expect(await page.$eval('#call-protected', (button) => button.closest('.critical'))).toBeNull();
    // With cookies the tokens are HttpOnly: the page's script sees only the CSRF values. With
    // headers there are no cookies at all: the tokens live in the page's memory.
    const visible = await page.evaluate(() => document.cookie);
    if (location === 'cookies') expect(visible).toContain('csrf_access_token=');
    expect(visible).not.toContain('access_token_cookie');
    expect(await tokenExposed()).toBe(false);
    expect(await visibleText('#fresh-badge')).toBe('Fresh');
    expect(await visibleText('#signed-in-at')).toMatch(/^Signed in (just now|\d+ (seconds?|minutes?) ago)$/);
    // A time of day, with the date before it when the token expires on another day than today
    // (a login in the last quarter hour before midnight).
    const { expires_at: expiresAt } = JSON.parse(await text('#claims')) as { expires_at: number };
    const otherDay = await page.evaluate((at) => new Date(at * 1000).toDateString() !== new Date().toDateString(), expiresAt);
    expect(await visibleText('#expires')).toMatch(otherDay ? /^Expires at \S+ \d{1,2}:\d\d/ : /^Expires at \d{1,2}:\d\d/);
    // The raw answer of GET /me is there for developers, behind a closed disclosure.
    expect(await page.$eval('#raw', (details) => (details as HTMLDetailsElement).open)).toBe(false);
    expect(JSON.parse(await text('#claims'))).toMatchObject({ username: 'test', fresh: true, expires_at: expect.any(Number) });
    await shot('1-logged-in');

    await page.click('#call-protected');
    await until('#result', /^Allowed: GET \/protected answered \{"logged_in_as":"test"\}$/);

    await page.click('#refresh');
    await until('#result', /^New access token, not fresh: no password was typed\./);
    await until('#freshness', /Not fresh/);
    expect(await visibleText('#fresh-badge')).toBe('Not fresh');
    await shot('2-refreshed');

    // The refusal in plain words, once; the raw challenge only behind a closed disclosure.
    await page.click('#call-fresh');
    await until('#result', /^Refused: changing your e-mail needs a fresh token\. Prove your password again\.$/);
    expect(await page.isVisible('#reauth')).toBe(true);
    expect(await inViewport('#reauth')).toBe(true);
    expect(await page.isVisible('#result-raw')).toBe(true);
    expect(await page.$eval('#result-raw', (details) => (details as HTMLDetailsElement).open)).toBe(false);
    const raw = await rawAnswer('#result-raw');
    expect(raw).toMatch(/^HTTP 401\nWWW-Authenticate: Bearer error="insufficient_user_authentication"/);
    expect(raw).toContain('{"msg":"Fresh token required"}');
    const said = await page.innerText('#actions');
    expect(said).not.toMatch(/insufficient_user_authentication/);
    expect(said.match(/fresh token required/gi)).toBeNull();
    expect(said.match(/needs a fresh token/g)).toHaveLength(1);
    await shot('3-fresh-required');
    await page.click('#result-raw summary');
    expect(await page.isVisible('#result-raw pre')).toBe(true);
    await shot('3-fresh-required-raw');

    await page.fill('#reauth-password', 'test');
    await page.click('#fresh-login');
    await until('#result', /^Allowed with your fresh token: GET \/protected-fresh answered \{"fresh_logged_in_as":"test"\}$/);
    await until('#freshness', /^Fresh: you proved your password/);
    expect(await visibleText('#fresh-badge')).toBe('Fresh');
    // Where the user is after the retry (scrolled down on a phone), the badge is in sight.
    if (width === PHONE_WIDTH) expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    expect(await inViewport('#fresh-badge')).toBe(true);
    expect(await inViewport('#result')).toBe(true);
    expect(await page.isVisible('#result-raw')).toBe(false);
    await shot('4-fresh-again-viewport', true);
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
    await until('#passkeys-result', /^Passkey added\./);
    await page.waitForSelector('#passkeys li');
    expect(await text('#passkeys')).toContain('This browser');
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
    await shot('5-passkey-added');

    // The password-fresh token is not enough for the strong route: refused with the acr it needs.
    const strongRefusal = /^Refused: sending money needs a fresh token from your passkey; a password is not enough\.$/;
    await page.click('#call-strong');
    await until('#result', strongRefusal);
    expect(await rawAnswer('#result-raw')).toMatch(/^HTTP 401\n[\s\S]*acr_values"?[=:]"urn:fresh-token:acr:phr"/);
    await page.click('#refresh');
    await until('#freshness', /Not fresh/);
    await page.click('#call-strong');
    await until('#result', strongRefusal);
    expect(await rawAnswer('#result-raw')).toMatch(/^HTTP 401\nWWW-Authenticate: Bearer error="insufficient_user_authentication"/);
    expect(await rawAnswer('#result-raw')).toContain('"acr_values":"urn:fresh-token:acr:phr"');
    expect(await page.isVisible('#stepup')).toBe(true);
    expect(await page.isVisible('#reauth')).toBe(false);
    await shot('6-strong-required');

    // Nothing typed: the passkey proves the user, and the client sends the refused call again, once.
    const mark = requests.length;
    await page.click('#step-up-passkey');
    await until('#result', /^Allowed with your passkey-fresh token: GET \/protected-strong answered \{"strong_logged_in_as":"test"\}$/);
    await until('#freshness', /^Fresh: you proved it with a passkey/);
    expect(sentSince(mark, 'POST /fresh-login/passkey/options')).toBe(1);
    expect(sentSince(mark, 'POST /fresh-login')).toBe(1);
    expect(sentSince(mark, 'GET /protected-strong')).toBe(1);
    expect(await inViewport('#fresh-badge')).toBe(true);
    expect(JSON.parse(await text('#claims'))).toMatchObject({
      acr: 'urn:fresh-token:acr:phr',
      amr: [expect.stringMatching(/^[hs]wk$/), 'user'],
    });
    await shot('7-strong');

    await page.click('#passkeys .remove-passkey');
    await until('#passkeys-result', /^Passkey removed\.$/);
    await page.waitForFunction(() => document.querySelectorAll('#passkeys li').length === 0);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    await cdp.detach();
  });

  it('lists the sessions without sideways scrolling, each device by a short name (the full one on demand)', async () => {
    await loginElsewhere(IPHONE_UA);
    await page.click('#load-sessions');
    await page.waitForSelector('#sessions[aria-busy="false"]:not([hidden]) tbody tr');
    const rows = await page.$$eval('#sessions tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.filter((row) => row.includes('this one'))).toHaveLength(1);
    const phone = page.locator('#sessions tbody tr', { hasText: 'Safari on iOS' }).first();
    expect(await phone.locator('summary').textContent()).toBe('Safari on iOS');
    expect(await phone.isVisible()).toBe(true);
    expect(await fitsWidth()).toBe(true);
    await phone.locator('summary').click();
    await expect(phone.locator('details').textContent()).resolves.toContain(IPHONE_UA);
    expect(await fitsWidth()).toBe(true);
    await shot('5-sessions');
  });

  it('ends another session with a non-fresh token: asks for the password, then retries the call and ends it', async () => {
    await page.click('#refresh');
    await until('#freshness', /Not fresh/);
    await page.click('#load-sessions');
    await page.waitForSelector('#sessions[aria-busy="false"]:not([hidden]) tbody tr button');
    const before = await sessionRows();
    await page.click('#sessions tbody tr button');
    // The prompt comes beside the refusal, not up in step 3.
    await page.waitForSelector('#sessions-result-raw + #reauth:not([hidden])');
    expect(await visibleText('#sessions-result')).toBe('Refused: ending another session needs a fresh token. Prove your password again.');
    expect(await rawAnswer('#sessions-result-raw')).toMatch(/^HTTP 401\nWWW-Authenticate: Bearer error="insufficient_user_authentication"/);
    await shot('6-end-needs-password');
    await page.fill('#reauth-password', 'test');
    await page.click('#fresh-login');
    await until('#sessions-result', /^Session ended\.$/);
    expect(await page.isVisible('#reauth')).toBe(false);
    expect(await inViewport('#fresh-badge')).toBe(true);
    await shot('7-session-ended-viewport', true);
    await page.waitForFunction((count) => document.querySelectorAll('#sessions tbody tr').length === count - 1, before);
    expect(await page.getAttribute('#sessions-result', 'class')).toBe('ok');
    await shot('7-session-ended');
  });

  it('says a cancelled step-up once and sends nothing again; says a wrong password in the prompt, and the right one runs the call', async () => {
    await page.click('#refresh');
    await until('#freshness', /Not fresh/);
    let mark = requests.length;
    await page.click('#call-fresh');
    await page.waitForSelector('#result-raw + #reauth:not([hidden])');
    // The prompt and its Cancel fit the screen, a phone's included.
    expect(await fitsWidth()).toBe(true);
    expect(await inViewport('#reauth-cancel')).toBe(true);
    await shot('7-step-up-prompt-viewport', true);
    await page.click('#reauth-cancel');
    await until('#result', /^Cancelled: your e-mail was not changed \(that needs a fresh token\)\.$/);
    expect(await page.isVisible('#reauth')).toBe(false);
    expect(await page.isVisible('#result-raw')).toBe(false);
    // The page has moved on (another action's answer came), and the cancelled call was sent once, with no step-up.
    await page.click('#call-protected');
    await until('#result', /^Allowed: GET \/protected answered/);
    expect(sentSince(mark, 'GET /protected-fresh')).toBe(1);
    expect(sentSince(mark, 'POST /fresh-login')).toBe(0);

    // The passkey prompt cancels the same way.
    mark = requests.length;
    await page.click('#call-strong');
    await page.waitForSelector('#stepup:not([hidden])');
    await page.click('#step-up-cancel');
    await until('#result', /^Cancelled: no money was sent \(that needs a fresh token from your passkey\)\.$/);
    expect(await page.isVisible('#stepup')).toBe(false);
    await page.click('#call-protected');
    await until('#result', /^Allowed: GET \/protected answered/);
    expect(sentSince(mark, 'GET /protected-strong')).toBe(1);
    expect(sentSince(mark, 'POST /fresh-login/passkey/options')).toBe(0);

    // A wrong password: said in the prompt, which stays open; the right one runs the call again, once.
    mark = requests.length;
    await page.click('#call-fresh');
    await page.waitForSelector('#reauth:not([hidden])');
    await page.fill('#reauth-password', 'not-the-password');
    await page.click('#fresh-login');
    await until('#reauth-message', /^Password refused: Bad username or password$/);
    expect(await page.isVisible('#reauth')).toBe(true);
    expect(await visibleText('#result')).toBe('Refused: changing your e-mail needs a fresh token. Prove your password again.');
    await shot('7-password-refused');
    await page.fill('#reauth-password', 'test');
    await page.click('#fresh-login');
    await until('#result', /^Allowed with your fresh token: GET \/protected-fresh answered/);
    await until('#freshness', /^Fresh: you proved your password/);
    expect(await page.isVisible('#reauth')).toBe(false);
    // Refused, refused after the wrong password, allowed after the right one: never in a loop.
    expect(sentSince(mark, 'GET /protected-fresh')).toBe(3);
    expect(sentSince(mark, 'POST /fresh-login')).toBe(2);
  });

  it('keeps the user signed in across a reload with cookies (the page asks /me); with headers the tokens were in memory only', async () => {
    // The page says which, before the user finds out.
    expect(await visibleText('#token-storage')).toMatch(
      location === 'cookies' ? /HttpOnly cookies.*a reload keeps you signed in/ : /memory only.*a reload signs you out/,
    );
    await page.reload();
    if (location === 'cookies') {
      await page.waitForSelector('#signed-in:not([hidden])');
      expect(await page.isVisible('#login-form')).toBe(false);
      await until('#freshness', /Fresh|fresh/);
      expect(JSON.parse(await text('#claims'))).toMatchObject({ username: 'test' });
      await until('#result', /^Welcome back: you are still signed in\.$/);
    } else {
      await page.waitForSelector('#login-form:not([hidden])');
      await page.fill('#username', 'test');
      await page.fill('#password', 'test');
      await page.click('#login');
      await page.waitForSelector('#signed-in:not([hidden])');
    }
    await shot('8-reloaded');
  });

  it('shares the session with another tab of the page: it opens signed in, and (in memory) a reload beside it keeps the session', async () => {
    otherTab = await page.context().newPage();
    await otherTab.goto(`${baseUrl}/`);
    await otherTab.waitForSelector('#signed-in:not([hidden])');
    await otherTab.waitForFunction(() => document.getElementById('who')?.textContent === 'test', undefined, { timeout: 30_000 });
    expect(await otherTab.isVisible('#login-form')).toBe(false);
    expect(await tokenExposed(otherTab)).toBe(false);
    if (location === 'headers') {
      // The page said a reload signs out unless another tab is open: this one hands the session over.
      await page.reload();
      await page.waitForSelector('#signed-in:not([hidden])');
      await until('#result', /^Welcome back: you are still signed in\.$/);
      await until('#freshness', /Fresh|fresh/);
      expect(await page.isVisible('#login-form')).toBe(false);
    }
    await page.click('#call-protected');
    await until('#result', /^Allowed: GET \/protected answered \{"logged_in_as":"test"\}$/);
  });

  it('logs out: says so, no token is left and the login form is back', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login-form:not([hidden])');
    expect(await page.isVisible('#status-bar')).toBe(false);
    await until('#login-message', /Signed out/);
    expect(await page.isVisible('#login-message')).toBe(true);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const me = await page.evaluate(async () => (await fetch('/me')).status);
    expect(me).toBe(401);
    await shot('9-logged-out');
    // The other tab of the page is signed out too, and says so.
    const other = otherTab;
    if (other === undefined) throw new Error('the shared-session test opens the other tab');
    await other.waitForSelector('#login-form:not([hidden])');
    await other.waitForFunction(() => /Signed out/.test(document.getElementById('login-message')?.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    expect(await other.isVisible('#status-bar')).toBe(false);
    await other.close();
    otherTab = undefined;
  });
});
