// The demo page's script, bundled into the page. page/index.html names its entry the way a browser
// would load it (`<script src="./src/main.ts"></script>`); every build of the page function puts the
// bundle there instead, inline: serverless-esbuild (`serverless package`, deploys) and
// plugins/offline-build.js (`npm start`) through this esbuild plugin, jest through
// tests/helpers/text-transform.js. So there is no generated file to keep in step and no step to
// remember: the page is made from page/src/ and client/src/ whenever the function is, and the CSP
// allows the one inline script by its hash (src/http/page.ts).
'use strict';

const esbuild = require('esbuild');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** The page itself: the one file this plugin changes. */
const PAGE = path.join(ROOT, 'page', 'index.html');
/** An entry the page names: a script of its own folder, in TypeScript. */
const ENTRY_TAG = /<script src="(\.\/[\w./-]+\.ts)"><\/script>/g;

/**
 * How the page's script is built: one classic script, every import in it (the client's WebAuthn
 * library too, which the client loads with import()), for the browsers of the last few years.
 * The page imports the client as an adopter does, `fresh-token-lambda/client`, from its sources.
 */
function scriptOptions(entry) {
  return {
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    logLevel: 'silent',
    tsconfig: path.join(ROOT, 'page', 'tsconfig.json'),
    alias: { 'fresh-token-lambda/client': path.join(ROOT, 'client', 'src', 'index.ts') },
  };
}

/** The script tag of one bundle. Throws if its text would end the tag early. */
function inlineTag(result, entry) {
  const code = result.outputFiles[0].text;
  if (/<\/script/i.test(code))
    throw new Error(`${path.relative(ROOT, entry)}: the bundle contains "</script", which would end the inline script`);
  return `<script>${code}</script>`;
}

/** The files a bundle was made from, absolute. */
const inputsOf = (result) => Object.keys(result.metafile.inputs).map((input) => path.resolve(ROOT, input));

/** The entries `html` (the page at `file`) names, absolute. */
const entriesOf = (html, file) =>
  [...html.matchAll(ENTRY_TAG)].map(([tag, src]) => ({ tag, entry: path.resolve(path.dirname(file), src) }));

/** `html` with each entry tag replaced by its bundle, inline; and every file the bundles were made from. */
async function inlinePageScripts(html, file) {
  const inputs = [];
  for (const { tag, entry } of entriesOf(html, file)) {
    const result = await esbuild.build(scriptOptions(entry));
    html = html.replace(tag, () => inlineTag(result, entry));
    inputs.push(...inputsOf(result));
  }
  return { html, inputs };
}

/** The same, synchronously (jest's transforms are synchronous). */
function inlinePageScriptsSync(html, file) {
  const inputs = [];
  for (const { tag, entry } of entriesOf(html, file)) {
    const result = esbuild.buildSync(scriptOptions(entry));
    html = html.replace(tag, () => inlineTag(result, entry));
    inputs.push(...inputsOf(result));
  }
  return { html, inputs };
}

/** The esbuild plugin: the page, imported as text by functions/page.ts, arrives with its script inline. */
const pageScript = {
  name: 'page-script',
  setup(build) {
    build.onLoad({ filter: /[\\/]page[\\/]index\.html$/ }, async (args) => {
      if (path.resolve(args.path) !== PAGE) return undefined;
      const { html, inputs } = await inlinePageScripts(await require('node:fs/promises').readFile(args.path, 'utf8'), args.path);
      return { contents: html, loader: 'text', watchFiles: inputs };
    });
  },
};

module.exports = { pageScript, inlinePageScripts, inlinePageScriptsSync, PAGE };
