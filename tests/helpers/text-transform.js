// Jest's stand-in for esbuild's text loader: a file imported `with { type: 'text' }` is its text.
'use strict';

module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
