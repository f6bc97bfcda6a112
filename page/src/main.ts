/**
 * The demo page's script: the fresh-token pattern walked through on `fresh-token-lambda/client`,
 * which holds the session (in HttpOnly cookies or in this page's memory, as the server's
 * TOKEN_LOCATION says), refreshes it, and steps up through this page's prompts. Bundled into the
 * page at build time (plugins/page-script.js), so the page's CSP allows it by its hash.
 */
import { ClientError, createClient } from 'fresh-token-lambda/client';
import { ActionRunner, type Action } from './action-runner.ts';
import { createAnswerLog } from './answer-log.ts';
import { byId } from './dom.ts';
import { readPageSettings } from './page-settings.ts';
import { PasskeysPanel } from './passkeys-panel.ts';
import { say } from './say.ts';
import { SessionsPanel } from './sessions-panel.ts';
import { StepUpPrompt } from './step-up-prompt.ts';
import { TokenCard } from './token-card.ts';

const settings = readPageSettings(document.documentElement);
// The page is the API's GET /, so the API's routes hang from the page's own path ("" locally, "/prod" under a stage).
const apiPath = location.pathname.replace(/\/+$/, '');
const answers = createAnswerLog(apiPath, (request) => fetch(request));
const result = byId('result', HTMLElement);
const prompt = new StepUpPrompt(() => say(result, 'This browser cannot use passkeys here.', false));

const client = createClient({
  baseUrl: apiPath || '/',
  tokens: settings.tokens,
  csrf: settings.csrf,
  fetch: answers.fetch,
  // The runner (below) asks the user: it knows which action the route refused.
  onStepUp: (challenge) => runner.onStepUp(challenge),
});
const card = new TokenCard(client, answers);
const runner = new ActionRunner(answers, prompt, card);
const sessions = new SessionsPanel(client, runner);
new PasskeysPanel(client, runner);

byId('token-storage', HTMLElement).textContent =
  settings.tokens === 'cookies'
    ? 'Kept in HttpOnly cookies, out of this page’s reach: a reload keeps you signed in.'
    : 'Kept in this page’s memory only, never stored: a reload signs you out, unless another tab of this page is open to hand the session over.';

// Signing in and out, here or in another tab of this page.

const loginForm = byId('login-form', HTMLFormElement);
const username = byId('username', HTMLInputElement);
const password = byId('password', HTMLInputElement);
const loginMessage = byId('login-message', HTMLElement);
let signedIn = false;

function showSignedIn(on: boolean): void {
  signedIn = on;
  loginForm.hidden = on;
  byId('login-done', HTMLElement).hidden = !on;
  byId('status-bar', HTMLElement).hidden = !on;
  byId('signed-in', HTMLElement).hidden = !on;
  if (on) loginMessage.hidden = true;
}

function enterSignedIn(): void {
  if (signedIn) return;
  showSignedIn(true);
  void card.load();
}

client.addEventListener('signed-in', enterSignedIn);
client.addEventListener('signed-out', (event) => {
  // Only a session this page showed can end: before that there is nothing to tell the user.
  if (!signedIn) return;
  const { reason, msg } = event.detail;
  card.clear();
  sessions.clear();
  prompt.close();
  showSignedIn(false);
  if (reason === 'logout') say(loginMessage, 'Signed out. Your session has ended.', true);
  else say(loginMessage, `Signed out: the server ended your session (${msg ?? 'refused'}). Log in again.`, false);
});

loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    try {
      await client.login({ username: username.value, password: password.value });
    } catch (err) {
      if (!(err instanceof ClientError)) throw err;
      // Said next to the form the user is looking at, which stays on screen.
      return say(loginMessage, `Login refused: ${err.msg}`, false);
    }
    password.value = '';
    enterSignedIn();
    say(result, 'Logged in with a fresh token.', true);
  })();
});

byId('logout', HTMLButtonElement).addEventListener('click', () => {
  void (async () => {
    try {
      await client.logout();
    } catch (err) {
      if (!(err instanceof ClientError)) throw err;
      say(loginMessage, `Signed out here, but the server said: ${err.msg}`, false);
    }
    username.focus();
  })();
});

// Step 3, the actions.

const action = (need: string, cancelled: string, refused: (msg: string) => string): Action => ({ where: result, need, cancelled, refused });
const run = (what: Action, body: () => Promise<void>) => () => void runner.run(what, body);

byId('call-protected', HTMLButtonElement).addEventListener(
  'click',
  run(
    action('viewing your profile', 'Cancelled.', (msg) => `Refused: your token no longer lets you in (${msg}). Log in again.`),
    async () => {
      const answer = await client.request('GET', '/protected');
      say(result, `Allowed: GET /protected answered ${JSON.stringify(answer)}`, true);
    },
  ),
);

byId('refresh', HTMLButtonElement).addEventListener(
  'click',
  run(
    action('a refresh', 'Cancelled.', (msg) => `Refused: no new access token (${msg}). Log in again.`),
    async () => {
      await client.refresh();
      card.show(await client.account.get());
      say(result, 'New access token, not fresh: no password was typed. Everyday actions still work; critical ones will not.', true);
    },
  ),
);

byId('call-fresh', HTMLButtonElement).addEventListener(
  'click',
  run(
    action(
      'changing your e-mail',
      'Cancelled: your e-mail was not changed (that needs a fresh token).',
      (msg) => `Refused: ${msg}. Log in again.`,
    ),
    async () => {
      const answer = await client.request('GET', '/protected-fresh');
      say(result, `Allowed with your fresh token: GET /protected-fresh answered ${JSON.stringify(answer)}`, true);
    },
  ),
);

byId('call-strong', HTMLButtonElement).addEventListener(
  'click',
  run(
    action(
      'sending money',
      'Cancelled: no money was sent (that needs a fresh token from your passkey).',
      (msg) => `Refused: ${msg}. Log in again.`,
    ),
    async () => {
      const answer = await client.request('GET', '/protected-strong');
      say(result, `Allowed with your passkey-fresh token: GET /protected-strong answered ${JSON.stringify(answer)}`, true);
    },
  ),
);

// A reload: with cookies the browser still holds the session; in memory, another tab may hand it
// over. Step 1 is busy until the page knows.
void (async () => {
  const restored = await client.restore().catch(() => false);
  byId('login-step', HTMLElement).setAttribute('aria-busy', 'false');
  if (!restored) return;
  enterSignedIn();
  say(result, 'Welcome back: you are still signed in.', true);
})();
