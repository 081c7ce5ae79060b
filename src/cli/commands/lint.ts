import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import type { FileSource } from '../../sources/file-source.js';
import { GitIndexSource } from '../../sources/git-index.js';
import { GitTreeSource } from '../../sources/git-tree.js';
import { MemorySource } from '../../sources/memory.js';
import { OverlaySource } from '../../sources/overlay.js';
import { WorkingTreeSource } from '../../sources/working-tree.js';
import { configure } from '../configure.js';
import { inBatch, repoPath, resolveBatch } from '../file-batch.js';
import { finish } from '../finish.js';
import { locateTarget, openFleetContext } from '../../run/fleet-context.js';
import { checkChange } from '../../run/change.js';
import { compareFindings } from '../../model/finding-order.js';
import { checkRepos, loadFleetWith } from '../../run/repo-run.js';
import { OUTPUT_OPTIONS, RENDER_GROUP, RENDER_OPTIONS, outputSettings, parseCommand, type CommandSpec } from '../options.js';
import { UsageError } from '../../usage-error.js';
import { preflight } from '../preflight.js';
import { renderSettingFrom } from '../render-options.js';
import { stagedChanges } from '../file-batch.js';
import { stderr } from '../output.js';
import { renderingSummary } from '../../run/render-phase.js';
import { fixFindings } from '../../run/fix.js';
import { fixSummary } from '../fix-output.js';
import { registryDigests } from '../../run/digests.js';
import type { Repo } from '../../model/types.js';

export const LINT: CommandSpec<LintOption> = {
  name: 'lint',
  summary: 'check one repository (the hooks: --staged --since HEAD)',
  synopsis: ['fleetlint lint [<repo-dir>] [options] [files...]', 'fleetlint lint [<repo-dir>] - --stdin-filename <path> [options]'],
  description: `Checks one repository: its working tree, or with --staged what is staged for commit. With --since <ref>, only what
changed since that commit: the findings that are new against it (the pre-commit hooks pass --staged --since HEAD,
so a commit is blocked only by what it changes). Files (absolute or relative to the working directory) limit the
findings to those files; findings that belong to no file are reported with the batch that holds the repo's first
staged file, so batches add up. '-' reads one file's text from stdin (an editor's unsaved buffer) in place of
--stdin-filename, and reports that file's findings.`,
  groups: [{ options: ['staged', 'since', 'stdin-filename', 'fleet', 'snapshot', 'repo-id', 'fix', 'resolve-digests', ...OUTPUT_OPTIONS, 'baseline'] }, RENDER_GROUP],
  footer: 'Without --fleet or --snapshot, fleet-scope checks and project includes of other repos are not checked; one line says which.\nWith --staged, only the Applications whose files the staged change touches are rendered.',
};

type LintOption = 'staged' | 'since' | 'stdin-filename' | 'fleet' | 'snapshot' | 'repo-id' | 'fix' | 'resolve-digests' | 'baseline' | (typeof OUTPUT_OPTIONS)[number] | (typeof RENDER_OPTIONS)[number];

