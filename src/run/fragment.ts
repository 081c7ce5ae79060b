/**
 * Model fragments: what one shard of a sharded audit hands to `fleetlint merge`.
 *
 * A fragment is gzipped JSON holding, for each repo of the shard's slice, every file exactly as the loaders read
 * it (text, or what made it skipped) and the reports of its repo-scope checks; plus the shard's crawl findings
 * (failed clones; skipped projects and fleet-level problems go with shard 1). The merge job rebuilds the whole
 * fleet from the files through the same loaders (so fleet-wide checks see exactly what a single run sees), runs
 * the fleet-wide checks once and replays the repo-scope reports (see repo-results.ts): fleetOfFragments.
 *
 * Unlike the lossy snapshot `lint`/`mr` read (src/crawl/snapshot.ts keeps only YAML and Dockerfiles), a fragment
 * keeps every file, because the merged run must equal a single full run. It is handed between CI jobs as an
 * artifact, so no secret is in it: the texts have their secrets masked by the detectors no-secrets reports with
 * (outbound.ts: the same length and structure, the values replaced), and the stored reports are redacted as the
 * runner redacts findings. The merge still equals a single run: the repo-scope results, no-secrets' among them,
 * are replayed rather than evaluated again on masked text (for a repo the shard could not evaluate whole, those
 * that read only its own files still travel); the fleet-wide checks read structure (Applications, waves, sources),
 * which masking keeps.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../write-atomic.js';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Shard } from '../crawl/shard.js';
import type { FindingDraft } from '../model/findings.js';
import type { Fleet, FleetSettings, Repo } from '../model/types.js';
import { FileReadError, type FileEntry, type FileSource } from '../sources/file-source.js';
import { SymlinkOutsideError } from '../sources/symlink.js';
import type { RepoCheckResults, RepoResults } from './repo-results.js';
import { loadFleet } from './load-fleet.js';
import { threadsFor } from './build-in-threads.js';
import type { OpenedFleet } from './open-fleet.js';
import type { ProviderRule } from '../model/dependencies/types.js';
import type { RepoWeb } from '../model/web-link.js';
import type { ScannerSetting } from '../model/gitlab-ci/scanners.js';
import { toolVersion } from '../package.js';
import { mapLimit } from '../concurrency.js';
import { maskedText, redactDeep, redactedResults } from './outbound.js';
import type { RenderSetting } from './render-phase.js';

export const FRAGMENT_FORMAT = 'fleetlint-fragment';
// 2: repo-scope reports name a fact in another repo by its origin; the runner places them at the include.
// 3: packaged chart dependencies (`charts/*.tgz`) keep their bytes, for the merge's render.
export const FRAGMENT_VERSION = 3;

export interface Fragment {
  format: typeof FRAGMENT_FORMAT;
  version: typeof FRAGMENT_VERSION;
  /** The fleetlint version that wrote it: fragments of different versions are not merged. */
  toolVersion: string;
  /** checksHash() of the shard's checks: the merge's must be the same. */
  checks: string;
  /** How the fleet was named (`gitlab.example.com/homelab`, or the local fleet root): for messages. */
  root: string;
  settings: FleetSettings;
  /** Null for a fragment of the whole fleet. */
  shard: Shard | null;
  /** Every repo id of the fleet as the shard saw it (for the merge's completeness check). */
  fleetRepos: string[];
  repos: FragmentRepo[];
  /** Crawl findings: failed clones of the slice's repos; skipped projects and fleet-level problems (shard 1). */
  diagnostics: FindingDraft[];
  /** Fleet repos the shard could not read, and whether each may hold content (a failure that may pass). */
  unavailable?: { id: string; transient: boolean }[];
  /** The tags of the template repos the slice includes, by repo id: the merge derives the scan templates. */
  tags?: Record<string, string[]>;
}

export interface FragmentRepo {
  id: string;
  /** The commit audited, for a clone. */
  head?: string;
  /** Where the repo is in GitLab (the audit report's links), when that is known. */
  web?: RepoWeb;
  /** What the source calls itself, for the message of a listing that failed. */
  source: string;
  /** Why the files could not be listed, when they could not. */
  listError?: string;
  files: FragmentFile[];
  /** The repo-scope checks' reports; absent when the shard could not see every repo they depend on. */
  checks?: RepoCheckResults;
}

