import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { getHttpConfig } from '../src/wiring/token-wiring';

/** GET /protected-strong, behind the fresh-strong authorizer (a passkey step-up) → {"strong_logged_in_as": identity}. */
export const handler = httpHandler(getHttpConfig().cors, (event) => {
  const identity = readCaller(event).username;
  return { status: 200, body: { strong_logged_in_as: identity }, identity };
});
