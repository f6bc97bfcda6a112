import { changeOwnPassword } from '../src/sessions/account-service';
import { readPasswordChange } from '../src/http/account-bodies';
import { readCaller } from '../src/http/authorizer-identity';
import { readClientInfo } from '../src/http/client-info';
import { httpHandler } from '../src/http/http-handler';
import { readJsonObject } from '../src/http/json-body';
import { auditLogin } from '../src/http/login-audit';
import { countOutcomes } from '../src/http/outcome-metrics';
import { passwordChangedReply } from '../src/http/replies';
import { getStores, getStoreConfig } from '../src/wiring/store-wiring';

const config = getStoreConfig();
const deps = getStores();

/**
 * PUT /me/password {"current_password", "new_password"}, behind fresh-recent (the password proven
 * at most RECENT_MAX_AGE ago) → {"msg": "Password changed"}; every other session of the user ends.
 */
export const handler = httpHandler(
  config.cors,
  async (event) => {
    const caller = readCaller(event);
    const passwords = readPasswordChange(readJsonObject(event, config.maxBodyBytes));
    const client = readClientInfo(event);
    await auditLogin(client, caller.username, () => changeOwnPassword(deps, caller, passwords, client));
    return passwordChangedReply(caller.username);
  },
  countOutcomes('PasswordChanged'),
);
