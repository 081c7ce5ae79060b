// Bundles the CLI into one CommonJS file, dist/fleetlint.cjs. The pre-commit hook starts a process per commit, and
// resolving and compiling some 400 separate modules at start-up cost it about 200 ms; one file costs a fraction.
// It is CommonJS so that bin/fleetlint.js can run it as a vm.Script with V8's code cache (ES modules have no
// cache API in node 20). The worker threads' entries stay ES modules. The type-checked build (tsc to dist/src)
// stays for the scripts that import single modules.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { writeBundleInputs } from './bundle-inputs.mjs';
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

// A few dependencies load node builtins with `await import('node:...')`. A vm.Script cannot run a dynamic import
// without an experimental flag, so in the CommonJS bundle they become requires (the builtin is there either way).
const builtinDynamicImports = {
  name: 'builtin-dynamic-imports',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes('import(')) return undefined;
      const contents = source.replace(/\bimport\((['"])(node:[\w/]+)\1\)/g, 'Promise.resolve(require($1$2$1))');
      return contents === source ? undefined : { contents, loader: 'js' };
    });
  },
};

// The metafile lists every file a bundle was made from: test/global-setup.ts rebuilds when one has changed.
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', metafile: true };

const cliBuild = await build({
  ...common,
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(root, 'dist/fleetlint.cjs'),
  format: 'cjs',
  plugins: [yamlDebugSwitches, builtinDynamicImports],
  // import.meta.url (the package root is found from it) as CommonJS has it.
  define: { 'import.meta.url': '__fleetlintModuleUrl' },
  banner: { js: "const __fleetlintModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const cli = await readFile(join(root, 'dist/fleetlint.cjs'), 'utf8');
const dynamicImport = /[^\w.$]import\(/.exec(cli);
if (dynamicImport) throw new Error(`dist/fleetlint.cjs still has a dynamic import, which its vm.Script cannot run: ...${cli.slice(dynamicImport.index - 80, dynamicImport.index + 60)}...`);

const workerBundle = (entry, outfile) => build({
  ...common,
  entryPoints: [join(root, entry)],
  outfile: join(root, outfile),
  format: 'esm',
  plugins: [yamlDebugSwitches],
  // Bundled CommonJS dependencies call require(); an ES module has none, so give it one.
  banner: { js: "import { createRequire as __fleetlintRequire } from 'node:module'; const require = __fleetlintRequire(import.meta.url);" },
});
// The worker threads that parse and build repos in large audits (src/run/build-in-threads.ts).
const buildWorker = await workerBundle('src/run/build-worker.ts', 'dist/build-worker.mjs');
// The threads that evaluate repo-scope policies ahead of the runner (src/engine/wasm/policy-thread.ts).
const policyWorker = await workerBundle('src/engine/wasm/policy-worker.ts', 'dist/policy-worker.mjs');
await writeBundleInputs(root, [cliBuild, buildWorker, policyWorker].flatMap((result) => Object.keys(result.metafile.inputs)));
