import { startRegistration } from '../src/passkeys/passkey-service';
import { readCaller } from '../src/http/authorizer-identity';
import { accountWriter } from '../src/sessions/account-writer';
import { httpHandler } from '../src/http/http-handler';
import { optionsReply } from '../src/http/passkey-replies';
import { nowSeconds } from '../src/platform/clock';
import { getStoreConfig, getStores } from '../src/wiring/store-wiring';
import { getPasskeyDeps } from '../src/wiring/passkey-wiring';

const config = getStoreConfig();
const deps = getPasskeyDeps();
const { families } = getStores();

/**
 * POST /me/passkeys/options, behind fresh-only (adding a way to sign in is a critical action) →
 * WebAuthn creation options (PublicKeyCredential.parseCreationOptionsFromJSON), one-time challenge.
 */
export const handler = httpHandler(config.cors, async (event) => {
  const writer = await accountWriter(families, readCaller(event));
  return optionsReply(writer.username, await startRegistration(deps, writer, nowSeconds()));
});
