import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { packageRoot } from '../package.js';
import { runTool } from './run-tool.js';

/** `helm3`: a Helm 3 for kustomize's chart inflation (kustomize 5.7 runs `helm version -c`, which Helm 4 refuses). */
export type ToolName = 'helm' | 'kustomize' | 'helm3';

/** A renderer found on this machine. */
export interface RenderTool {
  name: ToolName;
  path: string;
  /** What the tool says its version is (`v4.3.2`, `v5.7.1`); part of every cache key. */
  version: string;
}

export interface ToolLookup {
  helm?: RenderTool;
  kustomize?: RenderTool;
  /** Only for `helmCharts` in kustomizations; `helm` itself when that is a Helm 3. */
  helm3?: RenderTool;
  /** Tools that could not be used, with the reason (not found, or an explicit path that does not run). */
  missing: { name: ToolName; reason: string }[];
}

export interface FindToolsOptions {
  /** Explicit binaries (`--helm`, `--kustomize`): used as given, never replaced by another. */
  helm?: string;
  kustomize?: string;
  helm3?: string;
  /** Whose PATH is searched; the process's by default. */
  env?: NodeJS.ProcessEnv;
  /** Also searched, after PATH: fleetlint's own `.tools/bin` (what `npm run tools` installs). */
  extraDirs?: readonly string[];
  /** Where versions are remembered by binary (path, size, mtime), so that a warm run starts no process to ask. */
  cacheDir?: string;
}

const VERSION_ARGS: Record<ToolName, string[]> = {
  helm: ['version', '--template', '{{.Version}}'],
  helm3: ['version', '--template', '{{.Version}}'],
  kustomize: ['version'],
};

/** The tools to render with: explicit paths, else PATH, else `.tools/bin`. */
export async function findTools(options: FindToolsOptions = {}): Promise<ToolLookup> {
  const env = options.env ?? process.env;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), ...(options.extraDirs ?? [join(packageRoot(), '.tools', 'bin')])];
  const versions = await VersionMemo.load(options.cacheDir);
  const lookup: ToolLookup = { missing: [] };
  for (const name of ['helm', 'kustomize', 'helm3'] as const) {
    const explicit = options[name];
    const path = explicit !== undefined ? resolve(explicit) : await firstExecutable(name, dirs);
    if (path === undefined) {
      if (name !== 'helm3') lookup.missing.push({ name, reason: `${name} is not on PATH` });
      continue;
    }
    const version = await versions.versionOf(name, path, env);
    if (typeof version !== 'string') {
      lookup.missing.push({ name, reason: `${path} does not run: ${version.error}` });
      continue;
    }
    lookup[name] = { name, path, version };
  }
  await versions.save();
  if (!lookup.helm3 && lookup.helm?.version.startsWith('v3.') === true) lookup.helm3 = lookup.helm;
  return lookup;
}

async function firstExecutable(name: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

interface MemoEntry {
  size: number;
  mtimeMs: number;
  version: string;
}

/** Tool versions by binary, in memory and in `<cacheDir>/tools.json`. */
class VersionMemo {
  static readonly #memory = new Map<string, MemoEntry>();
  #dirty = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Record<string, MemoEntry>,
  ) {}

  static async load(cacheDir: string | undefined): Promise<VersionMemo> {
    const file = cacheDir === undefined ? undefined : join(cacheDir, 'tools.json');
    let entries: Record<string, MemoEntry> = {};
    if (file !== undefined) {
      try {
        const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null) entries = parsed as Record<string, MemoEntry>;
      } catch {
        // No memo yet, or a damaged one: versions are asked again.
      }
    }
    return new VersionMemo(file, entries);
  }

  async versionOf(name: ToolName, path: string, env: NodeJS.ProcessEnv): Promise<string | { error: string }> {
    let info;
    try {
      info = await stat(path);
    } catch {
      return { error: 'no such file' };
    }
    const known = VersionMemo.#memory.get(path) ?? this.entries[path];
    if (known?.size === info.size && known.mtimeMs === info.mtimeMs && typeof known.version === 'string') return known.version;
    const run = await runTool(path, VERSION_ARGS[name], { cwd: dirname(path), env, timeoutMs: 20_000, maxOutputBytes: 1 << 16 });
    if (run.code !== 0) return { error: (run.spawnError ?? run.failure ?? `${run.stderr.trim()} (exit code ${String(run.code)})`).slice(0, 300) };
    const version = parseVersion(run.stdout);
    const entry = { size: info.size, mtimeMs: info.mtimeMs, version };
    VersionMemo.#memory.set(path, entry);
    this.entries[path] = entry;
    this.#dirty = true;
    return version;
  }

  async save(): Promise<void> {
    if (!this.#dirty || this.file === undefined) return;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${String(process.pid)}.tmp`;
      await writeFile(temp, JSON.stringify(this.entries));
      await rename(temp, this.file);
    } catch {
      // The memo only saves a process start next time.
    }
  }
}

/** `v4.3.2`, `v5.7.1`, or kustomize v4's `{Version:kustomize/v4.5.7 ...}` → `v4.5.7`. */
function parseVersion(output: string): string {
  const text = output.trim();
  const match = /v\d+(?:\.\d+)*(?:[-+][\w.-]+)?/.exec(text);
  return match ? match[0] : text.slice(0, 80);
}
