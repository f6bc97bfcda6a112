import { endCallerSessions } from '../src/sessions/session-list';
import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { countOutcomes } from '../src/http/outcome-metrics';
import { sessionsEndedReply } from '../src/http/replies';
import { getStores, getStoreConfig } from '../src/wiring/store-wiring';

const config = getStoreConfig();
const deps = getStores();

/**
 * Behind the fresh-only authorizer (ending a session on another device is a critical action):
 * DELETE /sessions/{id} → {"msg": "Session ended"} (404 "Session not found" for anything but one
 * of the caller's live sessions); DELETE /sessions → {"msg": "All sessions ended", "ended": n},
 * sign-out everywhere, the caller's own session included.
 */
export const handler = httpHandler(
  config.cors,
  async (event) => {
    const caller = readCaller(event);
    return sessionsEndedReply(caller.username, await endCallerSessions(deps, caller, event.pathParameters?.id));
  },
  countOutcomes('SessionRevoked'),
);
