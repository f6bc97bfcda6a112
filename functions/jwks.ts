import { httpHandler } from '../src/http/http-handler';
import { getHttpConfig, getVerificationKeys } from '../src/runtime';

const keys = getVerificationKeys();

/**
 * GET /.well-known/jwks.json → {"keys": [...]}: the public keys tokens are verified with, so other
 * services can verify them without a shared secret. Empty with HS256 (secrets are never published).
 */
export const handler = httpHandler(getHttpConfig().corsAllowOrigin, async () => {
  const { publicJwks } = await keys;
  return { status: 200, body: { keys: publicJwks }, cacheSeconds: 300 };
});
