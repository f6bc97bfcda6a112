import { issueFreshAccessToken } from '../src/sessions/session-service';
import { readCredentials } from '../src/http/credentials';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { tokensReply } from '../src/http/replies';
import { auditLogin } from '../src/http/login-audit';
import { readClientInfo } from '../src/http/client-info';
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
    const client = readClientInfo(event);
    return tokensReply(await auditLogin(client, credentials.username, () => issueFreshAccessToken(deps, credentials, client)));
  },
  countOutcomes('LoginSucceeded'),
);
