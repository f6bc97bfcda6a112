import { listPasskeys } from '../src/passkeys/passkey-service';
import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { passkeysReply } from '../src/http/passkey-replies';
import { getStoreConfig } from '../src/wiring/store-wiring';
import { getPasskeyDeps } from '../src/wiring/passkey-wiring';

const config = getStoreConfig();
const deps = getPasskeyDeps();

/** GET /me/passkeys, behind any-valid → {"passkeys": [{id, name, created_at, last_used_at, backed_up}]}. */
export const handler = httpHandler(config.cors, async (event) => {
  const caller = readCaller(event);
  return passkeysReply(caller.username, await listPasskeys(deps, caller));
});
