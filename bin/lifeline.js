#!/usr/bin/env node
// The `lifeline` command. `npm run build` (run by `npm ci` through `prepare`) bundles the CLI into
// dist/cli as CommonJS files (src/tools/bundle-cli.ts says why). This file is CommonJS too
// (bin/package.json), so that no ES module loader starts before a command needs one, and it loads
// the bundle's files itself, as require() would, but each with V8's code cache of it (dist/cli/
// FILE.cache, which the build writes from runs of a few commands): their code is then not compiled
// anew on every start. A cache that is missing, or that V8 refuses (another Node), only costs that.
'use strict';
const { existsSync, readFileSync, realpathSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const Module = require('node:module');
const { Script, constants } = require('node:vm');

const BUNDLE = realpathSync(join(__dirname, '..', 'dist', 'cli'));
/** The build's runs: at exit, write the code cache of every file loaded that has none yet. */
const writeCaches = process.env.LIFELINE_WRITE_CODE_CACHE === '1' ? new Map() : null;

/** Loads a file of the bundle (dist/cli/NAME.cjs), once, into require's cache as require() would. */
function load(file) {
  const loaded = require.cache[file];
  if (loaded) return loaded.exports;
  const module = new Module(file, null);
  module.filename = file;
  require.cache[file] = module;
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
    { filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER },
  );
  writeCaches?.set(file, script);
  const requireOutside = Module.createRequire(file);
  // The bundle's files require each other as "./NAME.cjs"; anything else is Node's to find.
  const requireHere = (id) =>
    /^\.\/[\w.-]+\.cjs$/.test(id) ? load(join(BUNDLE, id.slice(2))) : requireOutside(id);
  script.runInThisContext()(module.exports, requireHere, module, file, BUNDLE);
  module.loaded = true;
  return module.exports;
}

if (writeCaches) {
  process.once('exit', () => {
    for (const [file, script] of writeCaches)
      if (!existsSync(`${file}.cache`)) writeFileSync(`${file}.cache`, script.createCachedData());
  });
}
load(join(BUNDLE, 'main.cjs'));
