import { createAuthorizer } from '../src/authorizer';

/** Allows only fresh access tokens; a valid non-fresh one gets Deny. */
export const handler = createAuthorizer({ requireFresh: true });
