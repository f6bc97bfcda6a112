import { rotateRefreshToken } from '../src/sessions/session-service';
import { readBearerToken } from '../src/http/bearer-token';
import { getHeader } from '../src/http/headers';
import { readClientInfo } from '../src/http/client-info';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { tokensReply } from '../src/http/replies';
import { getConfig } from '../src/wiring/token-wiring';
import { getSessionDeps } from '../src/wiring/store-wiring';

const config = getConfig();
const deps = getSessionDeps({ issuer: true, verifier: true });

/**
 * POST /refresh with `Authorization: Bearer <refresh token>` → {"access_token" (not fresh),
 * "refresh_token" (the next one of the family; the presented one is now spent)}.
 */
export const handler = httpHandler(
  config.corsAllowOrigin,
  async (event) => {
    const refreshToken = readBearerToken(getHeader(event.headers, 'authorization'));
    return tokensReply(await rotateRefreshToken(deps, refreshToken, readClientInfo(event)));
  },
  countOutcomes('RefreshRotated'),
);
