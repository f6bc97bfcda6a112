import { createAuthorizer } from '../src/authorize/authorizer';
import { getTokenConfig, getTokenVerifier } from '../src/wiring/token-wiring';

/**
 * Allows only fresh access tokens; a valid non-fresh one gets Deny. The function's FRESH_MAX_AGE,
 * if set, also limits the time since the password was verified, so several fresh-only
 * authorizers with different limits are declared in serverless.yml over this one file.
 */
const { freshMaxAgeSeconds, transport } = getTokenConfig();
export const handler = createAuthorizer({ requireFresh: true, maxAgeSeconds: freshMaxAgeSeconds, transport }, getTokenVerifier());
