import { startAssertion } from '../src/passkeys/passkey-service';
import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { optionsReply } from '../src/http/passkey-replies';
import { nowSeconds } from '../src/platform/clock';
import { getStoreConfig } from '../src/wiring/store-wiring';
import { getPasskeyDeps } from '../src/wiring/passkey-wiring';

const config = getStoreConfig();
const deps = getPasskeyDeps();

/**
 * POST /fresh-login/passkey/options, behind any-valid (a step-up is for a signed-in user) →
 * WebAuthn request options listing the caller's passkeys, with a one-time challenge for that user.
 */
export const handler = httpHandler(config.cors, async (event) => {
  const { username } = readCaller(event);
  return optionsReply(username, await startAssertion(deps, username, nowSeconds()));
});
