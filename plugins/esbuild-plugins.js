// The esbuild plugins of every function build (custom.esbuild.plugins): serverless-esbuild's, for
// `serverless package` and deploys, and plugins/offline-build.js's, for `npm start`.
// esbuild-chunks.js names a function's split chunks after it; page-script.js bundles the demo
// page's script into the page.
'use strict';

const chunks = require('./esbuild-chunks.js');
const { pageScript } = require('./page-script.js');

module.exports = [...chunks, pageScript];
