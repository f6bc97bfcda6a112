import { getProfile } from '../src/sessions/account-service';
import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { profileReply } from '../src/http/replies';
import { getStores, getStoreConfig } from '../src/wiring/store-wiring';

const config = getStoreConfig();
const deps = getStores();

/** GET /me, behind any-valid → {"username", "email", "created_at", "auth_time", "fresh", "fresh_until", "expires_at", "acr", "amr"}; 404 without an account row. */
export const handler = httpHandler(config.cors, async (event) => profileReply(await getProfile(deps, readCaller(event))));
