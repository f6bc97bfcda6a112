// CORS for every HTTP route from the product's own settings (src/config/config.ts): the
// preflight each route answers (serverless writes it from the event's `cors`; with several
// origins it echoes the listed one that asks), and the CORS headers of API Gateway's own answers
// (custom.gatewayResponses.cors). With tokens in cookies: exact origins only, credentials allowed,
// and the CSRF headers among those a page may send.
'use strict';

const path = require('node:path');
const { loadTypeScript } = require('./load-typescript');

/** Seconds a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE = 600;

class Cors {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { initialize: () => this.apply() };
  }

  apply() {
    const custom = this.serverless.service.custom ?? {};
    const { loadCorsConfig } = loadTypeScript(path.join(this.serverless.serviceDir, 'src/config/config.ts'));
    let settings;
    try {
      // The same variables the functions get; '' is unset, as in the functions.
      settings = loadCorsConfig(custom.corsEnvironment ?? {});
    } catch (err) {
      throw new this.serverless.classes.Error(err.message);
    }
    const { cors, allowHeaders } = settings;
    const origin = cors.origins === '*' ? '*' : cors.origins.join(',');
    for (const fn of Object.values(this.serverless.service.functions ?? {})) {
      for (const event of fn.events ?? []) {
        if (!event.http || !event.http.cors) continue;
        // No listed origin (cookies, same-origin pages only): no preflight to answer.
        if (origin === '') delete event.http.cors;
        else event.http.cors = { origin, headers: allowHeaders, allowCredentials: cors.credentials, maxAge: PREFLIGHT_MAX_AGE };
      }
    }
    if (custom.gatewayResponses) {
      custom.gatewayResponses.cors = {
        allowOrigin: cors.origins === '*' ? '*' : (cors.origins[0] ?? ''),
        credentials: cors.credentials,
        allowHeaders,
      };
    }
  }
}

module.exports = Cors;
