#!/usr/bin/env node
// Generates a synthetic fleet in the seed's shape, with planted violations whose expected findings go to
// DIR/expected.json. Usage: npm run gen:fleet -- --repos N --out DIR [--seed S] [--plant-rate R]
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_PLANT_RATE, DEFAULT_SEED, generateFleet } from './gen-fleet/generate.mjs';

export function writeFleet(out, options) {
  const root = resolve(out);
  if (existsSync(root) && readdirSync(root).length > 0) {
    // Only a folder this script made is replaced: never wipe a folder that holds something else.
    if (!existsSync(join(root, 'expected.json'))) throw new Error(`${out} exists and is not a generated fleet (no expected.json); choose an empty folder`);
    rmSync(root, { recursive: true, force: true });
  }
  const { repos, fleetYaml, expected } = generateFleet(options);
  const made = new Set();
  for (const repo of repos) {
    for (const [path, text] of Object.entries(repo.files)) {
      const file = join(root, repo.id, path);
      const folder = dirname(file);
      if (!made.has(folder)) mkdirSync(folder, { recursive: true });
      made.add(folder);
      writeFileSync(file, text);
    }
  }
  writeFileSync(join(root, 'fleet.yaml'), fleetYaml);
  // The fleet has the seed's shape, so it follows the seed's conventions: its wave bands, providers and layouts.
  writeFileSync(join(root, 'fleetlint.config.yaml'), 'extends: [homelab]\n');
  writeFileSync(join(root, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
  return expected;
}

// Run as a script (npm run gen:fleet); the bench imports writeFleet instead.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { repos: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string', default: DEFAULT_SEED }, 'plant-rate': { type: 'string', default: String(DEFAULT_PLANT_RATE) } },
  });
  if (values.repos === undefined || values.out === undefined) {
    console.error('usage: npm run gen:fleet -- --repos N --out DIR [--seed S] [--plant-rate R]');
    process.exit(2);
  }
  const started = performance.now();
  const expected = writeFleet(values.out, { repos: Number(values.repos), seed: values.seed, plantRate: Number(values['plant-rate']) });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${values.out}: ${expected.repos} repos, ${expected.files} files, ${(expected.bytes / 1e6).toFixed(1)} MB, ${expected.findings} planted findings (${seconds} s)`);
}
