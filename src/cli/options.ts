/**
 * Every command-line option of fleetlint, declared once: its type, its short name, its value's placeholder and its
 * help. A command names the options it takes (`CommandSpec.groups`); `parseCommand` parses them with node's
 * parseArgs and `commandUsage` writes the command's help from the same table, so help and parsing cannot drift.
 * Values that need checking (--fail-on, --max-warnings, --format, colour) are turned into typed settings once, by
 * `outputSettings`, for every command.
 */
import { parseArgs } from 'node:util';
import { REPORT_FORMATS } from '../report/types.js';
import type { Severity } from '../model/findings.js';
import { THREADED_FLEET_SIZE } from '../concurrency.js';
import { TOKEN_ENV_VAR } from '../crawl/gitlab-api.js';
import { UsageError } from '../usage-error.js';
import { parseFormats, type FormatRequest } from './formats.js';

interface OptionDef {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the help (`<file>`); string options only. */
  value?: string;
  help: string;
}

export const OPTIONS = {
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' },
  config: { type: 'string', short: 'c', value: '<file>', help: 'fleetlint.config.yaml (default: the one in the fleet root, else in the repository)' },
  format: { type: 'string', multiple: true, value: '<name>[=<path>]', help: `${REPORT_FORMATS.join(', ')} (text to stdout by default); repeatable, one to stdout` },
  'fail-on': { type: 'string', value: '<level>', help: 'fail (exit 1) on findings of this severity or above: error (default), warning, note or never' },
  'max-warnings': { type: 'string', value: '<n>', help: 'also fail when there are more than n warnings' },
  quiet: { type: 'boolean', help: 'report errors only, and print nothing else on stderr (no summary, no progress)' },
  color: { type: 'boolean', help: 'colour the text output even when stdout is not a terminal (also FORCE_COLOR=1)' },
  'no-color': { type: 'boolean', help: 'never colour the text output (also NO_COLOR=1 or FORCE_COLOR=0)' },
  'docs-url': { type: 'string', value: '<url>', help: 'where rule links point (default: the rule docs in fleetlint\'s repository at this version; also FLEETLINT_DOCS_URL)' },
  baseline: { type: 'string', value: '<file>', help: 'report only findings whose fingerprints are not in it' },
  'write-baseline': { type: 'string', value: '<file>', help: "write the fingerprints of this run's findings" },
  'sarif-per-repo': { type: 'string', value: '<dir>', help: 'also write one SARIF file per repository, ready for upload' },
  'write-snapshot': { type: 'string', value: '<file>', help: 'write the fleet snapshot (gzipped JSON) that lint --snapshot and mr --fleet read' },
  previous: { type: 'string', value: '<json>', help: 'a previous --format json report: the html and markdown reports show what is new and fixed' },
  'report-label': { type: 'string', value: '<text>', help: "a line under the html and markdown reports' title (e.g. the pipeline and date)" },
  stats: { type: 'string', value: '<file>', help: 'write counts and timings of the run as JSON' },
  'print-model': { type: 'boolean', help: 'print the policy input JSON and stop' },
  threads: {
    type: 'string',
    value: '<n>',
    help: `worker threads that parse and build repos (default: one per CPU, at most 8, for fleets of ${THREADED_FLEET_SIZE}+ repos, else none)`,
  },
  'gitlab-url': { type: 'string', value: '<url>', help: `the GitLab instance (https://gitlab.example.com); the token comes from ${TOKEN_ENV_VAR}` },
  group: { type: 'string', value: '<path>', help: 'the group whose projects make the fleet (homelab), subgroups included' },
  'gitlab-host': { type: 'string', value: '<host>', help: "the host fleet repoURLs and includes name (default: the URL's host)" },
  registry: { type: 'string', multiple: true, value: '<host>', help: 'a container registry of the fleet; repeatable' },
  'cache-dir': { type: 'string', value: '<dir>', help: 'clone cache (default .fleetlint-cache/clones); keep it between runs. For a local fleet, with --history only: where the history state is kept (default .fleetlint-cache)' },
  concurrency: { type: 'string', value: '<n>', help: 'clones at a time (default 8)' },
  'no-incremental': { type: 'boolean', help: 'evaluate every repo, even those unchanged since the cached run' },
  history: {
    type: 'boolean',
    help: 'also report secrets gone from the tree but still in git history, from the commits since the last --history audit (their state and digest key are kept in --cache-dir; GitLab clones are then made with their whole history)',
  },
  shard: { type: 'string', value: '<i>/<n>', help: 'audit slice i of n (default from CI_NODE_INDEX/CI_NODE_TOTAL); needs --write-fragment' },
  'write-fragment': { type: 'string', value: '<file>', help: "write the slice's files and repo-scope results for fleetlint merge, and no report (a shard renders nothing: the merge renders the whole fleet)" },
  staged: { type: 'boolean', help: 'check the git index (what is staged for commit), not the working tree' },
  since: { type: 'string', value: '<ref>', help: 'report only findings new against this commit (the hooks pass HEAD: what the commit changes)' },
  'stdin-filename': { type: 'string', value: '<path>', help: "with '-' as the file: the path in the repository that the text on stdin stands for" },
  fleet: { type: 'string', value: '<root|snapshot>', help: 'the rest of the fleet, for cross-repo checks and project includes: a fleet root folder or a snapshot file' },
  snapshot: { type: 'string', value: '<file>', help: 'a fleet snapshot written by audit --write-snapshot, instead of --fleet' },
  'repo-id': { type: 'string', value: '<id>', help: "the repo's id in the fleet (default: its path under --fleet, else from the origin remote, else the folder name)" },
  base: { type: 'string', value: '<ref>', help: 'the base to compare with (default: $CI_MERGE_REQUEST_DIFF_BASE_SHA, else origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME)' },
  fix: { type: 'boolean', help: 'apply the fixes the findings carry (as fleetlint fix does), then report what is left' },
  'resolve-digests': { type: 'boolean', help: 'also pin images on latest or a floating tag to tag@sha256:<digest> from their registries (network; docker config credentials)' },
  'dry-run': { type: 'boolean', help: 'change no file: print the fixes as a unified diff' },
  rule: { type: 'string', multiple: true, value: '<id>', help: 'only the fixes of this rule\'s findings; repeatable' },
  force: { type: 'boolean', help: 'replace a file fleetlint did not write (the old one is kept as <name>.orig)' },
  'no-render': { type: 'boolean', help: 'read Applications as written: no helm, no kustomize (the summary says rendering is off)' },
  helm: { type: 'string', value: '<path>', help: "the helm binary (default: helm on PATH, else fleetlint's .tools/bin)" },
  kustomize: { type: 'string', value: '<path>', help: "the kustomize binary (default: kustomize on PATH, else fleetlint's .tools/bin)" },
  'render-remote': { type: 'boolean', help: 'also render charts from Helm repositories, remote chart dependencies and remote kustomize bases (network)' },
  'chart-cache': { type: 'string', value: '<dir>', help: 'where --render-remote keeps pulled charts (default: <render cache>/charts)' },
  'render-cache': { type: 'string', value: '<dir>', help: 'renders cached by content hash (default: $FLEETLINT_CACHE_DIR/render, else ~/.cache/fleetlint/render)' },
  'render-timeout': { type: 'string', value: '<s>', help: 'a renderer still running after this many seconds is stopped (default 90)' },
} as const satisfies Record<string, OptionDef>;

