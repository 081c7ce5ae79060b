import { Chalk, type ChalkInstance } from 'chalk';
import { simpleGit } from 'simple-git';
import type { RunResult } from '../../engine/runner.js';
import type { Finding, Severity } from '../../model/findings.js';
import { reportChunks, type ReportInput } from '../../report/index.js';
import { GitTreeSource } from '../../sources/git-tree.js';
import { configure } from '../configure.js';
import { exitCode, reported } from '../finish.js';
import { locateTarget, openFleetContext, type FleetContext, type TargetRepo } from '../../run/fleet-context.js';
import { checkChange } from '../../run/change.js';
import { OUTPUT_OPTIONS, RENDER_GROUP, RENDER_OPTIONS, outputSettings, parseCommand, type CommandSpec, type OutputSettings } from '../options.js';
import { UsageError } from '../../usage-error.js';
import { toolVersion } from '../../package.js';
import { writeFileAtomic } from '../../write-atomic.js';
import { writeReport } from '../write-report.js';
import { preflight } from '../preflight.js';
import { oneLine } from '../../terminal-text.js';
import { renderSettingFrom } from '../render-options.js';
import { stderr } from '../output.js';

export const MR: CommandSpec<MrOption> = {
  name: 'mr',
  summary: 'check a merge request: new findings here and in consumers',
  synopsis: ['fleetlint mr [<repo-dir>] [options]'],
  description: `Checks a merge request: the repository at HEAD against its base, failing on findings the change adds.
With --fleet, also the repositories that consume this one (include its CI templates, deploy its files,
depend on its Applications), each with the fleet holding this repo at HEAD and at the base. Reports hold the
new findings; other repositories' paths are prefixed with their repo id.`,
  groups: [{ options: ['base', 'fleet', 'snapshot', 'repo-id', ...OUTPUT_OPTIONS] }, RENDER_GROUP],
};

type MrOption = 'base' | 'fleet' | 'snapshot' | 'repo-id' | (typeof OUTPUT_OPTIONS)[number] | (typeof RENDER_OPTIONS)[number];

/** What a merge request changes: findings it adds and fixes, and the consumers it breaks. */
export interface MrOutcome {
  repo: string;
  head: string;
  base: string;
  baseRef: string;
  /** New findings (not suppressed), this repo's and its consumers'. */
  added: Finding[];
  fixed: Finding[];
  /** Consumers checked, with why they consume this repo; undefined without fleet facts. */
  consumers?: Map<string, Set<string>>;
  /** Rule ids that were not checked for want of fleet facts (from the notes). */
  skipped: string[];
  rules: RunResult['rules'];
  /** Said before the findings: a --repo-id the fleet does not know. */
  warnings: string[];
}

export async function mr(argv: string[]): Promise<number> {
  const startedAt = performance.now();
  const { values, positionals } = parseCommand(MR, argv);
  if (positionals.length > 1) throw new UsageError('mr takes at most one repository folder');
  const settings = outputSettings(values);
  await preflight({}, settings);
  const baseRef = baseRefFrom(values.base, process.env);

  const context = await openFleetContext({ fleet: values.fleet, snapshot: values.snapshot });
  const target = await locateTarget(context, positionals[0], { repoId: values['repo-id'], requireGit: true });
  const base = await commitOf(target.dir, baseRef, 'base');
  const head = await commitOf(target.dir, 'HEAD', 'HEAD');
  // An explicit --config must exist; the default is looked for in the fleet root, else in the repo.
  const configFolder = context.mode === 'root' && context.location !== undefined ? context.location : target.dir;
  const { config, checks } = await configure(values.config, configFolder);

  const headSource = new GitTreeSource(target.dir, head);
  const baseSource = new GitTreeSource(target.dir, base);
  try {
    const change = await checkChange({ context, target, base: baseSource, head: headSource, config, checks, withConsumers: true, render: renderSettingFrom(values) });
    // Never silent: rendering off or partly static is one line (the reports hold it as a render-skipped note too).
    if (change.rendering !== undefined && values['no-render'] !== true && !settings.quiet) stderr(`fleetlint: ${change.rendering}`);
    const outcome: MrOutcome = {
      repo: target.id,
      head,
      base,
      baseRef,
      added: change.added,
      fixed: change.fixed,
      ...(change.consumers ? { consumers: change.consumers } : {}),
      skipped: change.skipped,
      rules: change.head.rules,
      warnings: unknownRepoWarning(context, target),
    };
    await writeReports(outcome, settings, { durationMs: performance.now() - startedAt, headResult: change.head });
    return exitCode(outcome.added, settings);
  } finally {
    headSource.close();
    baseSource.close();
  }
}

