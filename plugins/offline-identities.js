// `serverless offline` with OFFLINE_FUNCTION_IDENTITIES=true: each function signs its AWS calls
// with an access key id of its own, its name in serverless.yml (`login`, `fresh-only`), as each has
// a role of its own on AWS. The local database and SSM stand-ins accept any signature, so this
// changes nothing they answer; it lets the IAM test (tests/template/iam-traffic.test.ts) tell
// which function made each call and judge it against that function's role. Off by default, so a
// shell's own credentials still reach the functions as serverless-offline passes them.
'use strict';

class OfflineIdentities {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:offline:start:init': () => this.apply(), 'before:offline:start': () => this.apply() };
  }

  apply() {
    if (process.env.OFFLINE_FUNCTION_IDENTITIES !== 'true') return;
    for (const [name, fn] of Object.entries(this.serverless.service.functions)) {
      fn.environment = { ...fn.environment, AWS_ACCESS_KEY_ID: name, AWS_SECRET_ACCESS_KEY: 'offline', AWS_SESSION_TOKEN: '' };
    }
  }
}

module.exports = OfflineIdentities;
