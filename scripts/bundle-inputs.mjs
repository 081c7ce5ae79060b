// Whether dist/'s bundles (scripts/bundle.mjs) were made from the sources as they are now. The CLI tests and the
// worker threads run the bundles, not src/: a test run on a stale bundle would test code that is no longer there.
// The bundle records the hash of every file it was made from (esbuild's metafile: src/, rules/, the dependencies
// in node_modules) and of this recipe; a changed, added or removed import changes a file already listed.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const RECORD = 'dist/bundle-inputs.json';
/** Not in any metafile, but they decide what the bundles are. */
const RECIPE = ['scripts/bundle.mjs', 'scripts/bundle-inputs.mjs'];
/** The bundles the tests and the CLI run. */
export const BUNDLES = ['dist/fleetlint.cjs', 'dist/build-worker.mjs', 'dist/policy-worker.mjs'];

async function hashOf(root, inputs) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    const bytes = await readFile(join(root, input)).catch(() => Buffer.from('(missing)'));
    hash.update(`${input}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

export async function writeBundleInputs(root, metafileInputs) {
  const inputs = [...new Set([...metafileInputs, ...RECIPE])].sort();
  await writeFile(join(root, RECORD), `${JSON.stringify({ hash: await hashOf(root, inputs), inputs }, null, 1)}\n`);
}

/** Undefined when the bundles are current, else why not. */
export async function staleBundles(root) {
  let record;
  try {
    record = JSON.parse(await readFile(join(root, RECORD), 'utf8'));
  } catch {
    return `${RECORD} is missing`;
  }
  for (const bundle of BUNDLES) {
    const exists = await readFile(join(root, bundle)).then(() => true, () => false);
    if (!exists) return `${bundle} is missing`;
  }
  return (await hashOf(root, record.inputs)) === record.hash ? undefined : 'a file they were made from has changed';
}