/**
 * A --repo-id (or an id from the origin remote) that the fleet does not hold: the repository is checked as a new
 * one, so nothing consumes it and the fleet's copy of it, if it has one under another id, is checked twice.
 */
export function unknownRepoWarning(context: FleetContext, target: Pick<TargetRepo, 'id' | 'idFrom'>): string[] {
  if (context.mode === 'none' || context.repos.some((repo) => repo.id === target.id)) return [];
  const source = context.mode === 'snapshot' ? 'snapshot' : 'fleet root';
  return [`${target.id} (${target.idFrom === '--repo-id' ? 'from --repo-id' : `from the ${target.idFrom}`}) is not a repository of the ${source} ${context.location ?? ''}: it is checked as a new repository, and no consumers are found; check the id`];
}

/** The base from the option, else from GitLab's merge-request pipeline variables. */
export function baseRefFrom(option: string | undefined, env: NodeJS.ProcessEnv): string {
  if (option !== undefined && option !== '') return option;
  const sha = env.CI_MERGE_REQUEST_DIFF_BASE_SHA;
  if (sha !== undefined && sha !== '') return sha;
  const branch = env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME;
  if (branch !== undefined && branch !== '') return `origin/${branch}`;
  throw new UsageError(
    'mr needs the base to compare with: pass --base <ref>, or run it in a merge-request pipeline, where GitLab sets CI_MERGE_REQUEST_DIFF_BASE_SHA and CI_MERGE_REQUEST_TARGET_BRANCH_NAME',
  );
}

async function commitOf(dir: string, ref: string, what: string): Promise<string> {
  if (ref.startsWith('-')) throw new UsageError(`--base ${ref}: not a git ref`);
  // `--quiet` makes git exit 1 with no output for an unknown ref, which simple-git does not treat as an error.
  const sha = await simpleGit({ baseDir: dir })
    .revparse(['--verify', '--quiet', `${ref}^{commit}`])
    .then((output) => output.trim())
    .catch(() => '');
  if (/^[0-9a-f]{40,64}$/.test(sha)) return sha;
  const hint = what === 'base' ? ': fetch it first (GIT_DEPTH: 0, or git fetch origin <target-branch>)' : '';
  throw new UsageError(`${what} ${ref} is not a commit in ${dir}${hint}`);
}

/** Consumers with new warnings or errors: the repos this merge request would break. */
export function brokenConsumers(outcome: MrOutcome): Map<string, Finding[]> {
  const broken = new Map<string, Finding[]>();
  for (const finding of outcome.added) {
    if (finding.repo === outcome.repo || finding.severity === 'note') continue;
    broken.set(finding.repo, [...(broken.get(finding.repo) ?? []), finding]);
  }
  return broken;
}

async function writeReports(outcome: MrOutcome, settings: OutputSettings, options: { durationMs: number; headResult: RunResult }): Promise<void> {
  const added = reported(outcome.added, settings);
  const input: ReportInput = {
    result: { ...options.headResult, findings: added },
    toolVersion: toolVersion(),
    repos: [outcome.repo],
    command: 'mr',
    durationMs: options.durationMs,
    ...(settings.docsUrl !== undefined ? { docsBaseUrl: settings.docsUrl } : {}),
  };
  // JUnit lists every rule per repository: the ones left out for want of fleet facts are skipped, not passed.
  const notChecked = options.headResult.findings.filter((finding) => finding.data?.kind === 'skipped');
  for (const request of settings.formats) {
    if (request.format !== 'text') {
      await writeReport(request.path, reportChunks(request.format, request.format === 'junit' ? { ...input, result: { ...input.result, findings: [...added, ...notChecked] } } : input));
      continue;
    }
    const text = renderMrText({ ...outcome, added, fixed: reported(outcome.fixed, settings) }, request.path === undefined && settings.color);
    if (request.path === undefined) {
      process.stdout.write(text);
    } else {
      await writeFileAtomic(request.path, text);
    }
  }
}