export type OptionName = keyof typeof OPTIONS;

/** A command's synopsis, description and options (in groups, each with an optional heading), for help and parsing. */
export interface CommandSpec<N extends OptionName = OptionName> {
  name: string;
  /** One line for `fleetlint --help`. */
  summary: string;
  synopsis: readonly string[];
  description: string;
  groups: readonly { title?: string; options: readonly N[] }[];
  /** Text after the options. */
  footer?: string;
}

/** The options of every command that loads a fleet (audit, merge, lint, mr): how Applications are rendered (docs/rendering.md). */
export const RENDER_OPTIONS = ['no-render', 'helm', 'kustomize', 'render-remote', 'chart-cache', 'render-cache', 'render-timeout'] as const satisfies readonly OptionName[];

/** The option group that lists RENDER_OPTIONS in a command's help. */
export const RENDER_GROUP = { title: 'Rendering (what ArgoCD would apply; see docs/rendering.md)', options: RENDER_OPTIONS };

/** The options every command that writes reports takes, in the order help lists them. */
export const OUTPUT_OPTIONS = ['config', 'format', 'fail-on', 'max-warnings', 'quiet', 'color', 'no-color', 'docs-url'] as const satisfies readonly OptionName[];

type Picked<N extends OptionName> = { [K in N]: (typeof OPTIONS)[K] };

/**
 * Parses a command's arguments. An option the command does not take is one line naming the nearest option it does
 * ("did you mean"), or the command that takes it; node's own parser messages never reach the user.
 */
export function parseCommand<N extends OptionName>(spec: CommandSpec<N>, argv: readonly string[]) {
  const names = spec.groups.flatMap((group) => group.options);
  const options = Object.fromEntries([...names, 'help' as const].map((name) => [name, OPTIONS[name]])) as Picked<N | 'help'>;
  const { tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const known = (options as Record<string, OptionDef | undefined>)[token.name];
    if (!known) throw new UsageError(unknownOption(spec, token.rawName, names), { oneLine: true });
    if (known.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value !== '-'))) {
      throw new UsageError(`${spec.name}: ${token.rawName} needs a value: ${token.rawName} ${known.value ?? '<value>'} (one that starts with "-" is written ${token.rawName}=<value>)`);
    }
    if (known.type === 'boolean' && token.inlineValue === true) throw new UsageError(`${spec.name}: ${token.rawName} takes no value`);
  }
  return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
}