export async function lint(argv: string[]): Promise<number> {
  const startedAt = performance.now();
  const { values, positionals } = parseCommand(LINT, argv);
  const settings = outputSettings(values);
  await preflight(values, settings);
  // pre-commit passes files only; a folder first is the repository to check.
  const first = positionals[0];
  const firstInfo = first === undefined || first === '-' ? undefined : await stat(first).catch(() => undefined);
  if (first !== undefined && first !== '-' && !firstInfo) throw new UsageError(`lint ${first}: no such file or folder`);
  const folder = firstInfo?.isDirectory() === true ? first : undefined;
  const files = folder !== undefined ? positionals.slice(1) : positionals;
  const fromStdin = files.includes('-');
  if (fromStdin && files.length > 1) throw new UsageError("lint -: '-' (stdin) is the only file of the run; give no other files");
  if (fromStdin && values['stdin-filename'] === undefined) throw new UsageError('lint -: give --stdin-filename <path>, the path in the repository the text on stdin stands for');
  if (!fromStdin && values['stdin-filename'] !== undefined) throw new UsageError("--stdin-filename goes with '-' as the file (the text on stdin)");
  if (fromStdin && values.staged) throw new UsageError("lint -: the text on stdin replaces a working-tree file; --staged checks the git index instead");
  for (const file of files) {
    if (file !== '-' && !(await stat(file).catch(() => undefined))) throw new UsageError(`lint: ${file}: no such file or folder`);
  }
  if (values['resolve-digests'] && !values.fix) throw new UsageError('lint --resolve-digests goes with --fix');
  if (values.fix && (values.staged || values.since !== undefined || fromStdin)) throw new UsageError('lint --fix writes the working tree: it does not go with --staged, --since or stdin');

  const timings: Record<string, number> = {};
  let started = performance.now();
  const context = await openFleetContext({ fleet: values.fleet, snapshot: values.snapshot });
  // A folder of a --fleet root may have no .git of its own (a fleet kept in one repository); anything else must be
  // a git repository: outside one, "no problems" would be a guess about the wrong folder.
  const target = await locateTarget(context, folder, { repoId: values['repo-id'], requireGit: values.staged === true || values.since !== undefined || context.mode !== 'root' });
  // An explicit --config must exist; the default is looked for in the fleet root, else in the repo.
  const configFolder = context.mode === 'root' && context.location !== undefined ? context.location : target.dir;
  const { config, checks } = await configure(values.config, configFolder);
  timings.setup = performance.now() - started;

  const tree = (): WorkingTreeSource =>
    new WorkingTreeSource(target.dir, { boundary: target.insideRoot && context.location !== undefined ? context.location : target.dir, nestedRepoDirs: target.nestedRepoDirs });
  const stdinPath = fromStdin ? await repoPath(target.dir, resolve(values['stdin-filename'] ?? '')) : undefined;
  if (fromStdin && stdinPath === undefined) throw new UsageError(`--stdin-filename ${values['stdin-filename'] ?? ''} is not a path in the repository at ${target.dir}`);
  const source: FileSource & { close?: () => void } = values.staged
    ? new GitIndexSource(target.dir)
    : stdinPath !== undefined
      ? new OverlaySource(tree(), { [stdinPath]: await readStdin() })
      : tree();
  const sinceCommit = values.since === undefined ? undefined : await commitOrEmpty(target.dir, values.since);
  const base: (FileSource & { close?: () => void }) | undefined =
    sinceCommit === undefined ? undefined : sinceCommit === EMPTY ? new MemorySource({}) : new GitTreeSource(target.dir, sinceCommit);
  try {
    started = performance.now();
    // A commit renders what it touches: the Applications whose manifests or inputs are staged (see
    // RenderOptions.changedFiles); with --since, the same Applications on both sides.
    const changed = values.staged === true ? new Map([[target.id, await stagedChanges(target.dir)]]) : undefined;
    const render = renderSettingFrom(values, changed);
    let result;
    let rendering: string | undefined;
    // The fleet's repos with their images, for --resolve-digests (--fix goes without --since: the fleet is loaded).
    let repos: readonly Repo[] = [];
    if (base) {
      const change = await checkChange({ context, target, base, head: source, config, checks, withConsumers: false, render, timings });
      // The skip notes stay (as one line in the text output): what the hook could not check is said, not hidden.
      const notChecked = change.head.findings.filter((finding) => finding.data?.kind === 'skipped');
      result = { ...change.head, findings: [...change.added, ...notChecked].sort(compareFindings) };
      rendering = change.rendering;
    } else {
      const fleet = await loadFleetWith(context, target.id, source, target.dir, config, render, timings);
      repos = fleet.repos;
      timings.model = performance.now() - started - (timings.render ?? 0);
      rendering = renderingSummary(fleet.desired);
      started = performance.now();
      result = await checkRepos(fleet, { repoIds: new Set([target.id]), target: target.id, checks, config, fleetLoaded: context.mode !== 'none' });
    }
    // Never silent: rendering off or partly static is one line (the reports hold it as a render-skipped note too).
    if (rendering !== undefined && values['no-render'] !== true && !settings.quiet) stderr(`fleetlint: ${rendering}`);
    const batch = stdinPath !== undefined ? { files: new Set([stdinPath]), reportsRepoLevel: false } : await resolveBatch(target.dir, files, { staged: values.staged === true, source });
    timings.checks = performance.now() - started;
    if (values.fix) {
      // ESLint's habit: fix what can be fixed, then report what is left, from a fresh check of the fixed files.
      const findings = result.findings.filter((finding) => inBatch(finding, batch));
      const digests = values['resolve-digests'] === true ? { digests: { repos, resolve: registryDigests() } } : {};
      const run = await fixFindings(findings, { dirOf: (repo) => (repo === target.id ? target.dir : undefined), dryRun: false, ...digests });
      if (run.written.length > 0 || run.skipped.length > 0) stderr(fixSummary(run, { dryRun: false }).trimEnd());
      if (run.written.length > 0) return await lint(argv.filter((arg) => arg !== '--fix' && arg !== '--resolve-digests'));
    }
    return await finish({ ...result, findings: result.findings.filter((finding) => inBatch(finding, batch)) }, [target.id], {
      ...settings,
      command: 'lint',
      ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
      startedAt,
      phaseTimings: timings,
    });
  } finally {
    source.close?.();
    base?.close?.();
  }
}

/** The commit before the first has no tree: everything staged for it is new. */
const EMPTY = Symbol('no commit yet');

async function commitOrEmpty(dir: string, ref: string): Promise<string | typeof EMPTY> {
  if (ref.startsWith('-')) throw new UsageError(`--since ${ref}: not a git ref`);
  const git = simpleGit({ baseDir: dir });
  const sha = await git
    .revparse(['--verify', '--quiet', `${ref}^{commit}`])
    .then((output) => output.trim())
    .catch(() => '');
  if (/^[0-9a-f]{40,64}$/.test(sha)) return sha;
  // HEAD in a repository without commits yet (the first commit): nothing to compare with.
  if (ref === 'HEAD' && (await git.raw(['rev-list', '-n', '1', '--all']).catch(() => '')).trim() === '') return EMPTY;
  throw new UsageError(`--since ${ref} is not a commit in ${dir}`);
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
