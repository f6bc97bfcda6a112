import { issueFreshAccessToken } from '../src/sessions/session-service';
import { readCredentials } from '../src/http/credentials';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { tokensReply } from '../src/http/replies';
import { auditLogin } from '../src/http/login-audit';
import { readJsonObject } from '../src/http/json-body';
import { getConfig } from '../src/wiring/token-wiring';
import { getSessionDeps } from '../src/wiring/store-wiring';

const config = getConfig();
const deps = getSessionDeps({ issuer: true, verifier: false });

/** POST /fresh-login {"username","password"} → {"access_token" (fresh)}; never a refresh token. */
export const handler = httpHandler(
  config.corsAllowOrigin,
  async (event) => {
    const credentials = readCredentials(readJsonObject(event, config.maxBodyBytes));
    return tokensReply(await auditLogin(event, credentials.username, () => issueFreshAccessToken(deps, credentials)));
  },
  countOutcomes('LoginSucceeded'),
);
