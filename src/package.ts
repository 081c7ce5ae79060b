import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The folder of fleetlint's own package.json. Found by walking up because this file runs both from
 * `src/` (tests) and from `dist/src/` (the built CLI), at different depths.
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isFleetlintManifest(manifest)) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`fleetlint: cannot find its package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isFleetlintManifest(path: string): boolean {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'fleetlint';
}

/** fleetlint's version, from its package.json. */
export function toolVersion(): string {
  const parsed = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return parsed.version ?? '0.0.0';
}

/** The committed artifacts of `npm run policies:build`. */
export function builtinPolicyPaths(): { bundle: string; metadata: string; capabilities: string } {
  const policies = join(packageRoot(), 'policies');
  return {
    bundle: join(policies, 'bundle.tar.gz'),
    metadata: join(policies, 'metadata.json'),
    capabilities: join(policies, 'wasm-capabilities.json'),
  };
}

/** The folder of the presets that ship with fleetlint (`extends: [homelab]`). */
export function builtinPresetsDir(): string {
  return join(packageRoot(), 'presets');
}
