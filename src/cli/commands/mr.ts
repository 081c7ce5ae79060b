import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Chalk, type ChalkInstance } from 'chalk';
import { simpleGit } from 'simple-git';
import type { RunResult } from '../../engine/runner.js';
import type { Finding, Severity } from '../../model/findings.js';
import { renderReport, type ReportInput } from '../../report/index.js';
import { GitTreeSource } from '../../sources/git-tree.js';
import { consumersIn } from '../../run/blast-radius.js';
import { configure } from '../configure.js';
import { failing } from '../finish.js';
import { CachedSource, locateTarget, openFleetContext, type FleetContext } from '../../run/fleet-context.js';
import { parseFormats, type FormatRequest } from '../formats.js';
import { shouldColor } from '../output.js';
import { checkRepos, loadFleetWith } from '../../run/repo-run.js';
import { EXIT, UsageError } from '../../usage-error.js';
import { toolVersion } from '../../package.js';
import { parseFailOn } from './audit.js';
import { RENDER_OPTIONS, RENDER_USAGE, renderSettingFrom } from '../render-options.js';
import { stderr } from '../output.js';
import { renderingSummary } from '../../run/render-phase.js';

export const MR_USAGE = `fleetlint mr [<repo-dir>] [options]

Checks a merge request: the repository at HEAD against its base, failing on findings the change adds.
With --fleet, also the repositories that consume this one (include its CI templates, deploy its files,
depend on its Applications), each with the fleet holding this repo at HEAD and at the base.

  --base <ref>               the base to compare with (default: $CI_MERGE_REQUEST_DIFF_BASE_SHA, else
                             origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME)
  --fleet <root|snapshot>    the rest of the fleet: a fleet root folder or an audit --write-snapshot file
  --snapshot <file>          the same as --fleet with a snapshot file
  --repo-id <id>             the repo's id in the fleet (default: from the fleet root, the origin remote
                             and the fleet's group, else the folder name)
  --config <file>            fleetlint.config.yaml (default: in the fleet root, else in the repo)
  --format <name>[=<path>]   text (default), json, sarif, junit, codequality; repeatable; reports hold
                             the new findings, other repos' paths prefixed with their repo id
  --fail-on <level>          error (default), warning, note or never: new findings at or above it fail

${RENDER_USAGE}`;

const OPTIONS = {
  base: { type: 'string' },
  fleet: { type: 'string' },
  snapshot: { type: 'string' },
  'repo-id': { type: 'string' },
  config: { type: 'string' },
  format: { type: 'string', multiple: true },
  'fail-on': { type: 'string', default: 'error' },
  ...RENDER_OPTIONS,
} as const;

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
}

