import { finishRegistration } from '../src/passkeys/passkey-service';
import { readCaller } from '../src/http/authorizer-identity';
import { accountWriter } from '../src/sessions/account-writer';
import { readClientInfo } from '../src/http/client-info';
import { httpHandler } from '../src/http/http-handler';
import { readJsonObject } from '../src/http/json-body';
import { countOutcomes } from '../src/http/outcome-metrics';
import { PASSKEY_BODY_BYTES, readRegistration } from '../src/http/passkey-bodies';
import { passkeyAddedReply } from '../src/http/passkey-replies';
import { nowSeconds } from '../src/platform/clock';
import { getStoreConfig, getStores } from '../src/wiring/store-wiring';
import { getPasskeyDeps } from '../src/wiring/passkey-wiring';

const config = getStoreConfig();
const deps = getPasskeyDeps();
const { families } = getStores();

/** POST /me/passkeys {"credential": <credential.toJSON()>, "name"?}, behind fresh-only → {"passkey": {...}}. */
export const handler = httpHandler(
  config.cors,
  async (event) => {
    const input = readRegistration(readJsonObject(event, Math.max(config.maxBodyBytes, PASSKEY_BODY_BYTES)));
    const writer = await accountWriter(families, readCaller(event));
    return passkeyAddedReply(await finishRegistration(deps, writer, input, readClientInfo(event), nowSeconds()));
  },
  countOutcomes('PasskeyRegistered'),
);
