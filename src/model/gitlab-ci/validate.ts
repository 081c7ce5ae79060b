import { flatItems, isNull, scalarString, type CiMap, type CiNode, type NodeOrigin } from './node.js';
import type { CiReporter } from './report.js';

/**
 * What GitLab rejects in a configuration that the resolver sees directly, reported as `ci-config` errors where
 * it is written. Checks that need the whole pipeline (stages of `needs`, `dependencies`) are the ci-config rule's.
 */

/** The keywords a job may have (GitLab's CI schema). */
export const JOB_KEYWORDS = [
  'after_script', 'allow_failure', 'artifacts', 'before_script', 'cache', 'coverage', 'dast_configuration', 'dependencies',
  'environment', 'except', 'extends', 'hooks', 'id_tokens', 'identity', 'image', 'inherit', 'inputs', 'interruptible',
  'manual_confirmation', 'needs', 'only', 'pages', 'parallel', 'publish', 'release', 'resource_group', 'retry', 'rules',
  'run', 'script', 'secrets', 'services', 'stage', 'start_in', 'tags', 'timeout', 'trigger', 'variables', 'when',
] as const;

const JOB_KEYWORD_SET: ReadonlySet<string> = new Set(JOB_KEYWORDS);

/** GitLab accepts a script as a string or nested lists of strings up to ten levels deep. */
export const MAX_SCRIPT_NESTING = 10;

/** Top-level problems: `stages` that is not a list. */
export function validateConfig(config: CiMap, resolveTop: (key: string) => CiNode | undefined, reporter: CiReporter): void {
  const stages = resolveTop('stages');
  if (stages && stages.kind !== 'seq') {
    reporter.report('ci-config', 'error', 'stages must be a list of stage names.', config.entries.get('stages')?.origin ?? stages.origin, 'stages-not-list');
  }
}

export interface JobValidation {
  /** Part of the configuration was not read, or the job's `extends` is broken (reported): it may lack a script for that. */
  partial: boolean;
  /** The job is (also) defined by GitLab's own template or component, which fleetlint does not read. */
  provided: boolean;
}

/**
 * One job after `extends`, `!reference` and `default:`; `written` is the job before `!reference` (a reference that
 * refers to itself is reported as such, not again as a script nested too deep).
 */
export function validateJob(name: string, job: CiMap, written: CiMap, origin: NodeOrigin, reporter: CiReporter, context: JobValidation): void {
  const entry = (key: string): { value: CiNode; origin: NodeOrigin } | undefined => {
    const found = job.entries.get(key);
    return found && !isNull(found.value) ? found : undefined;
  };
  const exempt = entry('trigger') ?? entry('run') ?? entry('release') ?? entry('pages');
  if (!entry('script') && !exempt && name !== 'pages' && !context.partial && !context.provided) {
    reporter.report('ci-config', 'error', `job ${name} has no script: GitLab requires one, unless the job is a trigger.`, origin, `no-script:${name}`);
  }
  const when = entry('when');
  if (when && scalarString(when.value) === 'never') {
    reporter.report('ci-config', 'error', `job ${name}: when: never can only be used in rules or workflow:rules.`, when.origin, `when-never:${name}`);
  }
  const rules = job.entries.get('rules');
  if (rules?.value.kind === 'seq' && rules.value.items.length === 0) {
    reporter.report('ci-config', 'error', `job ${name}: rules can't be blank (an empty list); remove rules or add one.`, rules.origin, `rules-blank:${name}`);
  }
  const needs = entry('needs');
  if (needs) {
    for (const item of flatItems(needs.value)) {
      const text = item.kind === 'map' ? scalarString(item.entries.get('job')?.value) ?? (item.entries.has('pipeline') || item.entries.has('project') ? 'x' : undefined) : scalarString(item);
      if (text === undefined || text.trim() === '') {
        reporter.report('ci-config', 'error', `job ${name}: a needs entry is empty; name a job.`, item.origin, `needs-empty:${name}`);
      }
    }
  }
  for (const section of ['before_script', 'script', 'after_script']) {
    const script = written.entries.get(section);
    if (script && nesting(script.value) > MAX_SCRIPT_NESTING) {
      reporter.report('ci-config', 'error', `job ${name}: ${section} is nested more than ${MAX_SCRIPT_NESTING} lists deep; GitLab accepts a string or lists of strings up to ${MAX_SCRIPT_NESTING} levels.`, script.origin, `script-nesting:${name}:${section}`);
    }
  }
  for (const [key, value] of job.entries) {
    if (JOB_KEYWORD_SET.has(key)) continue;
    const suggestion = closest(key);
    reporter.report('ci-config', 'error', `job ${name}: unknown keyword ${key}${suggestion ? ` (did you mean ${suggestion}?)` : ''}.`, value.origin, `unknown-keyword:${name}:${key}`);
  }
}

/** How many lists deep a value goes (a string: 0). */
function nesting(node: CiNode): number {
  if (node.kind !== 'seq') return 0;
  let deepest = 0;
  for (const item of node.items) deepest = Math.max(deepest, nesting(item));
  return deepest + 1;
}

/** The job keyword closest to a misspelt one, when it is close (at most two edits, or a third of its length). */
export function closest(word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const keyword of JOB_KEYWORDS) {
    const distance = editDistance(word.toLowerCase(), keyword);
    if (distance < bestDistance) {
      best = keyword;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