export type FragmentFile =
  | { path: string; size: number; text: string }
  /** `base64` for what the merge's render reads: a chart's packaged dependencies (`charts/*.tgz`). */
  | { path: string; size: number; skipped: 'binary'; base64?: string }
  | { path: string; size: number; skipped: 'too-large' }
  | { path: string; size: number; skipped: 'invalid-utf8'; base64: string }
  | { path: string; size: number; skipped: 'unreadable' | 'outside-fleet'; reason: string };

/** A repo of a loaded fleet, as a fragment keeps it. Reads again only the rare file that is not valid UTF-8. */
export async function fragmentRepo(repo: Repo, head: string | undefined, checks: RepoCheckResults | undefined, web?: RepoWeb): Promise<FragmentRepo> {
  // The masked texts: what the merge rebuilds the fleet from, with no secret in it.
  const texts = await mapLimit(repo.files, 8, (file) => maskedText(repo, file));
  const reasons = new Map<string, string>();
  let listError: string | undefined;
  for (const diagnostic of repo.diagnostics) {
    if (diagnostic.ruleId === 'crawl-error' && diagnostic.subject === 'list-files') listError = afterColon(diagnostic.message, 'cannot be listed: ');
    if (diagnostic.ruleId === 'unreadable-file' && diagnostic.file !== undefined) reasons.set(diagnostic.file, afterColon(diagnostic.message, diagnostic.subject === 'outside-fleet' ? 'not read: ' : 'cannot be read: '));
  }
  const files: FragmentFile[] = [];
  for (const [index, file] of repo.files.entries()) {
    const { path, size } = file;
    const text = texts[index];
    if (text !== undefined) files.push({ path, size, text });
    else if (file.skipped === 'binary' && isChartArchive(path)) {
      const bytes = await repo.source.readFile(path).catch(() => Buffer.alloc(0));
      files.push({ path, size, skipped: 'binary', base64: bytes.toString('base64') });
    } else if (file.skipped === 'binary' || file.skipped === 'too-large') files.push({ path, size, skipped: file.skipped });
    else if (file.skipped === 'invalid-utf8') {
      const bytes = await repo.source.readFile(path).catch(() => Buffer.alloc(0));
      files.push({ path, size, skipped: 'invalid-utf8', base64: bytes.toString('base64') });
    } else files.push({ path, size, skipped: file.skipped ?? 'unreadable', reason: reasons.get(path) ?? 'cannot be read' });
  }
  return {
    id: repo.id,
    ...(head !== undefined ? { head } : {}),
    ...(web !== undefined ? { web } : {}),
    source: repo.source.description,
    ...(listError !== undefined ? { listError } : {}),
    files,
    ...(checks ? { checks: redactedResults(checks) } : {}),
  };
}

/**
 * The fragment of an audited slice: its repos' files and repo-scope results. A repo whose CI includes a repo this
 * shard could not read carries no results: the merge evaluates it with the whole fleet.
 */
export async function sliceFragment(opened: OpenedFleet, results: RepoResults, options: { checksHash: string; root: string; fleetRepos: string[] }): Promise<Fragment> {
  const { fleet } = opened;
  const resultsOf = (repoId: string): RepoCheckResults | undefined => {
    const recorded = results.recorded(repoId);
    if (!recorded || opened.complete(repoId)) return recorded;
    const own = Object.entries(recorded).filter(([checkId]) => OWN_FILES_CHECKS.has(checkId));
    return own.length > 0 ? Object.fromEntries(own) : undefined;
  };
  const repos = await Promise.all(fleet.repos.filter((repo) => opened.checked.has(repo.id)).map((repo) => fragmentRepo(repo, opened.heads.get(repo.id), resultsOf(repo.id), opened.web.get(repo.id))));
  const unavailable = [...opened.unavailable].sort().map((id) => ({ id, transient: opened.missingContent.has(id) }));
  return {
    format: FRAGMENT_FORMAT,
    version: FRAGMENT_VERSION,
    toolVersion: toolVersion(),
    checks: options.checksHash,
    root: options.root,
    // Without the scan templates, a fact of the whole fleet that the merge derives (with the tags below).
    settings: withoutScanTemplates(fleet.settings),
    shard: opened.shard ?? null,
    fleetRepos: options.fleetRepos,
    repos,
    diagnostics: redactDeep(opened.diagnostics),
    ...(unavailable.length > 0 ? { unavailable } : {}),
    ...(opened.templateTags ? { tags: Object.fromEntries([...opened.templateTags].map(([id, tags]) => [id, [...tags]])) } : {}),
  };
}

