// Jest's stand-in for esbuild's text loader: a file imported `with { type: 'text' }` is its text;
// the demo page with its script bundled in, as every build of the page function makes it
// (plugins/page-script.js). The cache key covers the bundle, so an edit of page/src/ or client/src/
// is seen.
'use strict';

const crypto = require('node:crypto');
const { inlinePageScriptsSync } = require('../../plugins/page-script.js');

/** The text a file stands for, made once per jest run and file content. */
const made = new Map();
function textOf(source, filename) {
  const key = `${filename}\0${source}`;
  if (!made.has(key)) made.set(key, inlinePageScriptsSync(source, filename).html);
  return made.get(key);
}

module.exports = {
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(filename).update('\0').update(textOf(source, filename)).digest('hex');
  },
  process(source, filename) {
    return { code: `module.exports = ${JSON.stringify(textOf(source, filename))};` };
  },
};
