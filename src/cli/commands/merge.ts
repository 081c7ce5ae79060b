import { writeSnapshot } from '../../crawl/snapshot.js';
import { runChecks } from '../../engine/runner.js';
import { threadsFor } from '../../run/build-in-threads.js';
import { toolVersion } from '../../package.js';
import { auditFacts, writeAuditOutput } from '../audit-output.js';
import { configure } from '../configure.js';
import { outputSettings, parseCommand, type CommandSpec } from '../options.js';
import { fleetOfFragments, FragmentError, readFragment, type Fragment } from '../../run/fragment.js';
import { Progress } from '../progress.js';
import { checksHash, RepoResults, stableJson } from '../../run/repo-results.js';
import { writeStats } from '../stats.js';
import { modelSummary } from '../summary.js';
import { UsageError } from '../../usage-error.js';
import { REPORT_OPTIONS, reportOutputOptions } from '../report-options.js';

export const MERGE: CommandSpec<(typeof REPORT_OPTIONS)[number]> = {
  name: 'merge',
  summary: 'combine the fragments of a sharded audit and report',
  synopsis: ['fleetlint merge <fragment>... [options]'],
  description: `Combines the fragments of a sharded audit (audit --shard i/n --write-fragment <file>) into one run: rebuilds the
fleet from the fragments' files, runs the fleet-wide checks once, takes each repository's repo-scope results from
its fragment, and writes the reports. Every shard's fragment must be given; --config is the shards' config
(default: ./fleetlint.config.yaml).`,
  groups: [{ options: REPORT_OPTIONS }],
};

export async function merge(argv: string[]): Promise<number> {
  const startedAt = performance.now();
  const { values, positionals } = parseCommand(MERGE, argv);
  if (positionals.length === 0) throw new UsageError('merge needs the fragment files written by audit --write-fragment');
  const settings = outputSettings(values);
  const progress = new Progress({ quiet: settings.quiet });
  const timings: Record<string, number> = {};

  let started = performance.now();
  const fragments: Fragment[] = [];
  for (const path of positionals) {
    try {
      fragments.push(await readFragment(path));
    } catch (error) {
      if (error instanceof FragmentError) throw new UsageError(error.message);
      throw error;
    }
  }
  const warnings = checkFragments(fragments, positionals);
  for (const warning of warnings) progress.log(`fleetlint: ${warning}`);
  const { config, checks } = await configure(values.config, process.cwd());
  const hash = await checksHash(toolVersion(), config, checks);
  const first = fragments[0];
  if (!first) throw new UsageError('merge needs at least one fragment');
  if (first.toolVersion !== toolVersion()) throw new UsageError(`the fragments were written by fleetlint ${first.toolVersion}; this is ${toolVersion()}: merge with the version that wrote them`);
  if (first.checks !== hash) {
    throw new UsageError(`the fragments were made with other checks than this merge has (policies, custom policy folders or fleetlint version differ): give merge the shards' --config`);
  }
  timings.read = performance.now() - started;

  started = performance.now();
  const { fleet, stored } = await fleetOfFragments(fragments, { providers: config.providers, scanners: config.scanners });
  timings.model = performance.now() - started;
  if (!settings.quiet) progress.log(`${modelSummary(fleet)}\n  merged ${fragments.length} ${fragments.length === 1 ? 'fragment' : 'fragments'}`);
  if (values['write-snapshot'] !== undefined) await writeSnapshot(values['write-snapshot'], fleet);

  started = performance.now();
  const results = new RepoResults({ stored: (id) => stored.get(id) });
  const result = await runChecks({ fleet, checks, config, threads: threadsFor(fleet.repos.length), stored: results });
  timings.checks = performance.now() - started;
  if (!settings.quiet) progress.log(`  repo-scope checks: ${results.stats.evaluated} evaluated here, ${results.stats.reused} from the fragments`);

  const code = await writeAuditOutput(result, fleet.repos.map((repo) => repo.id), auditFacts(fleet, config, checks), reportOutputOptions(values, settings, { startedAt, phaseTimings: timings }));
  if (values.stats !== undefined) {
    await writeStats(values.stats, { fragments: fragments.length, repos: { loaded: fleet.repos.length }, checks: results.stats, phases: timings });
  }
  return code;
}

/**
 * The fragments must make one whole fleet: same fleetlint, checks and settings; one fragment per shard, every shard
 * present; no repo twice. Returns warnings for what can be merged but deserves a word.
 */
export function checkFragments(fragments: readonly Fragment[], paths: readonly string[]): string[] {
  const first = fragments[0];
  if (!first) return [];
  const name = (index: number): string => paths[index] ?? `fragment ${index + 1}`;
  fragments.forEach((fragment, index) => {
    if (fragment.toolVersion !== first.toolVersion) throw new UsageError(`${name(index)} was written by fleetlint ${fragment.toolVersion}, ${name(0)} by ${first.toolVersion}`);
    if (fragment.checks !== first.checks) throw new UsageError(`${name(index)} and ${name(0)} were made with different checks (config or policies)`);
    if (stableJson(fragment.settings) !== stableJson(first.settings)) throw new UsageError(`${name(index)} and ${name(0)} have different fleet settings (GitLab host, group or registries)`);
  });
  const whole = fragments.findIndex((fragment) => fragment.shard === null);
  if (whole !== -1 && fragments.length > 1) throw new UsageError(`${name(whole)} holds the whole fleet: it cannot be merged with other fragments`);
  if (whole === -1) {
    const total = first.shard?.total ?? 0;
    const seen = new Map<number, number>();
    fragments.forEach((fragment, index) => {
      const shard = fragment.shard;
      if (!shard) return;
      if (shard.total !== total) throw new UsageError(`${name(index)} is shard ${shard.index}/${shard.total}, but ${name(0)} is one of ${total}`);
      const other = seen.get(shard.index);
      if (other !== undefined) throw new UsageError(`${name(other)} and ${name(index)} are both shard ${shard.index}/${total}`);
      seen.set(shard.index, index);
    });
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((index) => !seen.has(index));
    if (missing.length > 0) throw new UsageError(`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${total} ${missing.length === 1 ? 'is' : 'are'} missing: a failed shard job would leave its repositories out of the audit`);
  }
  const owner = new Map<string, number>();
  fragments.forEach((fragment, index) => {
    for (const repo of fragment.repos) {
      const other = owner.get(repo.id);
      if (other !== undefined) throw new UsageError(`${repo.id} is in both ${name(other)} and ${name(index)}`);
      owner.set(repo.id, index);
    }
  });
  const warnings: string[] = [];
  const lists = new Set(fragments.map((fragment) => stableJson(fragment.fleetRepos)));
  if (lists.size > 1) warnings.push('the shards saw different project lists (a project was added or removed while they ran); a repository may be missing from this audit or reported twice');
  return warnings;
}