/**
 * Repo-scope checks that read nothing but the repo's own files. Their results travel even for a repo whose
 * pipeline includes a repo the shard could not read: the merge, which evaluates such a repo again, reads masked
 * texts, in which no-secrets would find nothing.
 */
const OWN_FILES_CHECKS: ReadonlySet<string> = new Set(['no-secrets']);

function withoutScanTemplates(settings: FleetSettings): FleetSettings {
  const rest = { ...settings };
  delete rest.scanTemplates;
  return rest;
}

/**
 * Repo-scope checks that read a fact only the whole fleet gives (`fleet.scanTemplates`: which repos include which
 * file): a shard evaluates them without it, and the merge evaluates them again.
 */
const FLEET_FACT_CHECKS: ReadonlySet<string> = new Set(['required-scans']);

/**
 * The whole fleet rebuilt from the fragments' files, through the same loaders as a single run, and every repo's
 * repo-scope results as the shards stored them.
 */
export async function fleetOfFragments(
  fragments: readonly Fragment[],
  config: { providers: readonly ProviderRule[]; scanners?: readonly ScannerSetting[] | undefined; render?: RenderSetting | undefined },
  timings?: Record<string, number>,
): Promise<{ fleet: Fleet; stored: Map<string, RepoCheckResults>; unavailable: Set<string>; missingContent: Set<string> }> {
  const first = fragments[0];
  if (!first) throw new FragmentError('no fragment to merge');
  const stored = new Map<string, RepoCheckResults>();
  const repos = fragments.flatMap((fragment) => fragment.repos);
  for (const repo of repos) if (repo.checks) stored.set(repo.id, repo.checks);
  // A repo one shard could not read (an include of its slice) may be another shard's, read there.
  const read = new Set(repos.map((repo) => repo.id));
  const failed = fragments.flatMap((fragment) => fragment.unavailable ?? []).filter((entry) => !read.has(entry.id));
  const unavailable = new Set(failed.map((entry) => entry.id));
  const missingContent = new Set(failed.filter((entry) => entry.transient).map((entry) => entry.id));
  const fleet = await loadFleet({
    root: first.root,
    settings: first.settings,
    repos: repos.map((repo) => ({ id: repo.id, source: new FragmentSource(repo) })),
    unavailable: [...unavailable],
    diagnostics: fragments.flatMap((fragment) => fragment.diagnostics),
    providers: config.providers,
    ...(config.scanners ? { scanners: config.scanners } : {}),
    tagsOf: (ids) => Promise.resolve(new Map(ids.map((id) => [id, fragments.flatMap((fragment) => fragment.tags?.[id] ?? [])]))),
    // The shards evaluated the repo-scope checks; rebuilding the whole fleet is the merge's large part.
    threads: threadsFor(repos.length),
    ...(config.render ? { render: config.render } : {}),
    ...(timings ? { timings } : {}),
  });
  // Shards do not render: a repo the merge's render added facts to is checked again here.
  for (const repo of fleet.repos) if (repo.renderDigest !== undefined) stored.delete(repo.id);
  // Nor derive the scan templates, a fact of the whole fleet: the checks that read them are evaluated here.
  if (fleet.settings.scanTemplates) {
    for (const [id, checks] of stored) stored.set(id, Object.fromEntries(Object.entries(checks).filter(([checkId]) => !FLEET_FACT_CHECKS.has(checkId))));
  }
  return { fleet, stored, unavailable, missingContent };
}

/** A packaged chart in a chart's `charts/` folder: `helm template` reads it, so the merge's render needs its bytes. */
function isChartArchive(path: string): boolean {
  return /(?:^|\/)charts\/[^/]+\.tgz$/.test(path);
}

