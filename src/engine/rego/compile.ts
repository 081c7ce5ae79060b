import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { builtinPolicyPaths } from '../../package.js';
import { OpaCommandError, runOpa, type OpaCli } from './opa.js';

/** A Rego file of a policies folder: its path relative to the folder (POSIX) and its text. */
export interface RegoSource {
  path: string;
  text: string;
}

export class PolicyCompileError extends Error {
  constructor(
    /** The policies folder or file that failed. */
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = 'PolicyCompileError';
  }
}

/** The `.rego` files of a folder, sorted: no `*_test.rego`, nothing under `_*` or `.*` folders. */
export async function listRegoSources(dir: string, prefix = ''): Promise<RegoSource[]> {
  const sources: RegoSource[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('_') && !entry.name.startsWith('.')) sources.push(...(await listRegoSources(dir, rel)));
    } else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
      sources.push({ path: rel, text: await readFile(join(dir, rel), 'utf8') });
    }
  }
  return sources.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function defaultCacheDir(): string {
  return resolve('.fleetlint-cache');
}

/** Writes sources into a fresh temp folder, the only thing opa gets to see (no stray JSON loaded as data). */
export async function stageSources(sources: readonly RegoSource[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetlint-rego-'));
  for (const source of sources) {
    await mkdir(dirname(join(dir, source.path)), { recursive: true });
    await writeFile(join(dir, source.path), source.text);
  }
  return dir;
}

/**
 * `opa build -t wasm` of a staged folder against the WASM capabilities, so that a builtin the JS runtime
 * lacks (http.send, time.now_ns, ...) fails here with opa's own message instead of at evaluation.
 */
export async function buildWasm(opa: OpaCli, stageDir: string, entrypoints: readonly string[], outFile: string, source: string): Promise<void> {
  // `-b` honours a staged .manifest, which is how per-file Rego versions (v0 conftest policies) are declared.
  const bundleMode = existsSync(join(stageDir, '.manifest')) ? ['-b'] : [];
  const args = ['build', ...bundleMode, '-t', 'wasm', '--capabilities', builtinPolicyPaths().capabilities, ...entrypoints.flatMap((e) => ['-e', e]), '-o', outFile, '.'];
  try {
    await runOpa(opa, args, stageDir);
  } catch (error) {
    if (!(error instanceof OpaCommandError)) throw error;
    const hint = /undefined function/.test(error.output)
      ? '\nfleetlint evaluates policies as WebAssembly: only the builtins listed in policies/wasm-capabilities.json are available.'
      : '';
    throw new PolicyCompileError(source, `opa build failed:\n${error.output}${hint}`);
  }
}

/**
 * Builds into `<cacheDir>/policies/<hash>/` unless that folder exists; `key` must capture every input
 * (sources, opa version, capabilities, entrypoints). `meta` is what the build learned (entrypoints, metadata),
 * kept as meta.json so that a cache hit spawns no opa at all.
 */
export async function cachedBuild<T>(options: {
  cacheDir: string;
  key: unknown;
  produce: (outDir: string) => Promise<T>;
  validate: (meta: unknown) => T;
}): Promise<{ dir: string; meta: T; cached: boolean }> {
  const capabilities = createHash('sha256').update(readFileSync(builtinPolicyPaths().capabilities)).digest('hex');
  const hash = createHash('sha256')
    .update(JSON.stringify({ format: 1, capabilities, key: options.key }))
    .digest('hex')
    .slice(0, 32);
  const root = join(options.cacheDir, 'policies');
  const dir = join(root, hash);
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile)) {
    try {
      return { dir, meta: options.validate(JSON.parse(await readFile(metaFile, 'utf8'))), cached: true };
    } catch {
      await rm(dir, { recursive: true, force: true }); // a damaged entry is rebuilt
    }
  }
  // Build next to the final folder and rename: concurrent runs never see a half-written entry.
  const temp = join(root, `.tmp-${randomUUID()}`);
  await mkdir(temp, { recursive: true });
  try {
    const meta = await options.produce(temp);
    await writeFile(join(temp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    try {
      await rename(temp, dir);
    } catch (error) {
      if (!existsSync(metaFile)) throw error; // else another run won the race with the same content
    }
    return { dir, meta, cached: false };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

export function sourcesKey(sources: readonly RegoSource[]): [string, string][] {
  return sources.map((s) => [s.path, createHash('sha256').update(s.text).digest('hex')]);
}
