// Opt-in AWS WAF (WAF=true at package time; WAFv2 bills per web ACL, rule and request): a REGIONAL
// web ACL on the API stage with
// - a rate-based rule per source IP on POST /login and POST /fresh-login (WAF_LOGIN_RATE requests
//   per 5 minutes), the per-address brake that API Gateway throttling (stage-wide) cannot give;
// - AWS's managed rule groups Common and KnownBadInputs.
// WAF_MODE=count only counts what it would block (to try it on live traffic first).
'use strict';

const MANAGED_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];

const byteMatch = (fieldToMatch, positionalConstraint, searchString) => ({
  ByteMatchStatement: {
    FieldToMatch: fieldToMatch,
    PositionalConstraint: positionalConstraint,
    SearchString: searchString,
    TextTransformations: [{ Priority: 0, Type: 'NONE' }],
  },
});
const visibility = (metricName) => ({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metricName });

class Waf {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.apply() };
  }

  fail(message) {
    throw new this.serverless.classes.Error(`custom.waf: ${message}`);
  }

  apply() {
    const settings = this.serverless.service.custom?.waf;
    if (!settings || String(settings.enabled) === 'false') return;
    if (String(settings.enabled) !== 'true') this.fail(`WAF must be true or false, got "${settings.enabled}"`);
    const mode = String(settings.mode);
    if (mode !== 'block' && mode !== 'count') this.fail(`WAF_MODE must be block or count, got "${mode}"`);
    const rate = Number(settings.loginRate);
    if (!Number.isInteger(rate) || rate < 10 || rate > 2_000_000_000)
      this.fail(`WAF_LOGIN_RATE must be a whole number from 10 to 2000000000, got "${settings.loginRate}"`);

    const aws = this.serverless.getProvider('aws');
    const name = `${this.serverless.service.service}-${aws.getStage()}`;
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    const deployment = Object.keys(resources).find((id) => resources[id].Type === 'AWS::ApiGateway::Deployment');
    if (!deployment) this.fail('no REST API in this service to protect');

    const loginPaths = settings.loginPaths.map((path) => byteMatch({ UriPath: {} }, 'ENDS_WITH', `/${path}`));
    resources.WebAcl = {
      Type: 'AWS::WAFv2::WebACL',
      Properties: {
        Name: name,
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: visibility(name),
        Rules: [
          {
            Name: 'LoginRatePerIp',
            Priority: 0,
            Action: mode === 'block' ? { Block: {} } : { Count: {} },
            Statement: {
              RateBasedStatement: {
                Limit: rate,
                EvaluationWindowSec: 300,
                AggregateKeyType: 'IP',
                ScopeDownStatement: {
                  AndStatement: {
                    Statements: [
                      byteMatch({ Method: {} }, 'EXACTLY', 'POST'),
                      loginPaths.length > 1 ? { OrStatement: { Statements: loginPaths } } : loginPaths[0],
                    ],
                  },
                },
              },
            },
            VisibilityConfig: visibility(`${name}-login-rate`),
          },
          ...MANAGED_RULE_GROUPS.map((group, index) => ({
            Name: group,
            Priority: index + 1,
            OverrideAction: mode === 'block' ? { None: {} } : { Count: {} },
            Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group } },
            VisibilityConfig: visibility(`${name}-${group}`),
          })),
        ],
      },
    };
    // The stage exists once the deployment does.
    resources.WebAclAssociation = {
      Type: 'AWS::WAFv2::WebACLAssociation',
      DependsOn: [deployment],
      Properties: {
        ResourceArn: {
          'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/restapis/\${ApiGatewayRestApi}/stages/${aws.getStage()}`,
        },
        WebACLArn: { 'Fn::GetAtt': ['WebAcl', 'Arn'] },
      },
    };
  }
}

module.exports = Waf;
