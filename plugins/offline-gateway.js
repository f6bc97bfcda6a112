// `serverless offline` answers what API Gateway answers (scripts/offline-gateway.ts): the
// Gateway Responses of the template (src/errors/gateway-responses.ts, as plugins/gateway-responses.js
// writes them), the authorizers' cache as the template declares it, the template's preflights and
// no CORS header of serverless-offline's own. Through serverless-offline's extension point
// custom.offline.customAuthenticationProvider, set here for the offline command only; packaging
// for AWS is untouched.
//
// serverless-offline is pinned (package.json) to the version this was written against: its
// createRoutes and 404 route are what the hook relies on, so another version stops the start.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { loadTypeScript } = require('./load-typescript');
const provider = require('./offline-gateway-provider');

/** The serverless-offline version the hook was written and tested against. */
const PINNED_VERSION = '14.8.2';
const HEADER_SOURCE = /^method\.request\.header\.(.+)$/;

class OfflineGateway {
  constructor(serverless, _options, { log }) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      'before:offline:start:init': () => this.configure(),
      'before:offline:start': () => this.configure(),
      'after:offline:start:init': () => this.check(),
    };
  }

  fail(message) {
    throw new this.serverless.classes.Error(`offline gateway: ${message}`);
  }

  configure() {
    if (this.gateway) return;
    const { service, serviceDir } = this.serverless;
    const manifest = path.join(serviceDir, 'node_modules/serverless-offline/package.json');
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    if (version !== PINNED_VERSION) {
      this.fail(
        `serverless-offline ${version} is installed; the hook that makes it answer as API Gateway was written for ` +
          `${PINNED_VERSION} (see docs/local-vs-aws.md, the offline gateway). Check scripts/offline-gateway.ts against it, then update PINNED_VERSION.`,
      );
    }
    // The one patch (patches/): a body without Content-Type reaches the function without one.
    const event = path.join(serviceDir, 'node_modules/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEvent.js');
    if (fs.readFileSync(event, 'utf8').includes('headers["Content-Type"] = "application/json"')) {
      this.fail('patches/serverless-offline+14.8.2.patch is not applied (npm install runs patch-package)');
    }
    // The routes as serverless validates them for the template (the authorizers and preflights it
    // compiles), computed on a copy: validation rewrites the events serverless-offline reads.
    const apiGateway = this.serverless.pluginManager.plugins.find((plugin) => plugin.constructor?.name === 'AwsCompileApigEvents');
    if (!apiGateway) this.fail('serverless has no AwsCompileApigEvents plugin to read the routes from');
    const functions = service.functions;
    let validated;
    service.functions = structuredClone(functions);
    try {
      validated = apiGateway.validate();
    } finally {
      service.functions = functions;
    }
    const authorizers = {};
    // One AWS::ApiGateway::Authorizer per name, with the settings of its last event (as compiled).
    for (const { http } of validated.events) {
      const authorizer = http.authorizer;
      if (!authorizer || authorizer.managedExternally || !functions[authorizer.name]) continue;
      const identityHeaders = (authorizer.identitySource ?? '')
        .split(',')
        .map((source) => source.trim())
        .filter(Boolean)
        .map((source) => {
          const header = HEADER_SOURCE.exec(source)?.[1];
          if (!header) this.fail(`identity source ${source} is not a header`);
          return header.toLowerCase();
        });
      authorizers[authorizer.name] = {
        functionName: functions[authorizer.name].name,
        ttlSeconds: authorizer.resultTtlInSeconds,
        identityHeaders,
      };
    }
    const { buildGatewayResponses } = loadTypeScript(path.join(serviceDir, 'src/errors/gateway-responses.ts'));
    const { createOfflineGateway } = loadTypeScript(path.join(serviceDir, 'scripts/offline-gateway.ts'));
    const offline = service.custom['serverless-offline'] ?? {};
    const host = offline.host ?? 'localhost';
    this.gateway = createOfflineGateway({
      stage: this.serverless.getProvider('aws').getStage(),
      region: this.serverless.getProvider('aws').getRegion(),
      lambdaEndpoint: `http://${host.includes(':') ? `[${host}]` : host}:${offline.lambdaPort ?? 3002}`,
      gatewayResponses: service.custom.gatewayResponses ? buildGatewayResponses(service.custom.gatewayResponses) : {},
      authorizers,
      preflights: { ...validated.corsPreflight },
    });
    provider.use(this.gateway.provider);
    // The preflights and the functions' own headers are the whole of CORS, as on AWS: no route
    // gets hapi's CORS layer (which would echo any listed or unlisted origin).
    for (const fn of Object.values(functions)) for (const event of fn.events ?? []) if (event.http) delete event.http.cors;
    service.custom.offline = { ...service.custom.offline, customAuthenticationProvider: require.resolve('./offline-gateway-provider') };
  }

  check() {
    if (!this.gateway?.installed()) {
      this.fail(
        `serverless-offline did not call custom.offline.customAuthenticationProvider: its answers would not be API Gateway's. ` +
          'See docs/local-vs-aws.md (the offline gateway).',
      );
    }
  }
}

module.exports = OfflineGateway;
