// npm's `prepare`: builds dist/ (npm run build) after `npm install` in a clone, before `npm pack`, and when fleetlint
// is installed from its git repository (`npm install -g git+https://…`, the pre-commit framework's `language: node`).
//
// For a git install npm clones the repository and runs `npm install` in the clone, which is meant to install the
// devDependencies the build needs. Under a global install it does not (npm/cli#8440): the inner `npm install`
// inherits `npm_config_global=true` and installs the clone into the global prefix instead of installing its
// dependencies into the clone, so `tsc` is not found. When the build tools are missing, this installs the locked
// dependencies into the package folder itself, as a local install, and then builds.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_TOOLS = ['typescript', 'esbuild'];

function resolvable(name) {
  try {
    createRequire(join(root, 'package.json')).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** Runs the npm that runs this script (npm sets npm_execpath for its scripts), with this node. */
function npm(args) {
  const npmCli = process.env.npm_execpath;
  if (!npmCli) throw new Error('scripts/prepare.mjs is npm\'s prepare script: run it with `npm run prepare`');
  const run = spawnSync(process.execPath, [npmCli, ...args], { cwd: root, stdio: 'inherit' });
  if (run.error) throw run.error;
  if (run.status !== 0) process.exit(run.status ?? 1);
}

const missing = BUILD_TOOLS.filter((name) => !resolvable(name));
if (missing.length > 0) {
  console.error(`fleetlint prepare: ${missing.join(' and ')} not installed in ${root}; installing the locked dependencies to build dist/`);
  // Explicit flags override what the outer npm passes down in npm_config_* (global, prefix, omit). Scripts stay off:
  // they would run this prepare again, and no dependency the build uses needs its install script.
  npm(['install', '--global=false', '--location=project', `--prefix=${root}`, '--include=dev', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund']);
}
npm(['run', 'build']);
