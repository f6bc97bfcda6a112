import { rotateRefreshToken } from '../src/auth-service';
import { readBearerToken } from '../src/http/bearer-token';
import { getHeader } from '../src/http/headers';
import { httpHandler } from '../src/http/http-handler';
import { getConfig } from '../src/runtime';
import { countOutcomes } from '../src/metrics';
import { getAuthDeps } from '../src/store-runtime';

const config = getConfig();
const deps = getAuthDeps();

/**
 * POST /refresh with `Authorization: Bearer <refresh token>` → {"access_token" (not fresh),
 * "refresh_token" (the next one of the family; the presented one is now spent)}.
 */
export const handler = httpHandler(config.corsAllowOrigin, async (event) => {
  const refreshToken = readBearerToken(getHeader(event.headers, 'authorization'));
  const { sub, body } = await rotateRefreshToken(deps, refreshToken);
  return { status: 200, body, identity: sub, noStore: true };
}, countOutcomes('RefreshRotated'));
