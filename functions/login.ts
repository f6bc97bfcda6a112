import { issueTokenPair, issueTokenPairBy } from '../src/sessions/session-service';
import { PASSKEY_BODY_BYTES, readAssertion } from '../src/http/passkey-bodies';
import { getPasskeyDeps, loadPasskeyProof } from '../src/wiring/passkey-wiring';
import { readCredentials } from '../src/http/credentials';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { tokenDelivery, tokensReply } from '../src/http/replies';
import { auditLogin } from '../src/http/login-audit';
import { readClientInfo } from '../src/http/client-info';
import { readJsonObject } from '../src/http/json-body';
import { getConfig } from '../src/wiring/token-wiring';
import { getSessionDeps } from '../src/wiring/store-wiring';

const config = getConfig();
const deps = getSessionDeps({ issuer: true, verifier: false });
const delivery = tokenDelivery(config);
// The passkey settings are checked at cold start; WebAuthn itself loads with the first passkey.
getPasskeyDeps();

/**
 * POST /login {"username","password"} or {"passkey": <credential.toJSON()>} (a discoverable
 * passkey, no username) → {"access_token" (fresh), "refresh_token"}; with TOKEN_LOCATION=cookies
 * the tokens come as cookies and the body is {"login": true}.
 */
export const handler = httpHandler(
  config.cors,
  async (event) => {
    // A passkey assertion may be larger than a password body: the larger limit for both.
    const body = readJsonObject(event, Math.max(config.maxBodyBytes, PASSKEY_BODY_BYTES));
    const client = readClientInfo(event);
    if (body.passkey !== undefined) {
      const proof = await loadPasskeyProof(readAssertion(body), 'login', client);
      return tokensReply(await issueTokenPairBy(deps, proof, client), delivery, { login: true });
    }
    const credentials = readCredentials(body);
    const tokens = await auditLogin(client, credentials.username, () => issueTokenPair(deps, credentials, client));
    return tokensReply(tokens, delivery, { login: true });
  },
  countOutcomes('LoginSucceeded'),
);
