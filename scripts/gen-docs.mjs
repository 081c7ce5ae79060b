// Writes docs/rules/*.md, docs/rules/README.md and schemas/config.schema.json from the rules' metadata.
// Runs on the built code: `npm run docs` builds first.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDocs } from '../dist/src/docs/render.js';
import { builtinRuleMetas } from '../dist/src/run/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = renderDocs(builtinRuleMetas());
for (const [path, text] of files) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}
console.log(`gen-docs: wrote ${files.size} files`);
