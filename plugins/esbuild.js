// serverless-esbuild for every command but `serverless offline`, which plugins/offline-build.js
// builds for in one pass. Loading serverless-esbuild's modules alone takes about 1.2 s, a quarter
// of `npm start`, and offline would only tell it to skip every function.
'use strict';

class SkippedForOffline {
  constructor() {
    this.hooks = {};
  }
}

/** The plugin serverless loads in its place: serverless-esbuild itself unless the command is `offline`. */
function Esbuild(serverless, options, utils) {
  if (serverless.processedInput?.commands?.[0] === 'offline') return new SkippedForOffline();
  const ServerlessEsbuild = require('serverless-esbuild');
  return new ServerlessEsbuild(serverless, options, utils);
}

module.exports = Esbuild;
