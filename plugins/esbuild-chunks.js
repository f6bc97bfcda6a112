// esbuild plugins for serverless-esbuild (custom.esbuild.plugins). With code splitting, a
// function's lazily loaded code (WebAuthn behind a passkey, the AWS SDK's credential providers)
// is written as chunk files beside its bundle. serverless-esbuild builds every function into one
// folder and zips, for each function, every file there except the other functions' bundles and
// files named after them (`functions/login.*`). So the chunks are named after their handler file:
// functions/login.chunks/…, which only the zips of the functions with that handler carry
// (tests/template/function-zips.test.ts reads the zips).
'use strict';

const path = require('node:path');

/** Names a build's chunks after its one entry point: `<handler file>.chunks/<name>-<hash>`. */
const chunksPerFunction = {
  name: 'chunks-per-function',
  setup(build) {
    const entries = build.initialOptions.entryPoints;
    const entry = Array.isArray(entries) && entries.length === 1 ? String(entries[0]) : undefined;
    if (entry === undefined) return;
    build.initialOptions.chunkNames = `${path.basename(entry, path.extname(entry))}.chunks/[name]-[hash]`;
  },
};

module.exports = [chunksPerFunction];
