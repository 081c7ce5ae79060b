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

interface Manifest {
  version?: string;
  homepage?: string;
}

let cachedManifest: Manifest | undefined;

function manifest(): Manifest {
  return (cachedManifest ??= JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as Manifest);
}

/** fleetlint's version, from its package.json. */
export function toolVersion(): string {
  return manifest().version ?? '0.0.0';
}

/**
 * Where fleetlint's own files are published at this version, with a trailing slash: its repository (package.json
 * `homepage`, a GitLab project) at the release tag `v<version>`, which the README's release steps create. Rule
 * docs are `docs/rules/<id>.md` under it, the config schema `schemas/config.schema.json`.
 */
export function publishedFilesUrl(kind: 'blob' | 'raw' = 'blob'): string {
  const home = (manifest().homepage ?? '').replace(/\/+$/, '');
  return `${home}/-/${kind}/v${toolVersion()}/`;
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
