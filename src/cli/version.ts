import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding fleetlint's package.json: found by walking up, so it works from src/ (tests) and dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('fleetlint package.json not found');
    dir = parent;
  }
  return dir;
}

export function toolVersion(): string {
  const packageJson = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return packageJson.version ?? '0.0.0';
}
