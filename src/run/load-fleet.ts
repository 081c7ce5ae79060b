import type { FindingDraft } from '../model/findings.js';
import type { Fleet, FleetSettings, Repo, RepoSpec } from '../model/types.js';
import type { ProviderRule } from '../model/dependencies/types.js';
import type { ScannerSetting } from '../model/gitlab-ci/scanners.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import type { RepoCheckResults } from '../engine/repo-checks.js';
import { readRepoTexts } from '../model/read-files.js';
import { RepoBuilder } from '../model/repo-builder.js';
import { buildReposInThreads, type BuiltRepo } from './build-in-threads.js';
import { repoFromMessage } from '../model/repo-transfer.js';
import { assignAppOfAppsAncestors } from '../model/argocd/app-of-apps.js';
import { expandApplicationSets } from '../model/argocd/applicationset/expand.js';
import { inferDependencyFacts } from '../model/dependencies/infer.js';
import { mapLimit } from '../concurrency.js';
import { includedTemplateRepos, scanTemplates, type RepoTags } from '../model/gitlab-ci/scan-templates.js';
import { renderingNote, renderPhase, type RenderSetting } from './render-phase.js';

export interface LoadFleetOptions {
  root: string;
  settings: FleetSettings;
  repos: readonly RepoSpec[];
  /**
   * Fleet repos that could not be read (a failed clone). They still name fleet repos, so that what includes or
   * deploys them is not reported as pointing outside the fleet; their files are 'unavailable', not missing.
   */
  unavailable?: readonly string[];
  /** Problems found while discovering the fleet, kept with the fleet. */
  diagnostics?: readonly FindingDraft[];
  /** The provider table dependencies are inferred with (sync-wave-order's `providers` option); none when absent. */
  providers?: readonly ProviderRule[];
  /** The fleet's own scanners from the config: they join the settings, after the built-in scanner table. */
  scanners?: readonly ScannerSetting[];
  /**
   * The tags of the fleet repos whose files other repos include (a local repo's refs, or GitLab's API): the ref a
   * proposed include pins (see scan-templates.ts). Absent: no tags are known.
   */
  tagsOf?: (repoIds: readonly string[]) => Promise<RepoTags>;
  /**
   * False for a load that sees only part of the fleet (a shard): the scan templates are a fact of the whole
   * fleet (which repos include which file), so the merge derives them, from every repo.
   */
  deriveScanTemplates?: boolean;
  /** Repos read at once; each reads its own files with bounded concurrency too. */
  repoConcurrency?: number;
  /** Worker threads that parse and build the repos; 1 (the default) builds them in this thread. */
  threads?: number;
  /**
   * With threads: evaluate the repo-scope TypeScript rules where each repo is built, with this config, and put
   * their results in `results` (for the runner to replay, see RepoResults).
   */
  threadChecks?: { config: FleetlintConfig; results: Map<string, RepoCheckResults> };
  /**
   * Whether and how to render what each Application would apply (see render-phase.ts). Absent: no render phase
   * and no `fleet.desired` (a fleet built for a test of the static model).
   */
  render?: RenderSetting;
  /**
   * Milliseconds per step are added here: `model.read`, `model.build`, `model.fleet` (the fleet-wide facts),
   * `model.parse`, the part of `model.build` spent parsing YAML, and `render` (the render phase, apart from
   * `model.fleet`).
   */
  timings?: Record<string, number>;
}

/**
 * From this many repos, each repo's YAML trees are released once its facts are built (see RepoBuilder). A
 * smaller fleet keeps them: its memory is no concern, and the positions its findings ask for later then need no
 * second parse (the seed fleet: 0.05 s of 0.85 s).
 */
const RELEASE_TREES_FROM = 200;

/**
 * Loads a fleet in three phases: read every repo (I/O bound, concurrent); parse each repo and build its facts
 * (RepoBuilder); then infer the fleet-wide facts (the Applications ApplicationSets generate, app-of-apps ancestry,
 * dependencies between Applications).
 */
