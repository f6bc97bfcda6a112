import { readAuthorizerIdentity } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { getConfig } from '../src/runtime';

/** GET /protected-fresh, behind the fresh-only authorizer → {"fresh_logged_in_as": identity}. */
export const handler = httpHandler(getConfig().corsAllowOrigin, async (event) => {
  const identity = readAuthorizerIdentity(event);
  return { status: 200, body: { fresh_logged_in_as: identity }, identity };
});
