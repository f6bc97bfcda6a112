// Refuses `serverless deploy --stage local` before anything reaches AWS. The local stage exists for
// npm start and the tests: its functions carry key material as plain values, the public
// development secret by default, so a deployed copy would accept tokens anyone can sign.
// `serverless package --stage local` stays allowed (the benchmark and tooling build from it).
'use strict';

const LOCAL_STAGE = 'local';

class DeployGuard {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = { initialize: () => this.refuseLocalDeploy() };
  }

  refuseLocalDeploy() {
    const [command] = this.serverless.processedInput?.commands ?? [];
    const stage = this.options.stage ?? this.serverless.service.provider.stage;
    if (command !== 'deploy' || stage !== LOCAL_STAGE) return;
    throw new this.serverless.classes.Error(
      'Refusing to deploy the "local" stage: it is for npm start and the tests, and its functions carry ' +
        'the public development secret, so anyone could sign tokens for it. Deploy a real stage ' +
        '(serverless deploy --stage prod, or no --stage for "dev"), with its keys in SSM. Nothing was sent to AWS.',
    );
  }
}

module.exports = DeployGuard;
