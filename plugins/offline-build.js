// `serverless offline` builds every function in one esbuild pass with the options of
// custom.esbuild (the ones deploys use), into .build/offline/<hash of the inputs>/, and reuses that
// build while the sources, the lock file and the options stay the same. serverless-esbuild would
// build each function on its own at every start; here it is told to skip them (its documented
// per-function `skipEsbuild`) and serverless-offline loads the shared build (its `location`).
// Packaging for AWS is untouched: only the offline command's hooks are used.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

/** custom.esbuild keys that are serverless-esbuild's own, not esbuild options (its list, in bundle.js). */
const PLUGIN_KEYS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'plugins',
];

/**
 * Folders whose files can change a bundle, besides the lock file (page/ and client/: the demo page
 * and its script, bundled into the page function; plugins/: the esbuild plugins).
 */
const SOURCE_DIRS = ['functions', 'authorizers', 'src', 'page', 'client/src', 'plugins'];

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/** A hash of everything a bundle is made from: sources, lock file, entry points, build options. */
function inputsHash(root, entries, options) {
  const hash = crypto.createHash('sha256');
  hash.update(JSON.stringify({ entries, options, esbuild: esbuild.version }));
  const files = [...SOURCE_DIRS.flatMap((dir) => listFiles(path.join(root, dir))), path.join(root, 'package-lock.json')].sort();
  for (const file of files) {
    hash.update(path.relative(root, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

class OfflineBuild {
  constructor(serverless, _options, { log }) {
    this.serverless = serverless;
    this.log = log;
    // serverless-esbuild is not loaded for offline (plugins/esbuild.js); should it be, `skipEsbuild` below keeps it out.
    this.hooks = { 'before:offline:start:init': () => this.build(), 'before:offline:start': () => this.build() };
  }

  async build() {
    if (this.built) return;
    this.built = true;
    const { service, serviceDir: root } = this.serverless;
    const { outputFileExtension = '.js', ...custom } = service.custom.esbuild ?? {};
    const options = Object.fromEntries(Object.entries(custom).filter(([key]) => !PLUGIN_KEYS.includes(key)));
    // serverless-esbuild's `plugins` (a file exporting esbuild plugins): the same ones here.
    const plugins = custom.plugins ? require(path.resolve(root, custom.plugins)) : [];
    // One entry per handler file: functions/login.handler → functions/login.ts.
    const entries = {};
    for (const fn of Object.values(service.functions)) {
      const file = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
      entries[file] = `${file}.ts`;
    }
    const hash = inputsHash(root, entries, { ...options, outputFileExtension });
    const location = path.join('.build', 'offline', hash);
    const outdir = path.join(root, location);
    const started = Date.now();
    if (fs.existsSync(path.join(outdir, '.complete'))) {
      this.log.notice(`Functions unchanged: reusing the build in ${location}/`);
    } else {
      // Built beside, then renamed: a second server starting at once never loads half a build.
      const temporary = `${outdir}.${process.pid}.tmp`;
      await esbuild.build({
        ...options,
        plugins,
        absWorkingDir: root,
        entryPoints: entries,
        outdir: temporary,
        outExtension: { '.js': outputFileExtension },
        logLevel: 'warning',
      });
      fs.writeFileSync(path.join(temporary, '.complete'), '');
      try {
        fs.renameSync(temporary, outdir);
      } catch (err) {
        // Another server built the same inputs first: keep its build.
        fs.rmSync(temporary, { recursive: true, force: true });
        if (!fs.existsSync(path.join(outdir, '.complete'))) throw err;
      }
      this.log.notice(`Built ${Object.keys(entries).length} functions in one pass (${Date.now() - started} ms) into ${location}/`);
      pruneOldBuilds(path.dirname(outdir), hash);
    }
    for (const fn of Object.values(service.functions)) fn.skipEsbuild = true;
    service.custom['serverless-offline'] = { ...service.custom['serverless-offline'], location };
  }
}

/** Keeps the few newest builds, so a long day of edits does not fill the disk. */
function pruneOldBuilds(dir, keep) {
  const builds = fs
    .readdirSync(dir)
    .filter((name) => /^[0-9a-f]{16}$/.test(name) && name !== keep)
    .map((name) => ({ name, time: fs.statSync(path.join(dir, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const { name } of builds.slice(4)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}

module.exports = OfflineBuild;
