// Points the routes' Lambda authorizers at where tokens travel (TOKEN_LOCATION, read and checked
// by src/config/config.ts, as the functions read it), before API Gateway's template or
// serverless-offline's routes are built from them.
//
// - headers: as serverless.yml declares (identity source: the Authorization header; any-valid
//   may cache its decision per header value).
// - cookies: the identity source is the Cookie header, and no decision is cached: with cookies a
//   decision also depends on the method and the CSRF header (the double-submit check), which the
//   cache key cannot hold without API Gateway refusing every request that lacks one of them.
// - headers,cookies: no identity source at all (API Gateway would answer 401 to a request missing
//   the one it names), which API Gateway allows only with caching off.
'use strict';

const path = require('node:path');
const { loadTypeScript } = require('./load-typescript');

class TokenLocation {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { initialize: () => this.apply() };
  }

  apply() {
    const custom = this.serverless.service.custom ?? {};
    const { loadTransportConfig } = loadTypeScript(path.join(this.serverless.serviceDir, 'src/config/config.ts'));
    let transport;
    try {
      // The functions' own variables ('' is unset there too): a bad one stops packaging, not a cold start.
      transport = loadTransportConfig({
        ...custom.cookieEnvironment,
        TOKEN_LOCATION: custom.tokenLocation,
        STAGE: this.serverless.service.provider.stage,
      });
    } catch (err) {
      throw new this.serverless.classes.Error(err.message);
    }
    if (!transport.cookies) return;
    for (const fn of Object.values(this.serverless.service.functions ?? {})) {
      for (const event of fn.events ?? []) {
        const authorizer = event.http?.authorizer;
        if (!authorizer || typeof authorizer !== 'object' || authorizer.arn || String(authorizer.type).toLowerCase() !== 'request')
          continue;
        authorizer.resultTtlInSeconds = 0;
        if (transport.headers) delete authorizer.identitySource;
        else authorizer.identitySource = 'method.request.header.Cookie';
      }
    }
  }
}

module.exports = TokenLocation;