export async function mr(argv: string[]): Promise<number> {
  const startedAt = performance.now();
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageError('mr takes at most one repository folder');
  const failOn = parseFailOn(values['fail-on']);
  const formats = parseFormats(values.format ?? []);
  const baseRef = baseRefFrom(values.base, process.env);

  const context = await openFleetContext({ fleet: values.fleet, snapshot: values.snapshot });
  const target = await locateTarget(context, positionals[0], { repoId: values['repo-id'], requireGit: true });
  const base = await commitOf(target.dir, baseRef, 'base');
  const head = await commitOf(target.dir, 'HEAD', 'HEAD');
  // An explicit --config must exist; the default is looked for in the fleet root, else in the repo.
  const configFolder = context.mode === 'root' && context.location !== undefined ? context.location : target.dir;
  const { config, checks } = await configure(values.config, configFolder);

  // The rest of the fleet is the same on both sides: read once.
  const shared: FleetContext = { ...context, repos: context.repos.map((repo) => ({ id: repo.id, source: new CachedSource(repo.source) })) };
  const headSource = new GitTreeSource(target.dir, head);
  const baseSource = new GitTreeSource(target.dir, base);
  try {
    const render = renderSettingFrom(values);
    const headFleet = await loadFleetWith(shared, target.id, headSource, target.dir, config, render);
    const baseFleet = await loadFleetWith(shared, target.id, baseSource, target.dir, config, render);
    const rendering = renderingSummary(headFleet.desired);
    if (rendering !== undefined && !values['no-render']) stderr(`fleetlint: ${rendering}`);
    const fleetLoaded = context.mode !== 'none';
    const consumers = fleetLoaded ? consumersIn([headFleet, baseFleet], target.id) : undefined;
    const repoIds = new Set([target.id, ...(consumers?.keys() ?? [])]);
    const run = { repoIds, target: target.id, checks, config, fleetLoaded };
    const headResult = await checkRepos(headFleet, run);
    const baseResult = await checkRepos(baseFleet, run);

    // A rule skipped on either side (no fleet facts) is not compared: its findings on the other side are no news.
    const skipped = new Set([...skippedRules(baseResult), ...skippedRules(headResult)]);
    const { added, fixed } = compareRuns(baseResult, headResult);
    const compared = (finding: Finding): boolean => !(finding.repo === target.id && skipped.has(finding.ruleId));
    const outcome: MrOutcome = {
      repo: target.id,
      head,
      base,
      baseRef,
      added: added.filter(compared),
      fixed: fixed.filter(compared),
      ...(consumers ? { consumers } : {}),
      skipped: [...skipped].sort(),
      rules: headResult.rules,
    };
    await writeReports(outcome, formats, { color: shouldColor(), durationMs: performance.now() - startedAt, headResult });
    return failing(outcome.added, failOn) ? EXIT.findings : EXIT.ok;
  } finally {
    headSource.close();
    baseSource.close();
  }
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

/** New findings (in head, not in base, by fingerprint; suppressed ones never count) and fixed ones (gone from head). */
export function compareRuns(base: RunResult, head: RunResult): { added: Finding[]; fixed: Finding[] } {
  const active = (findings: readonly Finding[]): Finding[] => findings.filter((finding) => !finding.suppression);
  const baseActive = new Set(active(base.findings).map((finding) => finding.fingerprint));
  const headAll = new Set(head.findings.map((finding) => finding.fingerprint));
  return {
    added: active(head.findings).filter((finding) => !baseActive.has(finding.fingerprint)),
    fixed: active(base.findings).filter((finding) => !headAll.has(finding.fingerprint)),
  };
}

/** Rules a run left out for want of fleet facts: the ones its skip notes name. */
function skippedRules(result: RunResult): string[] {
  return result.findings.filter((finding) => finding.data?.kind === 'skipped').map((finding) => finding.ruleId);
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

async function writeReports(outcome: MrOutcome, formats: readonly FormatRequest[], options: { color: boolean; durationMs: number; headResult: RunResult }): Promise<void> {
  const input: ReportInput = {
    result: { ...options.headResult, findings: outcome.added },
    toolVersion: toolVersion(),
    repos: [outcome.repo],
    command: 'mr',
    durationMs: options.durationMs,
  };
  for (const request of formats) {
    const text = request.format === 'text' ? renderMrText(outcome, request.path === undefined && options.color) : renderReport(request.format, input);
    if (request.path === undefined) {
      process.stdout.write(text);
    } else {
      await mkdir(dirname(request.path), { recursive: true });
      await writeFile(request.path, text);
    }
  }
}

/** The job log: new findings, fixed ones, the consumers it would break, and what was not checked. */
export function renderMrText(outcome: MrOutcome, color = false): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const short = (sha: string): string => sha.slice(0, 8);
  const baseLabel = outcome.baseRef === outcome.base ? short(outcome.base) : `${outcome.baseRef} (${short(outcome.base)})`;
  const blocks: string[] = [paint.bold(`fleetlint mr: ${outcome.repo} at ${short(outcome.head)} against ${baseLabel}`)];

  if (outcome.added.length > 0) blocks.push([paint.bold(`New problems (${outcome.added.length}):`), ...findingLines(outcome.added, paint, true)].join('\n'));
  if (outcome.fixed.length > 0) blocks.push([paint.bold(`Fixed by this merge request (${outcome.fixed.length}):`), ...findingLines(outcome.fixed, paint, false)].join('\n'));

  const broken = brokenConsumers(outcome);
  if (broken.size > 0) {
    const lines = [paint.red.bold('This merge request would break:')];
    for (const [repo, findings] of broken) {
      const why = [...(outcome.consumers?.get(repo) ?? [])].sort().join('; ');
      lines.push(`  ${paint.bold(repo)}${why === '' ? '' : paint.dim(` (${why})`)}`);
      for (const finding of findings) lines.push(`    ${finding.ruleId}: ${visible(finding.message)}`);
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

/** One aligned line per finding: `repo/file:line:col  severity  message  rule`, the repo prefixed as in the reports. */
function findingLines(findings: readonly Finding[], paint: ChalkInstance, showSeverity: boolean): string[] {
  const rows = findings.map((finding) => {
    const file = finding.file === undefined || finding.file === '' ? '' : `/${finding.file}${finding.range ? `:${finding.range.startLine}:${finding.range.startColumn}` : ''}`;
    return { location: visible(`${finding.repo}${file}`), severity: finding.severity, message: visible(finding.message), ruleId: finding.ruleId };
  });
  const width = (pick: (row: (typeof rows)[number]) => string): number => rows.reduce((max, row) => Math.max(max, pick(row).length), 0);
  const [locationWidth, messageWidth] = [width((row) => row.location), width((row) => row.message)];
  return rows.map((row) =>
    [
      `  ${paint.dim(row.location.padEnd(locationWidth))}`,
      ...(showSeverity ? [SEVERITY_COLOR[row.severity](paint)(row.severity.padEnd(7))] : []),
      row.message.padEnd(messageWidth),
      paint.dim(row.ruleId),
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

/** A file's content must not send escape sequences to the job log. */
function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}
