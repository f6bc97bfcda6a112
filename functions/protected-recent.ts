import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { getHttpConfig } from '../src/wiring/token-wiring';

/**
 * GET /protected-recent, behind the fresh-recent authorizer (fresh, and the password checked
 * within its FRESH_MAX_AGE) → {"recent_logged_in_as": identity}. The shape of a payment route.
 */
export const handler = httpHandler(getHttpConfig().cors, (event) => {
  const identity = readCaller(event).username;
  return { status: 200, body: { recent_logged_in_as: identity }, identity };
});
