// Loads a TypeScript module of the product at package time (esbuild turns it into CommonJS in
// memory), so the plugins use the product's own rules instead of copies of them.
//
// Every serverless command loads five or six of these (each an esbuild run, about 40 ms); the
// output is kept in .build/typescript/ with the hash of every file it was made from, and reused
// while none of them changed: a command starts about 0.2 s sooner (npm start, and each local stack
// the tests start). Within one process a module is loaded once.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const CACHE_DIR = path.join(__dirname, '..', '.build', 'typescript');
const loaded = new Map();

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The hash of each input file, or undefined when one is gone. */
function hashes(files) {
  const result = {};
  for (const file of files) {
    try {
      result[file] = sha256(fs.readFileSync(file));
    } catch {
      return undefined;
    }
  }
  return result;
}

/** The bundled CommonJS text of `file`: from the cache while its inputs are unchanged, else built (and cached). */
function compiled(file) {
  const cacheFile = path.join(CACHE_DIR, `${sha256(`${esbuild.version}\n${file}`).slice(0, 16)}.json`);
  try {
    const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    const now = hashes(Object.keys(cached.inputs));
    if (now !== undefined && Object.entries(cached.inputs).every(([input, hash]) => now[input] === hash)) return cached.code;
  } catch {
    // No cache yet, or an unreadable one: build.
  }
  const { outputFiles, metafile } = esbuild.buildSync({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    absWorkingDir: path.dirname(file),
    logLevel: 'silent',
  });
  const code = outputFiles[0].text;
  const inputs = hashes(Object.keys(metafile.inputs).map((input) => path.resolve(path.dirname(file), input)));
  if (inputs !== undefined) {
    try {
      // Written beside, then renamed: several commands start at once (the tests' stacks).
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, JSON.stringify({ inputs, code }));
      fs.renameSync(temporary, cacheFile);
    } catch {
      // A cache that cannot be written costs the next command a build, nothing else.
    }
  }
  return code;
}

function loadTypeScript(file) {
  if (!loaded.has(file)) {
    const module = { exports: {} };
    new Function('module', 'exports', 'require', compiled(file))(module, module.exports, require);
    loaded.set(file, module.exports);
  }
  return loaded.get(file);
}

module.exports = { loadTypeScript };
