import { createAuthorizer } from '../src/authorize/authorizer';
import { getTokenConfig, getTokenVerifier } from '../src/wiring/token-wiring';

/**
 * Allows only fresh access tokens; a valid non-fresh one gets Deny. The function's FRESH_MAX_AGE,
 * if set, also limits the time since the password was verified, and its FRESH_REQUIRE_ACR the
 * least authentication class (a passkey's), so several fresh-only authorizers with different
 * limits are declared in serverless.yml over this one file.
 */
const { freshMaxAgeSeconds, freshRequireAcr, transport } = getTokenConfig();
export const handler = createAuthorizer(
  { requireFresh: true, maxAgeSeconds: freshMaxAgeSeconds, requireAcr: freshRequireAcr, transport },
  getTokenVerifier(),
);
