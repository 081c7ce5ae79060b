#!/usr/bin/env node
// Thin entry: runs the bundled CLI (dist/fleetlint.cjs, see scripts/bundle.mjs) with V8's code cache.
//
// Compiling the 1.8 MB bundle and the functions a run calls is about 60 ms of every start, a quarter of a
// pre-commit run. V8 can save the compiled code of a script and use it again in the next process; node 20 offers
// that for a vm.Script, so the bundle runs as one. The cache is written after the first run of each command, to
// $FLEETLINT_CACHE_DIR or ~/.cache/fleetlint, and V8 itself rejects a cache from another node or another bundle
// (then it is written again). Nothing here is needed for correctness: when the cache cannot be read or written the
// CLI runs the same, only slower. FLEETLINT_NO_CODE_CACHE=1 turns it off.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'fleetlint.cjs');
const args = process.argv.slice(2);
if (!existsSync(bundle)) {
  console.error(`fleetlint: ${bundle} is missing: run \`npm run build\` (npm install runs it)`);
  process.exit(3);
}

/** The cache file for this command, node and bundle; undefined when caching is off. */
function cacheFile() {
  if (process.env.FLEETLINT_NO_CODE_CACHE) return undefined;
  // One cache per command: each compiles a different part of the bundle.
  const command = ['audit', 'lint', 'mr', 'merge', 'hook'].includes(args[0]) ? args[0] : 'other';
  const { size, mtimeMs } = statSync(bundle);
  const dir = process.env.FLEETLINT_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fleetlint');
  return join(dir, `${command}-node${process.version}-${process.arch}-${size}-${Math.floor(mtimeMs)}.v8cache`);
}

function readCache(file) {
  try {
    return file ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file, script) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed, so that a process starting meanwhile never reads half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, file);
  } catch {
    // A read-only home or a full disk: the next run compiles again.
  }
}

const file = cacheFile();
const cachedData = readCache(file);
const source = readFileSync(bundle, 'utf8');
const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
const cli = { exports: {} };
script.runInThisContext()(cli.exports, createRequire(bundle), cli, bundle, dirname(bundle));

process.exitCode = await cli.exports.main(args);
// After the run, so that the cache holds the code of every function it compiled.
if (file && (!cachedData || script.cachedDataRejected)) writeCache(file, script);
