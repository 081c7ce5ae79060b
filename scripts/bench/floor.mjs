// The floors fleetlint is compared with, on the same files: list them (fast-glob), read every byte, and parse
// every YAML file with the `yaml` package on one core. Run as its own process so that nothing is warm.
// Usage: node scripts/bench/floor.mjs <fleet-root or repo folder>   (prints one JSON object)
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fg from 'fast-glob';
import { parse, parseAllDocuments } from 'yaml';

const root = process.argv[2];
// A folder without fleet.yaml is one repository (the pre-commit case).
const manifest = existsSync(join(root, 'fleet.yaml')) ? parse(await readFile(join(root, 'fleet.yaml'), 'utf8')) : { repos: ['.'] };
const repos = manifest.repos.map((entry) => (typeof entry === 'string' ? entry : entry.path));

let started = performance.now();
const files = [];
for (const repo of repos) {
  for (const path of await fg('**/*', { cwd: join(root, repo), dot: true, onlyFiles: true, ignore: ['**/.git/**'] })) files.push(join(root, repo, path));
}
const listMs = performance.now() - started;

started = performance.now();
const texts = new Array(files.length);
let next = 0;
let bytes = 0;
// 16 reads in flight, as fleetlint's reader does: enough to keep the thread pool busy.
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < files.length) {
      const index = next++;
      const buffer = await readFile(files[index]);
      bytes += buffer.length;
      texts[index] = buffer;
    }
  }),
);
const readMs = performance.now() - started;

started = performance.now();
let yamlFiles = 0;
let yamlBytes = 0;
let documents = 0;
for (let index = 0; index < files.length; index++) {
  if (!/\.ya?ml$/i.test(files[index])) continue;
  const text = texts[index].toString('utf8');
  yamlFiles++;
  yamlBytes += texts[index].length;
  documents += parseAllDocuments(text).length ?? 0;
}
const parseMs = performance.now() - started;

process.stdout.write(`${JSON.stringify({ repos: repos.length, files: files.length, bytes, yamlFiles, yamlBytes, documents, listMs, readMs, parseMs })}\n`);
