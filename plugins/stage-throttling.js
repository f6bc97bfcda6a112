// Sets API Gateway stage and per-route throttling in the CloudFormation template itself.
// The usual plugin (serverless-api-gateway-throttling) calls provider.request(), which the
// login-free serverless distribution (osls 4) no longer has; this writes the same limits as
// StageDescription of the REST API's Deployment, so they ship with every deploy.
'use strict';

class StageThrottling {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.apply() };
  }

  apply() {
    const settings = this.serverless.service.custom?.stageThrottling;
    if (!settings) return;
    const number = (value, name) => {
      const parsed = Number(value);
      if (!Number.isFinite(parsed) || parsed < 0)
        throw new Error(`custom.stageThrottling: ${name} must be a non-negative number, got "${value}"`);
      return parsed;
    };
    const methodSettings = Object.entries(settings.routes ?? {}).map(([route, limits]) => {
      const [method, path] = route.split(' ');
      return {
        HttpMethod: method,
        // API Gateway names /a/b as "/~1a~1b": a leading slash, then the path with "/" escaped as ~1.
        ResourcePath: `/${`/${path}`.replace(/\//g, '~1')}`,
        ThrottlingRateLimit: number(limits.rateLimit, `${route} rateLimit`),
        ThrottlingBurstLimit: number(limits.burstLimit, `${route} burstLimit`),
      };
    });
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::ApiGateway::Deployment') continue;
      resource.Properties.StageDescription = {
        ...resource.Properties.StageDescription,
        ThrottlingRateLimit: number(settings.rateLimit, 'rateLimit'),
        ThrottlingBurstLimit: number(settings.burstLimit, 'burstLimit'),
        MethodSettings: methodSettings,
      };
    }
  }
}

module.exports = StageThrottling;
