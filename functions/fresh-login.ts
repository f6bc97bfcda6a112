import { issueFreshAccessToken, issueFreshAccessTokenBy } from '../src/sessions/session-service';
import { PASSKEY_BODY_BYTES, readAssertion } from '../src/http/passkey-bodies';
import { getPasskeyDeps, loadPasskeyProof } from '../src/wiring/passkey-wiring';
import { readCredentials } from '../src/http/credentials';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { tokenDelivery, tokensReply } from '../src/http/replies';
import { readCookie } from '../src/http/cookies';
import { auditLogin } from '../src/http/login-audit';
import { readClientInfo } from '../src/http/client-info';
import { readBearerToken } from '../src/http/bearer-token';
import { getHeader } from '../src/http/headers';
import { readJsonObject } from '../src/http/json-body';
import { getConfig } from '../src/wiring/token-wiring';
import { getSessionDeps } from '../src/wiring/store-wiring';

const config = getConfig();
const deps = getSessionDeps({ issuer: true, verifier: false });
const delivery = tokenDelivery(config);
// The passkey settings are checked at cold start; WebAuthn itself loads with the first passkey.
getPasskeyDeps();

/**
 * POST /fresh-login {"username","password"} or {"passkey": <credential.toJSON()>} → {"access_token"
 * (fresh)}; never a refresh token. A passkey's token says so (`amr`, `acr` phishing-resistant).
 * With `Authorization: Bearer <refresh token>` the fresh token joins that session (`sid`).
 */
export const handler = httpHandler(
  config.cors,
  async (event) => {
    // A passkey assertion may be larger than a password body: the larger limit for both.
    const body = readJsonObject(event, Math.max(config.maxBodyBytes, PASSKEY_BODY_BYTES));
    const client = readClientInfo(event);
    // Optional: the refresh token of the session the fresh token is for, sent on purpose in the
    // Authorization header, or by the browser in the refresh cookie (used only if still good).
    const authorization = getHeader(event.headers, 'authorization');
    const cookie = config.transport.cookies ? readCookie(event.headers, config.transport.refreshCookieName) : undefined;
    const session =
      authorization !== undefined
        ? { token: readBearerToken(authorization), required: true }
        : cookie !== undefined
          ? { token: cookie, required: false }
          : undefined;
    if (body.passkey !== undefined) {
      const proof = await loadPasskeyProof(readAssertion(body), 'step-up', client);
      return tokensReply(await issueFreshAccessTokenBy(deps, proof, session), delivery, { login: true });
    }
    const credentials = readCredentials(body);
    const tokens = await auditLogin(client, credentials.username, () => issueFreshAccessToken(deps, credentials, client, session));
    return tokensReply(tokens, delivery, { login: true });
  },
  countOutcomes('LoginSucceeded'),
);
