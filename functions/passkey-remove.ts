import { removePasskey } from '../src/passkeys/passkey-service';
import { readCaller } from '../src/http/authorizer-identity';
import { readClientInfo } from '../src/http/client-info';
import { httpHandler } from '../src/http/http-handler';
import { readPasskeyId } from '../src/http/passkey-bodies';
import { passkeyRemovedReply } from '../src/http/passkey-replies';
import { accountWriter } from '../src/sessions/account-writer';
import { getStoreConfig, getStores } from '../src/wiring/store-wiring';
import { getPasskeyDeps } from '../src/wiring/passkey-wiring';

const config = getStoreConfig();
const deps = getPasskeyDeps();
const { families } = getStores();

/**
 * DELETE /me/passkeys/{id}, behind fresh-only → {"msg": "Passkey removed"}; anything but one of the
 * caller's: 404; an account closed (or made again) since the token's login: 401/404 as every write.
 */
export const handler = httpHandler(config.cors, async (event) => {
  const writer = await accountWriter(families, readCaller(event));
  await removePasskey(deps, writer, readPasskeyId(event.pathParameters), readClientInfo(event));
  return passkeyRemovedReply(writer.username);
});
