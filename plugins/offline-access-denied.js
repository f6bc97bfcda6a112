// `serverless offline`: a fresh-only authorizer's Deny answered as API Gateway answers it, from the
// same Gateway Response the template gets (src/errors/gateway-responses.ts, ACCESS_DENIED): its
// status (401), its WWW-Authenticate and its body, with the `$context.authorizer.*` values the
// route's authorizer puts in its Deny (the RFC 9470 challenge, acr_values, max_age). serverless-offline
// itself answers every Deny with a bare 403 and drops the authorizer's context; the context is a
// pure function of the authorizer's settings (FRESH_MAX_AGE, FRESH_REQUIRE_ACR, see
// src/authorize/policy.ts stepUpContext), so it is computed here from serverless.yml.
//
// Hooked through hapi, which serverless-offline serves with: an `onPreResponse` extension added
// as each server starts, that rewrites only a 403 on a route behind a fresh-only authorizer.
// Narrow on purpose: only ACCESS_DENIED. Packaging for AWS is untouched.
'use strict';

const path = require('node:path');
const { loadTypeScript } = require('./load-typescript');

const INSTALLED = Symbol.for('fresh-token.offline-access-denied');

class OfflineAccessDenied {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:offline:start:init': () => this.install(), 'before:offline:start': () => this.install() };
  }

  /** `METHOD /path` → the Deny answer of the route's authorizer, for routes behind a fresh-only one. */
  denials() {
    const { service } = this.serverless;
    const { buildGatewayResponses } = loadTypeScript(path.join(this.serverless.serviceDir, 'src/errors/gateway-responses.ts'));
    const { stepUpContext } = loadTypeScript(path.join(this.serverless.serviceDir, 'src/authorize/policy.ts'));
    const settings = service.custom?.gatewayResponses ?? { stepUpChallenge: 'static' };
    // CORS stays serverless-offline's own here; only the status, the challenge and the body change.
    const responses = buildGatewayResponses({ ...settings, cors: { allowOrigin: '', credentials: false, allowHeaders: [] } });
    const denied = Object.values(responses).find((response) => response.ResponseType === 'ACCESS_DENIED');
    if (!denied) return new Map();
    const routes = new Map();
    for (const fn of Object.values(service.functions ?? {})) {
      for (const event of fn.events ?? []) {
        const http = event.http;
        const name = http?.authorizer?.name;
        const authorizer = name ? service.functions[name] : undefined;
        if (!authorizer || !String(authorizer.handler).startsWith('authorizers/fresh-only.')) continue;
        const env = authorizer.environment ?? {};
        const maxAge = Number(env.FRESH_MAX_AGE) || undefined;
        const context = stepUpContext(maxAge, env.FRESH_REQUIRE_ACR || undefined);
        const header = denied.ResponseParameters['gatewayresponse.header.WWW-Authenticate'];
        const challenge = header === 'context.authorizer.challenge' ? context.challenge : header.slice(1, -1);
        const body = denied.ResponseTemplates['application/json'].replace(/\$context\.authorizer\.(\w+)/g, (_, key) =>
          String(context[key] ?? ''),
        );
        const routePath = `/${String(http.path).replace(/^\//, '')}`;
        routes.set(`${String(http.method).toUpperCase()} ${routePath}`, {
          status: Number(denied.StatusCode),
          challenge,
          payload: JSON.parse(body),
        });
      }
    }
    return routes;
  }

  install() {
    const hapi = require('@hapi/hapi');
    const prototype = Object.getPrototypeOf(hapi.server({}));
    if (prototype[INSTALLED]) return;
    prototype[INSTALLED] = true;
    const routes = this.denials();
    const start = prototype.start;
    prototype.start = function startWithDenials(...args) {
      this.ext('onPreResponse', (request, h) => {
        const response = request.response;
        if (!response?.isBoom || response.output.statusCode !== 403) return h.continue;
        const deny = routes.get(`${request.route.method.toUpperCase()} ${request.route.path}`);
        if (!deny) return h.continue;
        response.output.statusCode = deny.status;
        response.output.payload = deny.payload;
        response.output.headers['WWW-Authenticate'] = deny.challenge;
        return h.continue;
      });
      return start.apply(this, args);
    };
  }
}

module.exports = OfflineAccessDenied;
