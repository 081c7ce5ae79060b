import { join } from 'node:path';
import { writeSnapshot } from '../../crawl/snapshot.js';
import { maskedText, redactDeep } from '../../run/outbound.js';
import { TOKEN_ENV_VAR } from '../../crawl/gitlab-api.js';
import { RENDER_GROUP, RENDER_OPTIONS, outputSettings, parseCommand, wholeNumber, type CommandSpec } from '../options.js';
import { resolveShard } from '../../crawl/shard.js';
import { policyInput } from '../../model/policy-input.js';
import { auditFacts, writeAuditOutput } from '../audit-output.js';
import { configure } from '../configure.js';
import { sliceFragment, writeFragment } from '../../run/fragment.js';
import { auditChecks } from '../../run/audit.js';
import { Progress } from '../progress.js';
import { assertFleetRoot, gitLabCandidates, localCandidates, openFleet, type FleetCandidates } from '../../run/open-fleet.js';
import { RESULTS_CACHE_FILE } from '../../run/repo-results.js';
import { writeStats } from '../stats.js';
import { addHistoryFindings } from '../../run/history.js';
import { modelSummary } from '../summary.js';
import { UsageError } from '../../usage-error.js';
import { EXIT } from '../../exit-codes.js';
import { fixFindings } from '../../run/fix.js';
import { fixSummary } from '../fix-output.js';
import { registryDigests } from '../../run/digests.js';
import { REPORT_OPTIONS, reportOutputOptions } from '../report-options.js';
import { preflight } from '../preflight.js';
import { renderSettingFrom } from '../render-options.js';

export const AUDIT: CommandSpec<AuditOption> = {
  name: 'audit',
  summary: 'check every repository of a fleet (the nightly audit)',
  synopsis: ['fleetlint audit <fleet-root> [options]', 'fleetlint audit --gitlab-url <url> --group <path> [options]'],
  description: `Checks every repository of a fleet: the nightly fleet-wide audit. The fleet is a local folder (repositories found by
their .git folders or a fleet.yaml), or every project of a GitLab group, cloned into a cache folder.`,
  groups: [
    { options: [...REPORT_OPTIONS, 'print-model', 'history', 'threads', 'fix', 'resolve-digests'] },
    { title: 'From GitLab', options: ['gitlab-url', 'group', 'gitlab-host', 'registry', 'cache-dir', 'concurrency', 'no-incremental'] },
    { title: 'Across machines', options: ['shard', 'write-fragment'] },
    RENDER_GROUP,
  ],
};

type AuditOption = (typeof REPORT_OPTIONS)[number] | 'print-model' | 'threads' | 'fix' | 'resolve-digests' | 'gitlab-url' | 'group' | 'gitlab-host' | 'registry' | 'cache-dir' | 'concurrency' | 'no-incremental' | 'history' | 'shard' | 'write-fragment' | (typeof RENDER_OPTIONS)[number];

const GITLAB_ONLY = ['group', 'gitlab-host', 'registry', 'cache-dir', 'concurrency'] as const;

export const DEFAULT_CACHE_DIR = '.fleetlint-cache/clones';
/** Where a local fleet's `--history` state is kept. */
const DEFAULT_LOCAL_STATE_DIR = '.fleetlint-cache';

