import { resolve, relative, sep } from 'node:path';
import { stat } from 'node:fs/promises';
import { configure } from '../configure.js';
import { auditChecks } from '../../run/audit.js';
import { localCandidates, openFleet } from '../../run/open-fleet.js';
import { fileKey, fixFindings, type FixRun } from '../../run/fix.js';
import { registryDigests, type DigestFixOptions } from '../../run/digests.js';
import { wavePlanFixes, wavePlanTable } from '../../run/waves.js';
import { unifiedDiff } from '../../engine/fix/apply.js';
import { fixSummary } from '../fix-output.js';
import { parseCommand, type CommandSpec } from '../options.js';
import { stderr } from '../output.js';
import { UsageError } from '../../usage-error.js';
import { EXIT } from '../../exit-codes.js';
import type { Check } from '../../engine/check.js';
import type { FleetlintConfig } from '../../engine/config-types.js';

export const FIX: CommandSpec<FixOption> = {
  name: 'fix',
  summary: 'repair what the findings say how to repair (--dry-run: the diff)',
  synopsis: ['fleetlint fix <fleet-root> [files...] [--rule <id>]... [--resolve-digests] [--dry-run]'],
  description: `Checks the fleet as audit does and applies the fixes its findings carry, and the sync-wave plan of
"fleetlint waves plan": each fix whole or not at all, each file written atomically; a fix that no longer fits the
file is skipped and named. Then checks again and applies what the first fixes made possible, until nothing is left
to fix. Files (absolute or relative to the working directory) limit the fixes to those files' findings. With
--dry-run no file changes: the fixes are printed as a unified diff. Images are pinned to digests only with
--resolve-digests, which asks their registries.`,
  groups: [{ options: ['rule', 'resolve-digests', 'dry-run', 'config', 'quiet'] }],
  footer: 'Exit code 0 when every fix was applied (or would be), 1 when one was skipped. docs/fix.md lists what each rule can fix.',
};

type FixOption = 'rule' | 'resolve-digests' | 'dry-run' | 'config' | 'quiet';

/** Passes of check-and-fix: a fix may make another finding's fix possible (ESLint stops after 10 too). */
const MAX_PASSES = 10;

export async function fix(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(FIX, argv);
  const [root, ...paths] = positionals;
  if (root === undefined) throw new UsageError('fix needs a fleet root folder');
  const { config, checks } = await configure(values.config, root);
  const rules = values.rule === undefined ? undefined : new Set(values.rule);
  const known = new Set(checks.map((check) => check.meta.id));
  const unknown = [...(rules ?? [])].find((id) => !known.has(id));
  if (unknown !== undefined) throw new UsageError(`fix --rule ${unknown}: no such rule`);
  const dryRun = values['dry-run'] === true;
  // One resolver for every pass: an image the registry did not give is not asked for again.
  const digests = values['resolve-digests'] === true ? registryDigests() : undefined;

  const runs: FixRun[] = [];
  for (let pass = 0; pass < (dryRun ? 1 : MAX_PASSES); pass++) {
    const run = await fixPass(root, paths, { config, checks, dryRun, ...(rules ? { rules } : {}), ...(digests ? { digests } : {}) });
    runs.push(run);
    if (run.written.length === 0) break;
  }
  const last = runs[runs.length - 1];
  if (!last) return EXIT.ok;
  // What every pass applied and wrote; what the last pass skipped is what is left.
  const total: FixRun = {
    ...last,
    applied: runs.flatMap((run) => run.applied),
    written: runs.flatMap((run) => run.written),
    changes: runs.flatMap((run) => run.changes),
  };
  if (dryRun) process.stdout.write(unifiedDiff(last.changes));
  const summary = fixSummary(total, { dryRun });
  if (dryRun) {
    if (!values.quiet) stderr(summary.trimEnd());
  } else process.stdout.write(summary);
  return last.skipped.length > 0 || last.changedMeanwhile.length > 0 ? EXIT.findings : EXIT.ok;
}

async function fixPass(root: string, paths: readonly string[], options: { config: FleetlintConfig; checks: readonly Check[]; dryRun: boolean; rules?: ReadonlySet<string>; digests?: DigestFixOptions['resolve'] }): Promise<FixRun> {
  const candidates = await localCandidates(root);
  const dirOf = candidates.dirOf ?? ((): undefined => undefined);
  const files = paths.length === 0 ? undefined : await fileKeys(paths, candidates.ids, dirOf);
  const opened = await openFleet(candidates, { providers: options.config.providers, scanners: options.config.scanners, config: options.config });
  const { result } = await auditChecks(opened, { config: options.config, checks: options.checks });
  const base = { dirOf, dryRun: options.dryRun, ...(options.rules ? { rules: options.rules } : {}), ...(files ? { files } : {}) };
  const fromFindings = await fixFindings(result.findings, { ...base, ...(options.digests ? { digests: { repos: opened.fleet.repos, resolve: options.digests } } : {}) });
  // The wave plan is computed from the fleet as it is: after the findings' fixes (a spec.syncWaves moved to the
  // annotation changes a wave), so only in a pass that has none left.
  const withWaves = (options.rules === undefined || options.rules.has('sync-wave-order')) && files === undefined;
  if (!withWaves || fromFindings.changes.length > 0) return fromFindings;
  const waves = wavePlanFixes(opened.fleet, options.config);
  if (waves.plan.kind !== 'plan') stderr(`fleetlint: sync waves: ${wavePlanTable(waves.plan).trimEnd()}`);
  const fromPlan = await fixFindings([], { ...base, extra: waves.fixes });
  // What the findings' pass skipped (an image no registry gave) stays said.
  return { ...fromPlan, skipped: [...fromFindings.skipped, ...fromPlan.skipped] };
}

/** The files given on the command line as `repo\0file` keys of the fleet's repos. */
async function fileKeys(paths: readonly string[], ids: readonly string[], dirOf: (id: string) => string | undefined): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(path);
    if (!(await stat(absolute).catch(() => undefined))) throw new UsageError(`fix: ${path}: no such file`);
    const owner = ids
      .map((id) => ({ id, dir: dirOf(id) }))
      .filter((entry): entry is { id: string; dir: string } => entry.dir !== undefined && (absolute + sep).startsWith(entry.dir + sep))
      .sort((a, b) => b.dir.length - a.dir.length)[0];
    if (!owner) throw new UsageError(`fix: ${path} is in no repository of the fleet`);
    keys.add(fileKey(owner.id, relative(owner.dir, absolute).split(sep).join('/')));
  }
  return keys;
}
