import { revokeSession } from '../src/sessions/session-service';
import { readBearerToken } from '../src/http/bearer-token';
import { getHeader } from '../src/http/headers';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { loggedOutReply } from '../src/http/replies';
import { getConfig } from '../src/wiring/token-wiring';
import { getSessionDeps } from '../src/wiring/store-wiring';

const config = getConfig();
const deps = getSessionDeps({ issuer: false, verifier: true });

/** POST /logout with `Authorization: Bearer <refresh token>` → {"msg":"Logged out"}; revokes the token's family. */
export const handler = httpHandler(
  config.corsAllowOrigin,
  async (event) => {
    const refreshToken = readBearerToken(getHeader(event.headers, 'authorization'));
    return loggedOutReply(await revokeSession(deps, refreshToken));
  },
  countOutcomes('SessionRevoked'),
);