export async function audit(argv: string[]): Promise<number> {
  const startedAt = performance.now();
  const { values, positionals } = parseCommand(AUDIT, argv);
  const gitlabUrl = values['gitlab-url'];
  if (gitlabUrl !== undefined) {
    if (positionals.length > 0) throw new UsageError('audit --gitlab-url takes no fleet root folder: the fleet is the GitLab group');
    if (values.group === undefined || values.group.trim() === '') throw new UsageError('audit --gitlab-url needs --group <path>');
  } else {
    if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('audit needs exactly one fleet root folder, or --gitlab-url and --group');
    const stray = GITLAB_ONLY.find((name) => values[name] !== undefined && !(name === 'cache-dir' && values.history === true));
    if (stray !== undefined) throw new UsageError(`--${stray} goes with --gitlab-url`);
  }
  const settings = outputSettings(values);
  const shard = resolveShard(values.shard);
  const fragmentPath = values['write-fragment'];
  if (shard && fragmentPath === undefined) {
    throw new UsageError(`${values.shard !== undefined ? '--shard' : 'CI_NODE_INDEX/CI_NODE_TOTAL'} needs --write-fragment <file>: a shard's findings are reported by fleetlint merge`);
  }
  if (fragmentPath !== undefined && values.format !== undefined) throw new UsageError('--write-fragment writes no report: give --format to fleetlint merge');
  if (values['resolve-digests'] && !values.fix) throw new UsageError('audit --resolve-digests goes with --fix');
  if (values.fix && (gitlabUrl !== undefined || fragmentPath !== undefined)) throw new UsageError('audit --fix writes the fleet root\'s working trees: it does not go with --gitlab-url or --write-fragment');
  if (shard && values['write-snapshot'] !== undefined) throw new UsageError('--write-snapshot needs the whole fleet: give it to fleetlint merge, not to a shard');
  const concurrency = values.concurrency === undefined ? 8 : wholeNumber(values.concurrency, '--concurrency', 1);
  const threads = values.threads === undefined ? undefined : wholeNumber(values.threads, '--threads', 1);
  const cacheDir = values['cache-dir'] ?? (gitlabUrl === undefined ? DEFAULT_LOCAL_STATE_DIR : DEFAULT_CACHE_DIR);
  const root = gitlabUrl === undefined ? (positionals[0] ?? '.') : process.cwd();
  await preflight(values, settings);

  const timings: Record<string, number> = {};
  const quiet = settings.quiet;
  const progress = new Progress({ quiet });
  if (gitlabUrl === undefined) await assertFleetRoot(root);
  const { config, checks } = await configure(values.config, root);
  const started = performance.now();
  let candidates: FleetCandidates;
  let pages: number | undefined;
  if (gitlabUrl !== undefined) {
    const token = process.env[TOKEN_ENV_VAR];
    const remote = await gitLabCandidates({
      gitlabUrl,
      group: values.group ?? '',
      gitlabHost: values['gitlab-host'],
      registries: values.registry ?? [],
      token: token === '' ? undefined : token,
      cacheDir,
      concurrency,
      fullHistory: values.history === true,
      progress,
      onRetry: (event) => {
        if (!quiet) progress.log(`fleetlint: GitLab answered ${event.status ?? 'nothing'} at ${event.url}; retry ${event.attempt} in ${Math.ceil(event.delayMs / 1000)} s`);
      },
      onCacheWait: (holder) => {
        progress.log(`fleetlint: the clone cache ${cacheDir} is in use by ${holder}; waiting for it`);
      },
    });
    pages = remote.pages;
    candidates = remote;
  } else {
    candidates = await localCandidates(root);
  }
  try {
    timings.discover = performance.now() - started;
    // Clones are made and updated while the fleet opens: `crawl` and `model` are measured apart inside.
    const render = renderSettingFrom(values);
    const opened = await openFleet(candidates, { shard, providers: config.providers, scanners: config.scanners, progress, timings, threads, config, render });
    const { fleet } = opened;
    if (values['print-model']) {
      progress.done();
      // Script lines, values and URLs as the files hold them: redacted like every other output.
      process.stdout.write(`${JSON.stringify(redactDeep(policyInput(fleet)), null, 2)}\n`);
      return EXIT.ok;
    }
    if (!quiet) {
      progress.log(modelSummary(fleet));
      if (shard) progress.log(`  shard ${shard.index}/${shard.total}: ${opened.checked.size} of ${candidates.ids.length} repositories, ${opened.counts.materialized - opened.counts.slice} more read for their CI includes`);
    }
    if (values['write-snapshot'] !== undefined) await writeSnapshot(values['write-snapshot'], fleet, maskedText);
    if (values.history === true) {
      const historyStarted = performance.now();
      const history = await addHistoryFindings(fleet, opened.checked, cacheDir, (problem) => {
        if (!quiet) progress.log(`fleetlint: ${problem}`);
      });
      timings.history = performance.now() - historyStarted;
      if (!quiet) progress.log(`  history: ${history.commits} new commit(s) of ${history.repos} repositories read; ${history.reported} secret(s) only in history`);
    }

    const cacheFile = gitlabUrl !== undefined && !values['no-incremental'] ? join(cacheDir, RESULTS_CACHE_FILE) : undefined;
    const { result, results, checksHash, saveCache } = await auditChecks(opened, {
      config,
      checks,
      threads,
      cacheFile,
      repoScopeOnly: fragmentPath !== undefined,
      progress,
      timings,
      onCacheProblem: (problem) => {
        if (!quiet) progress.log(`fleetlint: the results cache ${cacheFile ?? ''} ${problem}; every repo is evaluated`);
      },
    });
    progress.done();
    if (!quiet && (cacheFile !== undefined || fragmentPath !== undefined)) {
      progress.log(`  repo-scope checks: ${results.stats.evaluated} evaluated, ${results.stats.reused} reused from the cache`);
    }
    const stats = {
      repos: { ...opened.counts, loaded: fleet.repos.length, checked: opened.checked.size },
      ...(pages !== undefined ? { gitlabPages: pages } : {}),
      checks: results.stats,
    };

    if (fragmentPath !== undefined) {
      const fragment = await sliceFragment(opened, results, { checksHash, root: candidates.root, fleetRepos: candidates.ids });
      const { repos } = fragment;
      const bytes = await writeFragment(fragmentPath, fragment);
      if (!quiet) progress.log(`  wrote ${fragmentPath} (${repos.length} repositories, ${Math.ceil(bytes / 1024)} KiB)`);
      if (values.stats !== undefined) await writeStats(values.stats, { ...stats, phases: timings });
      await saveCacheOrWarn();
      return EXIT.ok;
    }

    if (values.fix) {
      // ESLint's habit: fix what can be fixed, then report what is left, from a fresh audit of the fixed fleet.
      const dirOf = candidates.dirOf ?? ((): undefined => undefined);
      const digests = values['resolve-digests'] === true ? { digests: { repos: fleet.repos, resolve: registryDigests() } } : {};
      const run = await fixFindings(result.findings, { dirOf, dryRun: false, ...digests });
      if (run.written.length > 0 || run.skipped.length > 0) progress.log(fixSummary(run, { dryRun: false }).trimEnd());
      if (run.written.length > 0) return await audit(argv.filter((arg) => arg !== '--fix' && arg !== '--resolve-digests'));
    }
    const code = await writeAuditOutput(result, fleet.repos.filter((repo) => opened.checked.has(repo.id)).map((repo) => repo.id), auditFacts(fleet, config, checks), { ...reportOutputOptions(values, settings, { startedAt, phaseTimings: timings }), web: opened.web });
    if (values.stats !== undefined) await writeStats(values.stats, { ...stats, phases: timings });
    await saveCacheOrWarn();
    return code;

    // After the reports: a cache that cannot be written costs the next run its reuse, not this run its report.
    async function saveCacheOrWarn(): Promise<void> {
      const problem = await saveCache();
      if (problem !== undefined) progress.log(`fleetlint: warning: the results cache ${cacheFile ?? ''} could not be written (${problem}); the next run evaluates every repo`);
    }
  } finally {
    await candidates.close?.();
  }
}
