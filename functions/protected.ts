import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { getHttpConfig } from '../src/wiring/token-wiring';

/** GET /protected, behind the any-valid authorizer → {"logged_in_as": identity}. */
export const handler = httpHandler(getHttpConfig().cors, (event) => {
  const identity = readCaller(event).username;
  return { status: 200, body: { logged_in_as: identity }, identity };
});
