import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { FileSource } from '../../sources/file-source.js';
import { GitIndexSource } from '../../sources/git-index.js';
import { WorkingTreeSource } from '../../sources/working-tree.js';
import { configure } from '../configure.js';
import { inBatch, resolveBatch } from '../file-batch.js';
import { finish } from '../finish.js';
import { locateTarget, openFleetContext } from '../../run/fleet-context.js';
import { parseFormats } from '../formats.js';
import { shouldColor } from '../output.js';
import { checkRepos, loadFleetWith } from '../../run/repo-run.js';
import { parseFailOn } from './audit.js';
import { RENDER_OPTIONS, RENDER_USAGE, renderSettingFrom } from '../render-options.js';
import { stagedChanges } from '../file-batch.js';
import { stderr } from '../output.js';
import { renderingSummary } from '../../run/render-phase.js';

export const LINT_USAGE = `fleetlint lint [<repo-dir>] [options] [files...]

Checks one repository: its working tree, or with --staged what is staged for commit (the pre-commit hook).
Files (absolute or relative to the working directory) limit the findings to those files; findings that
belong to no file are reported with the batch that holds the repo's first staged file, so batches add up.

  --staged                   check the git index, not the working tree
  --fleet <fleet-root>       the rest of the fleet, for cross-repo checks and project includes
                             (this repo replaces the fleet's copy of itself); a snapshot file works too
  --snapshot <file>          a fleet snapshot written by audit --write-snapshot, instead of --fleet
  --repo-id <id>             the repo's id in the fleet (default: its path under --fleet, else from the
                             origin remote and the fleet's group, else the folder name)
  --config <file>            fleetlint.config.yaml (default: in the fleet root, else in the repo)
  --format <name>[=<path>]   text (default), json, sarif, junit, codequality; repeatable
  --fail-on <level>          error (default), warning, note or never
  --baseline <file>          report only findings whose fingerprints are not in it

Without --fleet or --snapshot, fleet-scope checks and project includes of other repos are not checked:
a note says so for each. With --staged, only the Applications whose files the staged change touches are
rendered.

${RENDER_USAGE}`;

const OPTIONS = {
  staged: { type: 'boolean', default: false },
  fleet: { type: 'string' },
  snapshot: { type: 'string' },
  'repo-id': { type: 'string' },
  config: { type: 'string' },
  format: { type: 'string', multiple: true },
  'fail-on': { type: 'string', default: 'error' },
  baseline: { type: 'string' },
  ...RENDER_OPTIONS,
} as const;

export async function lint(argv: string[]): Promise<number> {
  const startedAt = performance.now();
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const failOn = parseFailOn(values['fail-on']);
  const formats = parseFormats(values.format ?? []);
  // pre-commit passes files only; a folder first is the repository to check.
  const first = positionals[0];
  const firstIsFolder = first !== undefined && (await stat(first).catch(() => undefined))?.isDirectory() === true;
  const folder = firstIsFolder ? first : undefined;
  const files = firstIsFolder ? positionals.slice(1) : positionals;

  const timings: Record<string, number> = {};
  let started = performance.now();
  const context = await openFleetContext({ fleet: values.fleet, snapshot: values.snapshot });
  const target = await locateTarget(context, folder, { repoId: values['repo-id'], requireGit: values.staged });
  // An explicit --config must exist; the default is looked for in the fleet root, else in the repo.
  const configFolder = context.mode === 'root' && context.location !== undefined ? context.location : target.dir;
  const { config, checks } = await configure(values.config, configFolder);
  timings.setup = performance.now() - started;

  const source: FileSource & { close?: () => void } = values.staged
    ? new GitIndexSource(target.dir)
    : new WorkingTreeSource(target.dir, { boundary: target.insideRoot && context.location !== undefined ? context.location : target.dir, nestedRepoDirs: target.nestedRepoDirs });
  try {
    started = performance.now();
    // A commit renders what it touches: the Applications whose manifests or inputs are staged (see RenderOptions.changedFiles).
    const changed = values.staged ? new Map([[target.id, await stagedChanges(target.dir)]]) : undefined;
    const fleet = await loadFleetWith(context, target.id, source, target.dir, config, renderSettingFrom(values, changed), timings);
    timings.model = performance.now() - started - (timings.render ?? 0);
    const rendering = renderingSummary(fleet.desired);
    if (rendering !== undefined && !values['no-render']) stderr(`fleetlint: ${rendering}`);
    started = performance.now();
    const result = await checkRepos(fleet, { repoIds: new Set([target.id]), target: target.id, checks, config, fleetLoaded: context.mode !== 'none' });
    const batch = await resolveBatch(target.dir, files, { staged: values.staged, source });
    timings.checks = performance.now() - started;
    return await finish({ ...result, findings: result.findings.filter((finding) => inBatch(finding, batch)) }, [target.id], {
      command: 'lint',
      formats,
      failOn,
      ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
      color: shouldColor(),
      startedAt,
      phaseTimings: timings,
    });
  } finally {
    source.close?.();
  }
}
