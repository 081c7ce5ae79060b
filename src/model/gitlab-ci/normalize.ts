import type { FactOrigin } from '../origin.js';
import type { CiJob, CiScriptLine } from './types.js';
import { flatItems, isNull, scalarString, toFactOrigin, type CiEntry, type CiMap, type CiNode, type NodeOrigin } from './node.js';

/** Keys a job takes from `default:` when it does not set them itself. */
export const DEFAULT_KEYS = ['after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout'] as const;

/** Deprecated top-level forms of some defaults; `default:` wins over them. */
export const LEGACY_GLOBAL_DEFAULTS = ['image', 'services', 'cache', 'before_script', 'after_script'] as const;

export const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

const SCRIPT_SECTIONS = ['before_script', 'script', 'after_script'] as const;

function value(map: CiMap, key: string): CiNode | undefined {
  const node = map.entries.get(key)?.value;
  return isNull(node) ? undefined : node;
}

/**
 * The job with `default:` applied: each default key the job does not set (a `null` counts as not set) and that
 * `inherit:default` lets through. The inherited entry keeps the origin of the `default:` block.
 */
export function applyDefaults(job: CiMap, defaults: ReadonlyMap<string, CiEntry>): CiMap {
  if (defaults.size === 0) return job;
  const inherit = value(job, 'inherit');
  const setting = inherit?.kind === 'map' ? value(inherit, 'default') : undefined;
  let allowed: (key: string) => boolean = () => true;
  if (setting?.kind === 'scalar' && setting.value === false) return job;
  if (setting?.kind === 'seq') {
    const names = new Set(flatItems(setting).map(scalarString));
    allowed = (key) => names.has(key);
  }
  let entries: Map<string, CiEntry> | undefined;
  for (const [key, entry] of defaults) {
    if (!allowed(key) || value(job, key) !== undefined) continue;
    entries ??= new Map(job.entries);
    entries.set(key, entry);
  }
  return entries ? { ...job, entries } : job;
}

function imageName(node: CiNode | undefined): string | undefined {
  if (node?.kind === 'map') return scalarString(value(node, 'name'));
  return scalarString(node);
}

function scriptLines(job: CiMap): CiScriptLine[] {
  const lines: CiScriptLine[] = [];
  for (const section of SCRIPT_SECTIONS) {
    // GitLab flattens nested lists in scripts (anchors and `!reference` of lists produce them).
    for (const item of flatItems(value(job, section))) {
      const text = scalarString(item);
      if (text !== undefined) lines.push({ text, section, origin: toFactOrigin(item.origin) });
    }
  }
  return lines;
}

function allowFailure(job: CiMap, when: string, hasRules: boolean): boolean | number[] {
  const node = value(job, 'allow_failure');
  if (node?.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  if (node?.kind === 'map') {
    const codes = flatItems(value(node, 'exit_codes'))
      .map((item) => (item.kind === 'scalar' ? Number(item.value) : Number.NaN))
      .filter((code) => Number.isInteger(code));
    return codes;
  }
  // GitLab: a `when: manual` job outside rules may fail by default, so it does not block the pipeline.
  return when === 'manual' && !hasRules;
}

function needs(job: CiMap): string[] {
  const names: string[] = [];
  for (const item of flatItems(value(job, 'needs'))) {
    const name = item.kind === 'map' ? scalarString(value(item, 'job')) : scalarString(item);
    if (name !== undefined) names.push(name);
  }
  return names;
}

export interface JobFacts {
  runsInMergeRequests: boolean;
  runsOnDefaultBranch: boolean;
  ruleWhen?: string[];
  unresolved: string[];
}

/** The model's view of one resolved job, but for the facts computed from it (scans, merge-request gating). */
export function normalizeJob(name: string, job: CiMap, origin: NodeOrigin, facts: JobFacts): Omit<CiJob, 'scans' | 'gatesMergeRequests'> {
  const hasRules = value(job, 'rules') !== undefined;
  const when = scalarString(value(job, 'when')) ?? 'on_success';
  const keyOrigins: Record<string, FactOrigin> = {};
  for (const [key, entry] of job.entries) if (!isNull(entry.value)) keyOrigins[key] = toFactOrigin(entry.origin);
  const services: string[] = [];
  for (const item of flatItems(value(job, 'services'))) {
    const service = imageName(item);
    if (service !== undefined) services.push(service);
  }
  const result: Omit<CiJob, 'scans' | 'gatesMergeRequests'> = {
    name,
    stage: scalarString(value(job, 'stage')) ?? 'test',
    services,
    script: scriptLines(job),
    when,
    allowFailure: allowFailure(job, when, hasRules),
    needs: needs(job),
    extends: flatItems(value(job, 'extends')).map(scalarString).filter((parent): parent is string => parent !== undefined),
    runsInMergeRequests: facts.runsInMergeRequests,
    runsOnDefaultBranch: facts.runsOnDefaultBranch,
    mixesRulesAndOnly: hasRules && (value(job, 'only') !== undefined || value(job, 'except') !== undefined),
    origin: toFactOrigin(origin),
    keyOrigins,
  };
  const image = imageName(value(job, 'image'));
  if (image !== undefined) result.image = image;
  if (facts.ruleWhen) result.ruleWhen = facts.ruleWhen;
  if (facts.unresolved.length > 0) result.unresolved = facts.unresolved;
  return result;
}
