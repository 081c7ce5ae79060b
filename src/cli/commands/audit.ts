import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSnapshot } from '../../crawl/snapshot.js';
import { TOKEN_ENV_VAR } from '../../crawl/gitlab-api.js';
import { resolveShard } from '../../crawl/shard.js';
import { policyInput } from '../../model/policy-input.js';
import { auditFacts, writeAuditOutput } from '../audit-output.js';
import { configure } from '../configure.js';
import { type FailOn } from '../finish.js';
import { parseFormats } from '../formats.js';
import { sliceFragment, writeFragment } from '../../run/fragment.js';
import { auditChecks } from '../../run/audit.js';
import { Progress } from '../progress.js';
import { gitLabCandidates, localCandidates, openFleet, type FleetCandidates } from '../../run/open-fleet.js';
import { THREADED_FLEET_SIZE } from '../../concurrency.js';
import { RESULTS_CACHE_FILE } from '../../run/repo-results.js';
import { writeStats } from '../stats.js';
import { addHistoryFindings } from '../../run/history.js';
import { modelSummary } from '../summary.js';
import { UsageError, EXIT } from '../../usage-error.js';
import { REPORT_OPTIONS, reportOutputOptions } from '../report-options.js';

export const AUDIT_USAGE = `fleetlint audit <fleet-root> [options]
fleetlint audit --gitlab-url <url> --group <path> [options]

Checks every repository of a fleet: the nightly fleet-wide audit. The fleet is a local folder, or every project
of a GitLab group (subgroups included), cloned into a cache folder; the token comes from ${TOKEN_ENV_VAR}.

  --config <file>            fleetlint.config.yaml (default: <fleet-root>/fleetlint.config.yaml, or ./ for GitLab)
  --format <name>[=<path>]   text (default), json, sarif, junit, codequality, html, markdown; repeatable
  --sarif-per-repo <dir>     also write one SARIF file per repository, ready for upload
  --fail-on <level>          error (default), warning, note or never
  --baseline <file>          report only findings whose fingerprints are not in it
  --write-baseline <file>    write the fingerprints of this run's findings
  --write-snapshot <file>    write the fleet snapshot (gzipped JSON) that lint --snapshot and mr --fleet read
  --previous <json>          a previous --format json report: the html and markdown reports show what is new and fixed
  --report-label <text>      a line under the html and markdown reports' title (e.g. the pipeline and date)
  --print-model              print the policy input JSON and stop
  --stats <file>             write counts and timings of the run as JSON
  --history                  also report secrets gone from the tree but still in git history, from the commits
                             since the last --history audit (their state and digest key are kept in --cache-dir);
                             GitLab clones are then made with their whole history
  --threads <n>              worker threads that parse and build repos (default: one per CPU, at most 8, for
                             fleets of ${THREADED_FLEET_SIZE}+ repos, else 1: none)
  --quiet                    no model summary or progress on stderr

  From GitLab:
  --gitlab-url <url>         the GitLab instance (https://gitlab.example.com)
  --group <path>             the group whose projects make the fleet (homelab)
  --gitlab-host <host>       the host fleet repoURLs and includes name (default: the URL's host)
  --registry <host>          a container registry of the fleet; repeatable
  --cache-dir <dir>          clone cache (default .fleetlint-cache/clones); keep it between runs. For a local
                             fleet, with --history only: where the history state is kept (default .fleetlint-cache)
  --concurrency <n>          clones at a time (default 8)
  --no-incremental           evaluate every repo, even those unchanged since the cached run

  Across machines:
  --shard <i>/<n>            audit slice i of n (default from CI_NODE_INDEX/CI_NODE_TOTAL); needs --write-fragment
  --write-fragment <file>    write the slice's files and repo-scope results for fleetlint merge, and no report`;

const OPTIONS = {
  ...REPORT_OPTIONS,
  'print-model': { type: 'boolean', default: false },
  'gitlab-url': { type: 'string' },
  group: { type: 'string' },
  'gitlab-host': { type: 'string' },
  registry: { type: 'string', multiple: true },
  'cache-dir': { type: 'string' },
  concurrency: { type: 'string' },
  threads: { type: 'string' },
  'no-incremental': { type: 'boolean', default: false },
  history: { type: 'boolean', default: false },
  shard: { type: 'string' },
  'write-fragment': { type: 'string' },
} as const;

const GITLAB_ONLY = ['group', 'gitlab-host', 'registry', 'cache-dir', 'concurrency'] as const;

export const DEFAULT_CACHE_DIR = '.fleetlint-cache/clones';
/** Where a local fleet's `--history` state is kept. */
const DEFAULT_LOCAL_STATE_DIR = '.fleetlint-cache';