/** The job log: new findings, fixed ones, the consumers it would break, and what was not checked. */
export function renderMrText(outcome: MrOutcome, color = false): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const short = (sha: string): string => sha.slice(0, 8);
  const baseLabel = outcome.baseRef === outcome.base ? short(outcome.base) : `${outcome.baseRef} (${short(outcome.base)})`;
  const blocks: string[] = [paint.bold(`fleetlint mr: ${outcome.repo} at ${short(outcome.head)} against ${baseLabel}`)];

  if (outcome.warnings.length > 0) blocks.push(outcome.warnings.map((warning) => paint.yellow(`Warning: ${warning}`)).join('\n'));
  if (outcome.added.length > 0) blocks.push([paint.bold(`New problems (${outcome.added.length}):`), ...findingLines(outcome.added, outcome.repo, paint, true)].join('\n'));
  if (outcome.fixed.length > 0) blocks.push([paint.bold(`Fixed by this merge request (${outcome.fixed.length}):`), ...findingLines(outcome.fixed, outcome.repo, paint, false)].join('\n'));

  const broken = brokenConsumers(outcome);
  if (broken.size > 0) {
    const lines = [paint.red.bold('This merge request would break:')];
    for (const [repo, findings] of broken) {
      const why = [...(outcome.consumers?.get(repo) ?? [])].sort().join('; ');
      lines.push(`  ${paint.bold(repo)}${why === '' ? '' : paint.dim(` (${why})`)}`);
      for (const finding of findings) lines.push(`    ${finding.ruleId}: ${oneLine(finding.message)}`);
    }
    blocks.push(lines.join('\n'));
  }

  const notes: string[] = [];
  if (outcome.consumers === undefined) notes.push('Consumers of this repository were not checked: pass --fleet <fleet-root|snapshot> to see what this merge request breaks elsewhere.');
  else if (outcome.consumers.size === 0) notes.push(`No other repository of the fleet consumes ${outcome.repo}.`);
  else {
    const names = [...outcome.consumers.keys()];
    const more = names.length > SHOWN_CONSUMERS ? `, and ${names.length - SHOWN_CONSUMERS} more` : '';
    notes.push(`Checked ${plural(names.length, 'consumer')}: ${names.slice(0, SHOWN_CONSUMERS).join(', ')}${more}.`);
  }
  if (outcome.skipped.length > 0) notes.push(`Not checked without fleet facts: ${outcome.skipped.join(', ')}.`);
  blocks.push(paint.dim(notes.join('\n')));

  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const finding of outcome.added) counts[finding.severity] += 1;
  const fixed = outcome.fixed.length > 0 ? `, ${outcome.fixed.length} fixed` : '';
  blocks.push(
    outcome.added.length === 0
      ? paint.green(`No new problems${fixed}.`)
      : (counts.error > 0 ? paint.red.bold : paint.yellow.bold)(`${plural(outcome.added.length, 'new problem')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')})${fixed}.`),
  );
  return `${blocks.join('\n\n')}\n`;
}

/**
 * One line per finding: `file:line:col  severity  message  rule`. This repository's paths are as in the repository;
 * another repository's (a consumer's) are prefixed with its id. Locations are aligned; messages are not padded, so
 * a long message makes no line longer than itself.
 */
function findingLines(findings: readonly Finding[], own: string, paint: ChalkInstance, showSeverity: boolean): string[] {
  const rows = findings.map((finding) => {
    const position = finding.range ? `:${finding.range.startLine}:${finding.range.startColumn}` : '';
    const file = finding.file === undefined || finding.file === '' ? undefined : `${finding.file}${position}`;
    const location = finding.repo === own ? (file ?? '-') : file === undefined ? finding.repo : `${finding.repo}/${file}`;
    return { location: oneLine(location), severity: finding.severity, message: oneLine(finding.message), ruleId: finding.ruleId };
  });
  const locationWidth = rows.reduce((max, row) => Math.max(max, row.location.length), 0);
  return rows.map((row) =>
    [
      `  ${paint.dim(row.location.padEnd(locationWidth))}`,
      ...(showSeverity ? [SEVERITY_COLOR[row.severity](paint)(row.severity.padEnd(7))] : []),
      `${row.message}  ${paint.dim(row.ruleId)}`,
    ].join('  '),
  );
}

/** Consumers named in the closing note; a template repo may have hundreds. */
const SHOWN_CONSUMERS = 10;

const SEVERITY_COLOR: Record<Severity, (paint: ChalkInstance) => ChalkInstance> = {
  error: (paint) => paint.red,
  warning: (paint) => paint.yellow,
  note: (paint) => paint.blue,
};

function plural(count: number, singular: string): string {
  return `${count} ${count === 1 ? singular : `${singular}s`}`;
}
