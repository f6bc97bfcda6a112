import { httpHandler } from '../src/http/http-handler';
import { getHttpConfig, getPublishedKeys } from '../src/wiring/token-wiring';

const keys = getPublishedKeys();

/**
 * GET /.well-known/jwks.json → {"keys": [...]}: the public keys tokens are verified with, so other
 * services can verify them without a shared secret. Empty with HS256 (secrets are never published).
 */
export const handler = httpHandler(getHttpConfig().cors, async () => {
  return { status: 200, body: { keys: keys.current() ?? (await keys.ready()) }, cacheSeconds: 300 };
});
