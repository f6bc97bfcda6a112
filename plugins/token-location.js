// Points the routes' Lambda authorizers at where tokens travel (TOKEN_LOCATION), before API
// Gateway's template or serverless-offline's routes are built from them.
//
// - headers: as serverless.yml declares (identity source: the Authorization header; any-valid
//   may cache its decision per header value).
// - cookies: the identity source is the Cookie header, and no decision is cached: with cookies a
//   decision also depends on the method and the CSRF header (the double-submit check), which the
//   cache key cannot hold without API Gateway refusing every request that lacks one of them.
// - headers,cookies: no identity source at all (API Gateway would answer 401 to a request missing
//   the one it names), which API Gateway allows only with caching off.
'use strict';

const LOCATIONS = ['headers', 'cookies', 'headers,cookies'];

class TokenLocation {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { initialize: () => this.apply() };
  }

  apply() {
    const raw = String(this.serverless.service.custom?.tokenLocation ?? 'headers').replace(/\s+/g, '');
    if (!LOCATIONS.includes(raw)) {
      throw new this.serverless.classes.Error(`TOKEN_LOCATION must be one of ${LOCATIONS.join(', ')}, got "${raw}"`);
    }
    if (raw === 'headers') return;
    for (const fn of Object.values(this.serverless.service.functions ?? {})) {
      for (const event of fn.events ?? []) {
        const authorizer = event.http?.authorizer;
        if (!authorizer || typeof authorizer !== 'object' || authorizer.arn || String(authorizer.type).toLowerCase() !== 'request')
          continue;
        authorizer.resultTtlInSeconds = 0;
        if (raw === 'cookies') authorizer.identitySource = 'method.request.header.Cookie';
        else delete authorizer.identitySource;
      }
    }
  }
}

module.exports = TokenLocation;
