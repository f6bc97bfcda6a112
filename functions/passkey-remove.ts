import { removePasskey } from '../src/passkeys/passkey-service';
import { readCaller } from '../src/http/authorizer-identity';
import { readClientInfo } from '../src/http/client-info';
import { httpHandler } from '../src/http/http-handler';
import { readPasskeyId } from '../src/http/passkey-bodies';
import { passkeyRemovedReply } from '../src/http/passkey-replies';
import { getStoreConfig } from '../src/wiring/store-wiring';
import { getPasskeyDeps } from '../src/wiring/passkey-wiring';

const config = getStoreConfig();
const deps = getPasskeyDeps();

/** DELETE /me/passkeys/{id}, behind fresh-only → {"msg": "Passkey removed"}; anything but one of the caller's: 404. */
export const handler = httpHandler(config.cors, async (event) => {
  const { username } = readCaller(event);
  await removePasskey(deps, username, readPasskeyId(event.pathParameters), readClientInfo(event));
  return passkeyRemovedReply(username);
});
