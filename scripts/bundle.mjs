// Bundles the CLI into one ES module, dist/fleetlint.mjs. The pre-commit hook starts a process per commit, and
// resolving and compiling some 400 separate modules at start-up cost it about 200 ms; one file costs a fraction.
// The type-checked build (tsc to dist/src) stays for the scripts that import single modules.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The yaml parser reads process.env.LOG_TOKENS for every token it parses (a debugging switch), and each read of
// process.env is a call into node: about a tenth of all parsing time here. The bundle reads it as false.
const yamlDebugSwitches = {
  name: 'yaml-debug-switches',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]node_modules[\\/]yaml[\\/]dist[\\/](parse[\\/]parser|compose[\\/]composer)\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const contents = source.replace(/node_process\.env\.LOG_(TOKENS|STREAM)/g, 'false');
      if (contents === source) throw new Error(`${path}: no process.env.LOG_TOKENS/LOG_STREAM read found; check the yaml-debug-switches plugin against this yaml version`);
      return { contents, loader: 'js' };
    });
  },
};

const bundle = (entry, outfile) => build({
  entryPoints: [join(root, entry)],
  outfile: join(root, outfile),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [yamlDebugSwitches],
  // Bundled CommonJS dependencies call require(); an ES module has none, so give it one.
  banner: { js: "import { createRequire as __fleetlintRequire } from 'node:module'; const require = __fleetlintRequire(import.meta.url);" },
});
await bundle('src/cli/main.ts', 'dist/fleetlint.mjs');
// The worker threads that parse and build repos in large audits (src/model/build-in-threads.ts).
await bundle('src/model/build-worker.ts', 'dist/build-worker.mjs');
// The threads that evaluate repo-scope policies ahead of the runner (src/engine/wasm/policy-thread.ts).
await bundle('src/engine/wasm/policy-worker.ts', 'dist/policy-worker.mjs');
