/// <reference lib="dom" />
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addUser } from '../../src/users/user-admin';
import type { Client, SignedOutDetail, TokenLocation } from '../../client/src/index';
import { startTestApi, type TestApi } from '../helpers/local-stack';
import { adminDeps } from '../helpers/users';

// The client (client/) in two tabs of one origin, in headless Chromium: the Web Locks API lets one
// tab refresh while the other waits, and the other picks up the result (over BroadcastChannel
// with tokens in memory, from the cookies with tokens in cookies). Against the real stack with the
// strict rotation (REFRESH_REUSE_GRACE=0), where a second refresh with the same token would sign
// the user out. The tabs' page is served on the API's own origin by the browser's request routing
// (it never reaches the API); everything else goes to the API.

const ROOT = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Rounds of "both tabs call at once with an expired access token", each with exactly one refresh. */
const ROUNDS = 20;
const MINUTE = 60_000;
const user = { username: 'tabs', password: 'tabs-passphrase-1' };

/** What a tab's page puts on `window` (see PAGE). */
interface Harness {
  readonly client: Client;
  readonly state: { skew: number; events: ({ type: string } & Partial<SignedOutDetail>)[] };
  call(method: string, path: string): Promise<{ ok?: unknown; error?: { name: string; code: string; status: number; msg: string } }>;
}
declare global {
  interface Window {
    harness: Harness;
  }
}

/** The tabs' page: the bundled client, its clock skewable from the test (memory mode's expiry). */
const PAGE = `<!doctype html>
<meta charset="utf-8" />
<title>tab</title>
<script type="module">
  import { createClient } from './index.js';
  const tokens = new URLSearchParams(location.search).get('tokens');
  const state = { skew: 0, events: [] };
  const client = createClient({ baseUrl: location.origin, tokens, now: () => Date.now() + state.skew });
  client.addEventListener('signed-out', (event) => state.events.push({ type: 'signed-out', ...event.detail }));
  client.addEventListener('signed-in', (event) => state.events.push({ type: 'signed-in', ...event.detail }));
  window.harness = {
    client,
    state,
    call: async (method, path) => {
      try {
        return { ok: await client.request(method, path) };
      } catch (error) {
        return { error: { name: error.name, code: error.code, status: error.status, msg: error.msg } };
      }
    },
  };
</script>
`;

let api: TestApi;
let bundleDir: string;
let browser: Browser;

beforeAll(async () => {
  bundleDir = mkdtempSync(path.join(tmpdir(), 'fresh-token-client-bundle-'));
  const [stack] = await Promise.all([
    startTestApi({ TOKEN_LOCATION: 'headers,cookies', REFRESH_REUSE_GRACE: '0' }),
    build({
      absWorkingDir: ROOT,
      entryPoints: { index: 'client/src/index.ts' },
      bundle: true,
      format: 'esm',
      splitting: true,
      platform: 'browser',
      target: 'es2022',
      outdir: bundleDir,
      logLevel: 'silent',
    }),
  ]);
  api = stack;
  await addUser(adminDeps(api.db), user.username, user.password);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  rmSync(bundleDir, { recursive: true, force: true });
});

/** A browser profile (one cookie jar, one lock manager) with `count` tabs of the page, and the refreshes it sends. */
async function openTabs(tokens: TokenLocation, count = 2): Promise<{ context: BrowserContext; tabs: Page[]; refreshes: () => number }> {
  const context = await browser.newContext();
  await context.route(`${api.baseUrl}/__client/**`, (route) => {
    const file = new URL(route.request().url()).pathname.replace('/__client/', '');
    if (file === 'tab.html') return route.fulfill({ contentType: 'text/html', body: PAGE });
    return route.fulfill({ contentType: 'text/javascript', body: readFileSync(path.join(bundleDir, path.basename(file))) });
  });
  let refreshes = 0;
  context.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/refresh') refreshes++;
  });
  const tabs: Page[] = [];
  for (let i = 0; i < count; i++) {
    const tab = await context.newPage();
    await tab.goto(`${api.baseUrl}/__client/tab.html?tokens=${tokens}`);
    await tab.waitForFunction(() => window.harness !== undefined, undefined, { timeout: 30_000 });
    tabs.push(tab);
  }
  return { context, tabs, refreshes: () => refreshes };
}

const call = (tab: Page, method: string, route: string) => tab.evaluate(([m, p]) => window.harness.call(m!, p!), [method, route]);
const events = (tab: Page) => tab.evaluate(() => window.harness.state.events);
const login = (tab: Page) => tab.evaluate((credentials) => window.harness.client.login(credentials), user);
/** Moves a tab's clock (memory mode reads the token's expiry on it). */
const skew = (tab: Page, ms: number) => tab.evaluate((by) => (window.harness.state.skew += by), ms);

/** The session's family row: its current and previous refresh token ids. */
async function family(tab: Page): Promise<{ currentJti: string; previousJti?: string; status: string }> {
  const { sessions } = await tab.evaluate(() => window.harness.client.sessions.list());
  const current = sessions.find((session) => session.current);
  const row = await adminDeps(api.db).families.get(current!.id);
  return row!;
}

/** The `jti` of a JWT (the refresh cookie, read from outside the page as the test may). */
const jtiOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;

