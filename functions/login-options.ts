import { startAssertion } from '../src/passkeys/passkey-service';
import { httpHandler } from '../src/http/http-handler';
import { optionsReply } from '../src/http/passkey-replies';
import { nowSeconds } from '../src/platform/clock';
import { getStoreConfig } from '../src/wiring/store-wiring';
import { getPasskeyDeps } from '../src/wiring/passkey-wiring';

const config = getStoreConfig();
const deps = getPasskeyDeps();

/** POST /login/passkey/options → WebAuthn request options for a discoverable passkey (no username), one-time challenge. */
export const handler = httpHandler(config.cors, async () => optionsReply(undefined, await startAssertion(deps, undefined, nowSeconds())));
