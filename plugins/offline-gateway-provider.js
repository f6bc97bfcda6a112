// The module serverless-offline loads by path as custom.offline.customAuthenticationProvider (it
// calls the export once per route). plugins/offline-gateway.js gives it the gateway of this run
// (scripts/offline-gateway.ts); the two share this module instance.
'use strict';

let current;

function provider(endpoint, functionKey, method, path) {
  if (!current) throw new Error('plugins/offline-gateway.js did not configure the offline gateway');
  return current(endpoint, functionKey, method, path);
}

provider.use = (next) => {
  current = next;
};

module.exports = provider;
