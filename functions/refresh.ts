import { refreshAccessToken } from '../src/auth-service';
import { readBearerToken } from '../src/http/bearer-token';
import { getHeader } from '../src/http/headers';
import { httpHandler } from '../src/http/http-handler';
import { getHttpConfig, getTokenIssuer, getTokenVerifier } from '../src/runtime';

const config = getHttpConfig();
const deps = { verifier: getTokenVerifier(), issuer: getTokenIssuer() };

/** POST /refresh with `Authorization: Bearer <refresh token>` → {"access_token" (not fresh)}. */
export const handler = httpHandler(config.corsAllowOrigin, async (event) => {
  const refreshToken = readBearerToken(getHeader(event.headers, 'authorization'));
  const { sub, body } = await refreshAccessToken(deps, refreshToken);
  return { status: 200, body, identity: sub, noStore: true };
});
