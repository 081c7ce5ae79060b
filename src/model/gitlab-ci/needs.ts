import { flatItems, isNull, scalarString, type CiNode } from './node.js';
import { matrixCombinations, matrixName, type JobInstance } from './parallel.js';

/**
 * `needs:` as names of this pipeline's jobs: a job's name, a `parallel:matrix` entry's instances, a matrix job's
 * name as all its instances. Entries of other pipelines (`pipeline:`) and projects (`project:`) are not local.
 */
export function needsOf(node: CiNode | undefined, instances: ReadonlyMap<string, JobInstance[]>, instanceVars?: Record<string, string>): { names: string[]; optional: string[]; declared: boolean } {
  const names: string[] = [];
  const optional: string[] = [];
  if (!node || isNull(node)) return { names, optional, declared: false };
  for (const item of flatItems(node)) {
    let name: string | undefined;
    let isOptional = false;
    let expanded: string[] | undefined;
    if (item.kind === 'map') {
      if (item.entries.has('pipeline') || item.entries.has('project')) continue;
      name = scalarString(item.entries.get('job')?.value);
      const optionalNode = item.entries.get('optional')?.value;
      isOptional = optionalNode?.kind === 'scalar' && optionalNode.value === true;
      const parallel = item.entries.get('parallel')?.value;
      const rows = parallel?.kind === 'map' ? parallel.entries.get('matrix')?.value : undefined;
      if (name !== undefined && rows) expanded = matrixNeeds(name, rows, instances.get(name), instanceVars);
    } else name = scalarString(item);
    if (name === undefined || name === '') continue;
    const list = expanded ?? instances.get(name)?.map((instance) => instance.name) ?? [name];
    names.push(...list);
    if (isOptional) optional.push(...list);
  }
  return { names, optional, declared: true };
}

/**
 * The instances a `needs:parallel:matrix` entry names: each row selects the producer's instances whose variables
 * include the row's (all its keys: one instance; some: every instance that has them). `$[[ matrix.X ]]` is the
 * needing instance's own value of X (GitLab's matrix expressions).
 */
function matrixNeeds(name: string, rows: CiNode, producer: readonly JobInstance[] | undefined, instanceVars: Record<string, string> | undefined): string[] {
  const own = (text: string): string => text.replace(/\$\[\[\s*matrix\.([A-Za-z0-9_-]+)\s*\]\]/g, (match, key: string) => instanceVars?.[key] ?? match);
  const out: string[] = [];
  for (const wanted of matrixCombinations(rows)) {
    const values = Object.fromEntries(Object.entries(wanted).map(([key, value]) => [key, own(value)]));
    const matching = (producer ?? []).filter((instance) => Object.entries(values).every(([key, value]) => instance.variables[key] === value));
    if (matching.length > 0) out.push(...matching.map((instance) => instance.name));
    else out.push(matrixName(name, values));
  }
  return [...new Set(out)];
}

