/**
 * Before any test: the CLI tests and the worker threads run dist/'s bundles, not src/. When a file they were made
 * from has changed since (or they are missing), they are built again here (esbuild, about a second), so that
 * `npm test` never tests a stale build. A failed build fails the run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export default async function setup(): Promise<void> {
  const root = join(import.meta.dirname, '..');
  const { staleBundles } = (await import(pathToFileURL(join(root, 'scripts', 'bundle-inputs.mjs')).href)) as { staleBundles: (root: string) => Promise<string | undefined> };
  const why = await staleBundles(root);
  if (why === undefined) return;
  const started = performance.now();
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`dist/ is stale (${why}) and rebuilding it failed:\n${build.stderr}${build.stdout}`);
  process.stderr.write(`global setup: dist/ bundles rebuilt (${why}) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
