// Writes the REST API's Gateway Responses (API Gateway's own answers: 401 from an authorizer,
// 404 for an unknown route, 429 when throttled, 500 for a broken authorizer, ...) into the
// CloudFormation template, generated from the error table (src/errors/gateway-responses.ts), so one
// table decides what a client sees. Each is also put in the Deployment's DependsOn: API Gateway
// serves a changed Gateway Response only after a new deployment, which must come after it.
'use strict';

const path = require('node:path');
const { loadTypeScript } = require('./load-typescript');

class GatewayResponses {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.apply() };
  }

  apply() {
    const settings = this.serverless.service.custom?.gatewayResponses;
    if (!settings) return;
    const { buildGatewayResponses } = loadTypeScript(path.join(this.serverless.serviceDir, 'src/errors/gateway-responses.ts'));
    let responses;
    try {
      responses = buildGatewayResponses(settings);
    } catch (err) {
      throw new this.serverless.classes.Error(`custom.gatewayResponses: ${err.message}`);
    }
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const [logicalId, properties] of Object.entries(responses)) {
      resources[logicalId] = {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: { RestApiId: { Ref: 'ApiGatewayRestApi' }, ...properties },
      };
    }
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::ApiGateway::Deployment') continue;
      const dependsOn = [resource.DependsOn ?? []].flat();
      resource.DependsOn = [...new Set([...dependsOn, ...Object.keys(responses)])];
    }
  }
}

module.exports = GatewayResponses;