export async function audit(argv: string[]): Promise<number> {
  const startedAt = performance.now();
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const gitlabUrl = values['gitlab-url'];
  if (gitlabUrl !== undefined) {
    if (positionals.length > 0) throw new UsageError('audit --gitlab-url takes no fleet root folder: the fleet is the GitLab group');
    if (values.group === undefined || values.group.trim() === '') throw new UsageError('audit --gitlab-url needs --group <path>');
  } else {
    if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('audit needs exactly one fleet root folder, or --gitlab-url and --group');
    const stray = GITLAB_ONLY.find((name) => values[name] !== undefined && !(name === 'cache-dir' && values.history));
    if (stray !== undefined) throw new UsageError(`--${stray} goes with --gitlab-url`);
  }
  const failOn = parseFailOn(values['fail-on']);
  const formats = parseFormats(values.format ?? []);
  const shard = resolveShard(values.shard);
  const fragmentPath = values['write-fragment'];
  if (shard && fragmentPath === undefined) {
    throw new UsageError(`${values.shard !== undefined ? '--shard' : 'CI_NODE_INDEX/CI_NODE_TOTAL'} needs --write-fragment <file>: a shard's findings are reported by fleetlint merge`);
  }
  if (fragmentPath !== undefined && values.format !== undefined) throw new UsageError('--write-fragment writes no report: give --format to fleetlint merge');
  if (shard && values['write-snapshot'] !== undefined) throw new UsageError('--write-snapshot needs the whole fleet: give it to fleetlint merge, not to a shard');
  const concurrency = positiveInteger(values.concurrency, '--concurrency', 8);
  const threads = values.threads === undefined ? undefined : positiveInteger(values.threads, '--threads', 1);
  const cacheDir = values['cache-dir'] ?? (gitlabUrl === undefined ? DEFAULT_LOCAL_STATE_DIR : DEFAULT_CACHE_DIR);
  const root = gitlabUrl === undefined ? (positionals[0] ?? '.') : process.cwd();

  const timings: Record<string, number> = {};
  const progress = new Progress({ quiet: values.quiet });
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
      fullHistory: values.history,
      progress,
      onRetry: (event) => {
        if (!values.quiet) progress.log(`fleetlint: GitLab answered ${event.status ?? 'nothing'} at ${event.url}; retry ${event.attempt} in ${Math.ceil(event.delayMs / 1000)} s`);
      },
    });
    pages = remote.pages;
    candidates = remote;
  } else {
    candidates = await localCandidates(root);
  }
  timings.discover = performance.now() - started;
  // Clones are made and updated while the fleet opens: `crawl` and `model` are measured apart inside.
  const opened = await openFleet(candidates, { shard, providers: config.providers, scanners: config.scanners, progress, timings, threads, config });
  const { fleet } = opened;
  if (values['print-model']) {
    progress.done();
    process.stdout.write(`${JSON.stringify(policyInput(fleet), null, 2)}\n`);
    return EXIT.ok;
  }
  if (!values.quiet) {
    progress.log(modelSummary(fleet));
    if (shard) progress.log(`  shard ${shard.index}/${shard.total}: ${opened.checked.size} of ${candidates.ids.length} repositories, ${opened.counts.materialized - opened.counts.slice} more read for their CI includes`);
  }
  if (values['write-snapshot'] !== undefined) await writeSnapshot(values['write-snapshot'], fleet);
  if (values.history) {
    const historyStarted = performance.now();
    const history = await addHistoryFindings(fleet, opened.checked, cacheDir, (problem) => {
      if (!values.quiet) progress.log(`fleetlint: ${problem}`);
    });
    timings.history = performance.now() - historyStarted;
    if (!values.quiet) progress.log(`  history: ${history.commits} new commit(s) of ${history.repos} repositories read; ${history.reported} secret(s) only in history`);
  }

  const cacheFile = gitlabUrl !== undefined && !values['no-incremental'] ? join(cacheDir, RESULTS_CACHE_FILE) : undefined;
  const { result, results, checksHash } = await auditChecks(opened, {
    config,
    checks,
    threads,
    cacheFile,
    repoScopeOnly: fragmentPath !== undefined,
    progress,
    timings,
    onCacheProblem: (problem) => {
      if (!values.quiet) progress.log(`fleetlint: the results cache ${cacheFile ?? ''} ${problem}; every repo is evaluated`);
    },
  });
  progress.done();
  if (!values.quiet && (cacheFile !== undefined || fragmentPath !== undefined)) {
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
    if (!values.quiet) progress.log(`  wrote ${fragmentPath} (${repos.length} repositories, ${Math.ceil(bytes / 1024)} KiB)`);
    if (values.stats !== undefined) await writeStats(values.stats, { ...stats, phases: timings });
    return EXIT.ok;
  }

  const code = await writeAuditOutput(result, fleet.repos.filter((repo) => opened.checked.has(repo.id)).map((repo) => repo.id), auditFacts(fleet, config, checks), reportOutputOptions(values, { formats, failOn, startedAt, phaseTimings: timings }));
  if (values.stats !== undefined) await writeStats(values.stats, { ...stats, phases: timings });
  return code;
}

export function parseFailOn(value: string): FailOn {
  if (value === 'error' || value === 'warning' || value === 'note' || value === 'never') return value;
  throw new UsageError(`--fail-on ${value}: expected error, warning, note or never`);
}

export function positiveInteger(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`${option} ${value}: expected a whole number of at least 1`);
  return Number(value);
}
