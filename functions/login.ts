import { issueTokenPair } from '../src/auth-service';
import { readCredentials } from '../src/http/credentials';
import { httpHandler } from '../src/http/http-handler';
import { auditLogin } from '../src/http/login-audit';
import { readJsonObject } from '../src/http/json-body';
import { getConfig } from '../src/runtime';
import { countOutcomes } from '../src/metrics';
import { getAuthDeps } from '../src/store-runtime';

const config = getConfig();
const deps = getAuthDeps();

/** POST /login {"username","password"} → {"access_token" (fresh), "refresh_token"}. */
export const handler = httpHandler(config.corsAllowOrigin, async (event) => {
  const credentials = readCredentials(readJsonObject(event, config.maxBodyBytes));
  const { sub, body } = await auditLogin(event, credentials.username, () => issueTokenPair(deps, credentials));
  return { status: 200, body, identity: sub, noStore: true };
}, countOutcomes('LoginSucceeded'));
