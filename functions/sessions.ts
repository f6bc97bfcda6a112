import { listSessions } from '../src/sessions/session-list';
import { readCaller } from '../src/http/authorizer-identity';
import { httpHandler } from '../src/http/http-handler';
import { sessionsReply } from '../src/http/replies';
import { getStores, getStoreConfig } from '../src/wiring/store-wiring';

const config = getStoreConfig();
const deps = getStores();

/**
 * GET /sessions[?cursor=…], behind the any-valid authorizer → {"sessions": [{"id", "created_at",
 * "last_used_at", "expires_at", "ip", "user_agent", "current"}], "next"?}: the caller's live
 * sessions, newest first, 100 a page.
 */
export const handler = httpHandler(config.cors, async (event) => {
  const caller = readCaller(event);
  return sessionsReply(caller.username, await listSessions(deps, caller, event.queryStringParameters?.cursor));
});