export async function loadFleet(options: LoadFleetOptions): Promise<Fleet> {
  // In the settings, the scanners reach the build threads and the incremental cache's key with them.
  let settings: FleetSettings = options.scanners && options.scanners.length > 0 ? { ...options.settings, scanners: [...options.scanners] } : options.settings;
  let started = performance.now();
  const lap = (step: string): void => {
    const now = performance.now();
    if (options.timings) options.timings[`model.${step}`] = (options.timings[`model.${step}`] ?? 0) + now - started;
    started = now;
  };
  // The YAML parse's share of the build: the rest is building facts.
  const parsedIn = (ms: number): void => {
    if (options.timings) options.timings['model.parse'] = (options.timings['model.parse'] ?? 0) + ms;
  };
  const read = await mapLimit(options.repos, options.repoConcurrency ?? 8, async (spec) => ({ ...spec, texts: await readRepoTexts(spec.id, spec.source) }));
  read.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  lap('read');

  let repos: Repo[];
  if ((options.threads ?? 1) > 1) {
    const ids = read.map((repo) => repo.id);
    const checkConfig = options.threadChecks?.config;
    const unavailable = options.unavailable && options.unavailable.length > 0 ? { unavailable: [...options.unavailable] } : {};
    const data = { settings, repos: read.map(({ id, texts }) => ({ id, texts })), ...unavailable, ...(checkConfig ? { checkConfig } : {}) };
    const { built, parseMs } = await buildReposInThreads(data, ids, options.threads ?? 1);
    parsedIn(parseMs);
    repos = read.map((repo, index) => {
      const { message, checks } = built[index] as BuiltRepo;
      if (checks) options.threadChecks?.results.set(repo.id, checks);
      return repoFromMessage(message, repo.texts.files, repo.source);
    });
  } else {
    const builder = new RepoBuilder(settings, read, options.unavailable);
    const keep = read.length < RELEASE_TREES_FROM;
    repos = read.map((repo) => ({ ...(keep ? builder.buildKeepingTrees(repo.id) : builder.build(repo.id)), source: repo.source }));
    parsedIn(builder.parseMs);
  }
  lap('build');
  if (options.deriveScanTemplates !== false) {
    const templateRepos = includedTemplateRepos(repos);
    const tags = options.tagsOf && templateRepos.length > 0 ? await options.tagsOf(templateRepos) : new Map<string, string[]>();
    const templates = scanTemplates(repos, settings, tags);
    if (templates.length > 0) settings = { ...settings, scanTemplates: templates };
  }
  expandApplicationSets(repos, settings);
  lap('fleet');
  // Before ancestry and dependencies, which read the Applications rendering adds.
  const rendered = options.render ? await renderPhase(options.root, settings, repos, options.render, options.timings) : undefined;
  started = performance.now();
  const facts = rendered?.facts;
  assignAppOfAppsAncestors(repos, facts?.tree);
  let desired = rendered?.desired;
  const fleetDiagnostics = [...(rendered?.fleetDiagnostics ?? [])];
  if (facts) {
    const loose = facts.looseApplications();
    const finished = facts.finish(loose);
    // Without the Applications set aside, and the children they deployed.
    if (loose.size > 0) assignAppOfAppsAncestors(repos, facts.tree);
    desired = finished.desired;
    const note = renderingNote(finished.desired);
    fleetDiagnostics.push(...finished.fleetDiagnostics, ...(note ? [note] : []));
  }
  const { dependencies, unprovided, duplicates } = inferDependencyFacts(repos, options.providers ?? [], {
    ...(desired ? { desired } : {}),
    ...(settings.argocdInstances ? { instances: settings.argocdInstances } : {}),
  });
  lap('fleet');
  return {
    root: options.root,
    settings,
    repos,
    dependencies,
    unprovided,
    ...(duplicates.length > 0 ? { duplicateApplications: duplicates } : {}),
    diagnostics: [...(options.diagnostics ?? []), ...fleetDiagnostics],
    ...(desired ? { desired } : {}),
  };
}
