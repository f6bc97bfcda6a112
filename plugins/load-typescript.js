// Loads a TypeScript module of the product at package time (esbuild turns it into CommonJS in
// memory), so the plugins use the product's own rules instead of copies of them.
'use strict';

const { buildSync } = require('esbuild');

function loadTypeScript(file) {
  const [output] = buildSync({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  }).outputFiles;
  const module = { exports: {} };
  new Function('module', 'exports', 'require', output.text)(module, module.exports, require);
  return module.exports;
}

module.exports = { loadTypeScript };
