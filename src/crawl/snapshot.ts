import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../write-atomic.js';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { isDockerfileName } from '../model/docker/load.js';
import type { Fleet, FleetSettings, Repo, RepoFile, RepoSpec } from '../model/types.js';
import { MemorySource } from '../sources/memory.js';

/**
 * A fleet snapshot: the bytes the model is built from, for every repo of a fleet, in one gzipped JSON file.
 * The nightly audit writes it (`fleetlint audit <root> --write-snapshot <file>`); `lint` and `mr` read it back
 * as one MemorySource per repo and run the same loaders over it, so the model is re-derived from the same
 * text and there is no second schema of facts to keep in step with the loaders.
 *
 * Only what the loaders and the render phase read is kept in full: YAML files (CI, Applications, Helm values,
 * manifests), JSON files (plain-directory manifests), Dockerfiles, every text file inside a chart or a
 * kustomization folder (helpers, files a template reads, generators' inputs), and the bytes of packaged chart
 * dependencies (`charts/*.tgz`, in `binary`). Every other file is kept by name only and reads back as an empty
 * file, so repo kinds, path checks and wildcard includes still see it. (Rules that read every file, such as
 * secret detection, find nothing in those; a snapshot's repos are never the one being linted.)
 */
export interface FleetSnapshot {
  version: typeof SNAPSHOT_VERSION;
  settings: FleetSettings;
  repos: SnapshotRepo[];
}

export interface SnapshotRepo {
  id: string;
  /** Repo-relative path → text, for the files the loaders read. */
  files: Record<string, string>;
  /** Every other file of the repo, by path only. */
  names: string[];
  /** Repo-relative path → base64, for binary files the render phase reads (packaged chart dependencies). */
  binary?: Record<string, string>;
}

// 2: chart and kustomization folders whole, JSON files, and packaged chart dependencies, for the render phase.
export const SNAPSHOT_VERSION = 2;

const YAML_FILE = /\.ya?ml$/i;
const RENDER_ROOT_FILE = /(?:^|\/)(?:Chart\.yaml|kustomization\.ya?ml|Kustomization)$/;
const CHART_ARCHIVE = /(?:^|\/)charts\/[^/]+\.tgz$/;

export function isSnapshotContent(path: string): boolean {
  return YAML_FILE.test(path) || path.endsWith('.json') || isDockerfileName(path);
}

/** Folders the render phase reads whole: those with a Chart.yaml or a kustomization file. */
function renderRoots(paths: readonly string[]): string[] {
  return paths.filter((path) => RENDER_ROOT_FILE.test(path)).map((path) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.'));
}

function isUnderAny(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => root === '.' || path.startsWith(`${root}/`));
}

/**
 * What a snapshot keeps of a file's text. Snapshots are downloaded by every merge-request job, so the caller hands
 * in the text with its secrets masked (run/outbound.ts maskedText); the crawl layer cannot see the detectors.
 */
export type SnapshotText = (repo: Repo, file: RepoFile) => Promise<string | undefined>;

/** The snapshot of a loaded fleet: every repo's kept texts and the names of its other files. */
export async function snapshotOf(fleet: Fleet, textOf: SnapshotText): Promise<FleetSnapshot> {
  const repos: SnapshotRepo[] = [];
  for (const repo of fleet.repos) {
    const files: Record<string, string> = {};
    const names: string[] = [];
    const roots = renderRoots(repo.files.map((file) => file.path));
    for (const file of repo.files) {
      const kept = file.text !== undefined && (isSnapshotContent(file.path) || isUnderAny(file.path, roots));
      const text = kept ? await textOf(repo, file) : undefined;
      if (text !== undefined) files[file.path] = text;
      else names.push(file.path);
    }
    // Packaged chart dependencies are read from each repo's source: the model keeps no bytes of binary files.
    const archives = repo.files.filter((file) => file.skipped === 'binary' && CHART_ARCHIVE.test(file.path));
    const binary: Record<string, string> = {};
    for (const file of archives) {
      const bytes = await repo.source.readFile(file.path).catch(() => undefined);
      if (bytes) binary[file.path] = bytes.toString('base64');
    }
    repos.push({ id: repo.id, files, names, ...(archives.length > 0 ? { binary } : {}) });
  }
  return { version: SNAPSHOT_VERSION, settings: fleet.settings, repos };
}

export async function writeSnapshot(path: string, fleet: Fleet, textOf: SnapshotText): Promise<void> {
  const snapshot = await snapshotOf(fleet, textOf);
  // No timestamps inside: the same fleet gives the same bytes (gzip's header carries no mtime from Node).
  await writeFileAtomic(path, await promisify(gzip)(JSON.stringify(snapshot)));
}

export class SnapshotError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`fleet snapshot ${file} ${reason}`);
    this.name = 'SnapshotError';
  }
}

/** Reads a snapshot back: the fleet's settings and one in-memory source per repo, ready for loadFleet. */
export async function readSnapshot(path: string): Promise<{ settings: FleetSettings; repos: RepoSpec[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SnapshotError(path, `cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? (await promisify(gunzip)(bytes)).toString('utf8') : bytes.toString('utf8');
    value = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(path, `is not gzipped JSON: ${(error as Error).message}`);
  }
  const snapshot = validate(path, value);
  return {
    settings: snapshot.settings,
    repos: snapshot.repos.map((repo) => {
      const files: Record<string, string | Buffer> = {};
      for (const name of repo.names) files[name] = '';
      Object.assign(files, repo.files);
      for (const [name, base64] of Object.entries(repo.binary ?? {})) files[name] = Buffer.from(base64, 'base64');
      return { id: repo.id, source: new MemorySource(files) };
    }),
  };
}

function validate(path: string, value: unknown): FleetSnapshot {
  if (!isRecord(value)) throw new SnapshotError(path, 'is not a JSON object');
  if (value.version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(path, `has version ${JSON.stringify(value.version)}; this fleetlint reads version ${SNAPSHOT_VERSION}: write it again with this version's audit --write-snapshot`);
  }
  const settings = value.settings;
  if (!isRecord(settings) || !Array.isArray(settings.registries) || !Array.isArray(settings.providers)) throw new SnapshotError(path, 'has no valid settings');
  if (!Array.isArray(value.repos)) throw new SnapshotError(path, 'has no repos list');
  value.repos.forEach((repo: unknown, index) => {
    const ok =
      isRecord(repo) &&
      typeof repo.id === 'string' &&
      isRecord(repo.files) &&
      Object.values(repo.files).every((text) => typeof text === 'string') &&
      Array.isArray(repo.names) &&
      repo.names.every((name) => typeof name === 'string') &&
      (repo.binary === undefined || (isRecord(repo.binary) && Object.values(repo.binary).every((bytes) => typeof bytes === 'string')));
    if (!ok) throw new SnapshotError(path, `repos[${index}] is not {id, files, names, binary?}`);
  });
  return value as unknown as FleetSnapshot;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
