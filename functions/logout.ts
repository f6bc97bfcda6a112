import { revokeSession } from '../src/auth-service';
import { readBearerToken } from '../src/http/bearer-token';
import { getHeader } from '../src/http/headers';
import { httpHandler } from '../src/http/http-handler';
import { getConfig } from '../src/runtime';
import { countOutcomes } from '../src/metrics';
import { getAuthDeps } from '../src/store-runtime';

const config = getConfig();
const deps = getAuthDeps();

/** POST /logout with `Authorization: Bearer <refresh token>` → {"msg":"Logged out"}; revokes the token's family. */
export const handler = httpHandler(config.corsAllowOrigin, async (event) => {
  const refreshToken = readBearerToken(getHeader(event.headers, 'authorization'));
  const { sub, body } = await revokeSession(deps, refreshToken);
  return { status: 200, body, identity: sub };
}, countOutcomes('SessionRevoked'));
