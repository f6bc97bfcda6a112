import { revokeSession } from '../src/sessions/session-service';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { loggedOutReply } from '../src/http/replies';
import { readRequestToken } from '../src/http/request-token';
import { getConfig } from '../src/wiring/token-wiring';
import { getSessionDeps } from '../src/wiring/store-wiring';

const config = getConfig();
const deps = getSessionDeps({ issuer: false, verifier: true });

/**
 * POST /logout with `Authorization: Bearer <refresh token>` (or the refresh cookie and its CSRF
 * header) → {"msg":"Logged out"}; revokes the token's family, and deletes the cookies.
 */
export const handler = httpHandler(
  config.cors,
  async (event) => {
    const { token, csrf } = readRequestToken({ headers: event.headers, method: event.httpMethod }, config.transport, 'refresh');
    return loggedOutReply(await revokeSession(deps, token, csrf), config.transport);
  },
  countOutcomes('SessionRevoked'),
);
