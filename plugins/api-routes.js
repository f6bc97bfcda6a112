// GET /openapi.json describes the routes serverless.yml declares, and a Lambda function has no
// serverless.yml to read. So when a command starts, this plugin derives the routes and their
// guards from the resolved service (src/http/api-routes.ts, the rule the tests use too) and hands
// them to the build as a constant (esbuild `define`), which serverless-esbuild and
// plugins/offline-build.js both take from custom.esbuild. A route added to serverless.yml is in the
// next `npm start` and the next package, with nothing to run or commit by hand.
'use strict';

const path = require('node:path');
const { loadTypeScript } = require('./load-typescript');

/** The identifier the bundles read (types/api-routes.d.ts declares it). */
const CONSTANT = 'FRESH_TOKEN_API_ROUTES';

class ApiRoutes {
  constructor(serverless) {
    this.serverless = serverless;
    // `initialize` runs before any command's own steps; listed before ./plugins/esbuild.js, this
    // runs before serverless-esbuild reads custom.esbuild there.
    this.hooks = { initialize: () => this.apply() };
  }

  apply() {
    const { service, serviceDir } = this.serverless;
    const { apiRoutesOf } = loadTypeScript(path.join(serviceDir, 'src/http/api-routes.ts'));
    let routes;
    try {
      routes = apiRoutesOf(service.functions ?? {});
    } catch (err) {
      throw new this.serverless.classes.Error(`serverless.yml: ${err.message}`);
    }
    service.custom ??= {};
    const esbuild = (service.custom.esbuild ??= {});
    esbuild.define = { ...esbuild.define, [CONSTANT]: JSON.stringify(routes) };
  }
}

module.exports = ApiRoutes;