function unknownOption(spec: CommandSpec, raw: string, names: readonly OptionName[]): string {
  const given = raw.replace(/^-+/, '').replace(/=.*$/, '');
  const near = nearest(given, [...names, 'help']);
  if (near !== undefined) return `${spec.name}: unknown option ${raw}; did you mean --${near}?`;
  if (given in OPTIONS) return `${spec.name}: ${raw} is not an option of fleetlint ${spec.name} (see fleetlint ${spec.name} --help)`;
  return `${spec.name}: unknown option ${raw} (see fleetlint ${spec.name} --help)`;
}

/** The closest of `candidates` to `given` by edit distance, when close enough to be a typo; prefixes count too. */
export function nearest(given: string, candidates: readonly string[]): string | undefined {
  if (given === '') return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = name.startsWith(given) && given.length >= 3 ? 1 : editDistance(given, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(given.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The command's help, generated from its spec and the option table. */
export function commandUsage(spec: CommandSpec): string {
  const label = (name: OptionName): string => {
    const option: OptionDef = OPTIONS[name];
    const short = option.short === undefined ? '    ' : `-${option.short}, `;
    return `${short}--${name}${option.value === undefined ? '' : ` ${option.value}`}`;
  };
  const groups = [...spec.groups, { options: ['help'] as const }];
  const width = Math.max(...groups.flatMap((group) => group.options.map((name) => label(name).length))) + 2;
  const sections = groups.map((group) => {
    const lines = group.options.map((name) => `  ${label(name).padEnd(width)}${OPTIONS[name].help}`);
    return [...(group.title === undefined ? [] : [`${group.title}:`]), ...lines].join('\n');
  });
  return [spec.synopsis.join('\n'), spec.description, `Options:\n${sections.join('\n\n')}`, ...(spec.footer === undefined ? [] : [spec.footer])].join('\n\n');
}

// --- values that need checking, parsed once for every command ----------------------------------------------------

export type FailOn = Severity | 'never';

export interface OutputSettings {
  formats: FormatRequest[];
  failOn: FailOn;
  /** Fail when there are more warnings than this; undefined: no limit. */
  maxWarnings?: number;
  /** Errors only in the reports, nothing else on stderr. */
  quiet: boolean;
  /** Colour for text on stdout. */
  color: boolean;
  /** The base URL of rule docs, when given (--docs-url or FLEETLINT_DOCS_URL). */
  docsUrl?: string;
}

interface OutputValues {
  format?: string[] | undefined;
  'fail-on'?: string | undefined;
  'max-warnings'?: string | undefined;
  quiet?: boolean | undefined;
  color?: boolean | undefined;
  'no-color'?: boolean | undefined;
  'docs-url'?: string | undefined;
}

export function outputSettings(values: OutputValues, env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean } = process.stdout): OutputSettings {
  const maxWarnings = values['max-warnings'] === undefined ? undefined : wholeNumber(values['max-warnings'], '--max-warnings', 0);
  if (values.color === true && values['no-color'] === true) throw new UsageError('give --color or --no-color, not both');
  const docsUrl = values['docs-url'] ?? (env.FLEETLINT_DOCS_URL === '' ? undefined : env.FLEETLINT_DOCS_URL);
  if (docsUrl !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(docsUrl)) throw new UsageError(`--docs-url ${docsUrl}: expected a URL such as https://gitlab.example.com/tools/fleetlint/-/blob/main/`);
  return {
    formats: parseFormats(values.format ?? []),
    failOn: parseFailOn(values['fail-on'] ?? 'error'),
    ...(maxWarnings !== undefined ? { maxWarnings } : {}),
    quiet: values.quiet === true,
    color: values.color === true ? true : values['no-color'] === true ? false : colorFromEnv(env, stdout),
    ...(docsUrl !== undefined ? { docsUrl } : {}),
  };
}

/**
 * Colour by the conventions terminal tools share: FORCE_COLOR (0 or false: off; anything else: on) wins over
 * NO_COLOR (https://no-color.org), which wins over whether stdout is a terminal.
 */
export function colorFromEnv(env: NodeJS.ProcessEnv, stdout: { isTTY?: boolean }): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if ((env.NO_COLOR ?? '') !== '') return false;
  return stdout.isTTY === true;
}

function parseFailOn(value: string): FailOn {
  if (value === 'error' || value === 'warning' || value === 'note' || value === 'never') return value;
  throw new UsageError(`--fail-on ${value}: expected error, warning, note or never`);
}

/** A whole number of at least `min`, from an option's text. */
export function wholeNumber(value: string, option: string, min: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${option} ${value}: expected a whole number of at least ${min}`);
  return Number(value);
}