function afterColon(message: string, prefix: string): string {
  const index = message.indexOf(prefix);
  return index === -1 ? message : message.slice(index + prefix.length);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The files of a fragment repo, read back so that readRepoFiles makes the same RepoFiles and diagnostics as
 * from the original source: a binary file reads as as many NUL bytes as it had, a file that was too large is
 * listed with its size (and so never read), an unreadable one fails with its original reason.
 */
export class FragmentSource implements FileSource {
  readonly description: string;
  readonly #files: Map<string, FragmentFile>;
  readonly #listError: string | undefined;

  constructor(repo: FragmentRepo) {
    this.description = repo.source;
    this.#files = new Map(repo.files.map((file) => [file.path, file]));
    this.#listError = repo.listError;
  }

  listFiles(): Promise<FileEntry[]> {
    if (this.#listError !== undefined) return Promise.reject(new FileReadError('.', this.#listError));
    return Promise.resolve([...this.#files.values()].map((file) => ({ path: file.path, size: file.size })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  }

  readFile(path: string): Promise<Buffer> {
    const file = this.#files.get(path);
    if (!file) return Promise.reject(new FileReadError(path, 'no such file'));
    if ('text' in file) {
      const bytes = Buffer.from(file.text);
      // The decoder dropped a byte-order mark; the size says there was one.
      return Promise.resolve(file.size === bytes.length + BOM.length ? Buffer.concat([BOM, bytes]) : bytes);
    }
    switch (file.skipped) {
      case 'binary':
        return Promise.resolve(file.base64 !== undefined ? Buffer.from(file.base64, 'base64') : Buffer.alloc(Math.max(1, file.size)));
      case 'too-large':
        return Promise.resolve(Buffer.alloc(Math.max(1, file.size)));
      case 'invalid-utf8':
        return Promise.resolve(Buffer.from(file.base64, 'base64'));
      case 'outside-fleet':
        return Promise.reject(new SymlinkOutsideError(path, /outside the (.+)$/.exec(file.reason)?.[1] ?? 'repository'));
      case 'unreadable':
        return Promise.reject(new FileReadError(path, file.reason));
    }
  }
}

export async function writeFragment(path: string, fragment: Fragment): Promise<number> {
  // No timestamps inside, and gzip from Node writes no mtime: the same slice gives the same bytes.
  const bytes = await promisify(gzip)(JSON.stringify(fragment));
  await writeFileAtomic(path, bytes);
  return bytes.length;
}

export class FragmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FragmentError';
  }
}

export async function readFragment(path: string): Promise<Fragment> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new FragmentError(`fragment ${path} cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse((await promisify(gunzip)(bytes)).toString('utf8'));
  } catch (error) {
    throw new FragmentError(`fragment ${path} is not gzipped JSON: ${(error as Error).message}`);
  }
  return validateFragment(value, path);
}

function validateFragment(value: unknown, path: string): Fragment {
  const fail = (why: string): never => {
    throw new FragmentError(`fragment ${path} ${why}`);
  };
  if (!isRecord(value) || value.format !== FRAGMENT_FORMAT) return fail('is not a fleetlint fragment (written by audit --write-fragment)');
  if (value.version !== FRAGMENT_VERSION) return fail(`has version ${JSON.stringify(value.version)}; this fleetlint reads version ${FRAGMENT_VERSION}`);
  if (typeof value.toolVersion !== 'string' || typeof value.checks !== 'string' || typeof value.root !== 'string') return fail('lacks toolVersion, checks or root');
  const settings = value.settings;
  if (!isRecord(settings) || !Array.isArray(settings.registries) || !Array.isArray(settings.providers)) return fail('has no valid settings');
  const shard = value.shard;
  if (shard !== null && !(isRecord(shard) && Number.isInteger(shard.index) && Number.isInteger(shard.total))) return fail('has an invalid shard');
  if (!Array.isArray(value.fleetRepos) || !value.fleetRepos.every((id) => typeof id === 'string')) return fail('has no fleetRepos list');
  if (!Array.isArray(value.diagnostics)) return fail('has no diagnostics list');
  if (!Array.isArray(value.repos)) return fail('has no repos list');
  const tags = value.tags;
  if (tags !== undefined && !(isRecord(tags) && Object.values(tags).every((list) => Array.isArray(list) && list.every((tag) => typeof tag === 'string')))) return fail('has invalid tags (expected lists of tag names by repo)');
  value.repos.forEach((repo: unknown, index) => {
    const ok = isRecord(repo) && typeof repo.id === 'string' && typeof repo.source === 'string' && Array.isArray(repo.files) && repo.files.every(isFragmentFile);
    if (!ok) fail(`repos[${index}] is not {id, source, files}`);
  });
  return value as unknown as Fragment;
}

function isFragmentFile(file: unknown): boolean {
  if (!isRecord(file) || typeof file.path !== 'string' || typeof file.size !== 'number') return false;
  if (typeof file.text === 'string') return true;
  switch (file.skipped) {
    case 'binary':
    case 'too-large':
      return true;
    case 'invalid-utf8':
      return typeof file.base64 === 'string';
    case 'unreadable':
    case 'outside-fleet':
      return typeof file.reason === 'string';
    default:
      return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
