import { createAuthorizer } from '../src/authorize/authorizer';
import { getTokenConfig, getTokenVerifier } from '../src/wiring/token-wiring';

/** Allows any valid access token, fresh or not. */
export const handler = createAuthorizer({ requireFresh: false, transport: getTokenConfig().transport }, getTokenVerifier());
