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

/** The parts of a job that follow from its resolved map alone (when it runs, its needs and scans come later). */
export type JobShape = Pick<CiJob, 'name' | 'stage' | 'image' | 'services' | 'script' | 'when' | 'allowFailure' | 'extends' | 'mixesRulesAndOnly' | 'origin' | 'keyOrigins' | 'unknownKeys' | 'dependencies'>;

/** The model's view of one resolved job, but for the facts computed from it elsewhere. */
export function normalizeJob(name: string, job: CiMap, origin: NodeOrigin): JobShape {
  const hasRules = value(job, 'rules') !== undefined;
  const when = scalarString(value(job, 'when')) ?? 'on_success';
  const keyOrigins: Record<string, FactOrigin> = {};
  const unknownKeys: string[] = [];
  for (const [key, entry] of job.entries) {
    if (isNull(entry.value)) continue;
    keyOrigins[key] = toFactOrigin(entry.origin);
    if (entry.value.kind === 'scalar' && entry.value.unknown !== undefined) unknownKeys.push(key);
  }
  const services: string[] = [];
  for (const item of flatItems(value(job, 'services'))) {
    const service = imageName(item);
    if (service !== undefined) services.push(service);
  }
  const result: JobShape = {
    name,
    stage: scalarString(value(job, 'stage')) ?? 'test',
    services,
    script: scriptLines(job),
    when,
    allowFailure: allowFailure(job, when, hasRules),
    extends: flatItems(value(job, 'extends')).map(scalarString).filter((parent): parent is string => parent !== undefined),
    mixesRulesAndOnly: hasRules && (value(job, 'only') !== undefined || value(job, 'except') !== undefined),
    origin: toFactOrigin(origin),
    keyOrigins,
  };
  const image = imageName(value(job, 'image'));
  if (image !== undefined) result.image = image;
  if (unknownKeys.length > 0) result.unknownKeys = unknownKeys.sort();
  const dependencies = value(job, 'dependencies');
  if (dependencies !== undefined) result.dependencies = flatItems(dependencies).map(scalarString).filter((dependency): dependency is string => dependency !== undefined);
  return result;
}
