import { createAuthorizer } from '../src/authorizer';

/** Allows any valid access token, fresh or not. */
export const handler = createAuthorizer({ requireFresh: false });
