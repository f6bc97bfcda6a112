import { rotateRefreshToken } from '../src/sessions/session-service';
import { readClientInfo } from '../src/http/client-info';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { tokenDelivery, tokensReply } from '../src/http/replies';
import { readRequestToken } from '../src/http/request-token';
import { getConfig } from '../src/wiring/token-wiring';
import { getSessionDeps } from '../src/wiring/store-wiring';

const config = getConfig();
const deps = getSessionDeps({ issuer: true, verifier: true });
const delivery = tokenDelivery(config);

/**
 * POST /refresh with `Authorization: Bearer <refresh token>` (or, with cookies, the refresh cookie
 * and its CSRF header) → {"access_token" (not fresh), "refresh_token" (the next one of the family;
 * the presented one is now spent)}, or those as cookies.
 */
export const handler = httpHandler(
  config.cors,
  async (event) => {
    const { token, csrf } = readRequestToken({ headers: event.headers, method: event.httpMethod }, config.transport, 'refresh');
    return tokensReply(await rotateRefreshToken(deps, token, readClientInfo(event), csrf), delivery, { refresh: true });
  },
  countOutcomes('RefreshRotated'),
);