describe('two tabs with tokens in cookies', () => {
  it(`refresh once between them when both call with an expired access token, ${ROUNDS} times in a row; nobody is signed out`, async () => {
    const { context, tabs, refreshes } = await openTabs('cookies');
    const [a, b] = tabs as [Page, Page];
    await login(a);
    const refreshCookie = async () => (await context.cookies()).find((cookie) => cookie.name === 'refresh_token_cookie')!.value;
    for (let round = 1; round <= ROUNDS; round++) {
      const before = jtiOf(await refreshCookie());
      // The access token expires: the browser drops its cookie and its CSRF cookie (Max-Age).
      await context.clearCookies({ name: 'access_token_cookie' });
      await context.clearCookies({ name: 'csrf_access_token' });
      const answers = await Promise.all([call(a, 'GET', '/protected'), call(b, 'GET', '/protected')]);
      expect({ round, answers }).toEqual({
        round,
        answers: [{ ok: { logged_in_as: user.username } }, { ok: { logged_in_as: user.username } }],
      });
      expect({ round, refreshes: refreshes() }).toEqual({ round, refreshes: round });
      // Exactly one rotation, in the families table: the row moved from the token before to the one the cookie holds.
      const row = await family(a);
      expect({ round, row }).toEqual({
        round,
        row: expect.objectContaining({ status: 'active', previousJti: before, currentJti: jtiOf(await refreshCookie()) }),
      });
    }
    expect([await events(a), await events(b)]).toEqual([
      [{ type: 'signed-in', username: user.username }],
      [{ type: 'signed-in', username: user.username }],
    ]);
    await context.close();
  });

  it('signs out both tabs, once each, when the refresh is refused as reuse', async () => {
    const { context, tabs, refreshes } = await openTabs('cookies');
    const [a, b] = tabs as [Page, Page];
    await login(a);
    // A copy of the refresh token, spent elsewhere.
    const stolen = (await context.cookies()).find((cookie) => cookie.name === 'refresh_token_cookie')!.value;
    expect((await fetch(`${api.baseUrl}/refresh`, { method: 'POST', headers: { Authorization: `Bearer ${stolen}` } })).status).toBe(200);
    await context.clearCookies({ name: 'access_token_cookie' });
    await context.clearCookies({ name: 'csrf_access_token' });
    const answers = await Promise.all([call(a, 'GET', '/protected'), call(b, 'GET', '/protected')]);
    expect(answers.map((answer) => answer.error?.code)).toEqual(['ERR_SIGNED_OUT', 'ERR_SIGNED_OUT']);
    expect(refreshes()).toBe(1);
    const refused = {
      type: 'signed-out',
      reason: 'refused',
      status: 401,
      msg: 'Refresh token reuse detected; the session has been revoked',
    };
    expect((await events(a)).filter((event) => event.type === 'signed-out')).toEqual([refused]);
    expect((await events(b)).filter((event) => event.type === 'signed-out')).toEqual([refused]);
    await context.close();
  });
});

describe('two tabs with tokens in memory', () => {
  it(`share one session over BroadcastChannel and refresh once between them, ${ROUNDS} times in a row`, async () => {
    const { tabs, refreshes } = await openTabs('memory');
    const [a, b] = tabs as [Page, Page];
    await login(a);
    expect(await b.evaluate(() => window.harness.client.restore())).toBe(true);
    for (let round = 1; round <= ROUNDS; round++) {
      // Past the access token's 15 minutes on both tabs' clocks.
      await Promise.all([skew(a, 16 * MINUTE), skew(b, 16 * MINUTE)]);
      const answers = await Promise.all([call(a, 'GET', '/protected'), call(b, 'GET', '/protected')]);
      expect({ round, answers }).toEqual({
        round,
        answers: [{ ok: { logged_in_as: user.username } }, { ok: { logged_in_as: user.username } }],
      });
      expect({ round, refreshes: refreshes() }).toEqual({ round, refreshes: round });
    }
    expect((await events(b)).filter((event) => event.type === 'signed-out')).toEqual([]);
  });

  it('signs out both tabs, once each, when the refresh is refused as reuse', async () => {
    const { context, tabs, refreshes } = await openTabs('memory');
    const [a, b] = tabs as [Page, Page];
    // The refresh token the login answered with, copied off the wire (as a thief with the network would).
    const loginAnswer = a.waitForResponse((response) => new URL(response.url()).pathname === '/login');
    await login(a);
    const { refresh_token: stolen } = (await (await loginAnswer).json()) as { refresh_token: string };
    expect(await b.evaluate(() => window.harness.client.restore())).toBe(true);
    expect((await fetch(`${api.baseUrl}/refresh`, { method: 'POST', headers: { Authorization: `Bearer ${stolen}` } })).status).toBe(200);
    await Promise.all([skew(a, 16 * MINUTE), skew(b, 16 * MINUTE)]);
    const answers = await Promise.all([call(a, 'GET', '/protected'), call(b, 'GET', '/protected')]);
    expect(answers.map((answer) => answer.error?.code)).toEqual(['ERR_SIGNED_OUT', 'ERR_SIGNED_OUT']);
    expect(refreshes()).toBe(1);
    const refused = {
      type: 'signed-out',
      reason: 'refused',
      status: 401,
      msg: 'Refresh token reuse detected; the session has been revoked',
    };
    expect((await events(a)).filter((event) => event.type === 'signed-out')).toEqual([refused]);
    expect((await events(b)).filter((event) => event.type === 'signed-out')).toEqual([refused]);
    // A third tab opened now finds no session to pick up.
    const late = await context.newPage();
    await late.goto(`${api.baseUrl}/__client/tab.html?tokens=memory`);
    await late.waitForFunction(() => window.harness !== undefined, undefined, { timeout: 30_000 });
    expect(await late.evaluate(() => window.harness.client.restore())).toBe(false);
    await context.close();
  });
});
