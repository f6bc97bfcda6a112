import { changeEmail } from '../src/sessions/account-service';
import { readEmailChange } from '../src/http/account-bodies';
import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { readJsonObject } from '../src/http/json-body';
import { emailChangedReply } from '../src/http/replies';
import { getStores, getStoreConfig } from '../src/wiring/store-wiring';

const config = getStoreConfig();
const deps = getStores();

/** PUT /me/email {"email"}, behind fresh-only → {"msg": "E-mail changed", "email"}. */
export const handler = httpHandler(config.cors, async (event) => {
  const caller = readCaller(event);
  const email = readEmailChange(readJsonObject(event, config.maxBodyBytes));
  return emailChangedReply(caller.username, await changeEmail(deps, caller, email));
});
