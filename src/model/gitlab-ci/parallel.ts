import { flatItems, scalarString, type CiNode } from './node.js';

/** GitLab allows 1 to 200 instances of a parallel job. */
export const MAX_PARALLEL = 200;

/** One instance of a `parallel` job: its name as GitLab writes it and the variables it gets. */
export interface JobInstance {
  name: string;
  variables: Record<string, string>;
}

/**
 * The instances of a job with `parallel:`: `parallel: n` gives `job 1/n` … `job n/n`; `parallel:matrix` gives one
 * instance per combination of each row's values, named `job: [v1, v2]` (values in the row's key order). Undefined
 * when the job is not parallel or its `parallel` cannot be read (a problem is returned then).
 */
export function parallelInstances(name: string, parallel: CiNode | undefined): { instances?: JobInstance[]; problem?: string } {
  if (!parallel || (parallel.kind === 'scalar' && parallel.value === null)) return {};
  if (parallel.kind === 'scalar') {
    if (parallel.unknown !== undefined) return {};
    const count = Number(parallel.value);
    if (!Number.isInteger(count) || count < 1 || count > MAX_PARALLEL) return { problem: `${name}: parallel must be a number from 1 to ${MAX_PARALLEL} or a matrix.` };
    return { instances: Array.from({ length: count }, (_, index) => ({ name: `${name} ${index + 1}/${count}`, variables: { CI_NODE_INDEX: String(index + 1), CI_NODE_TOTAL: String(count) } })) };
  }
  const matrix = parallel.kind === 'map' ? parallel.entries.get('matrix')?.value : undefined;
  if (!matrix) return { problem: `${name}: parallel must be a number or have a matrix.` };
  const combinations = matrixCombinations(matrix);
  if (combinations.length === 0) return { problem: `${name}: parallel:matrix has no values.` };
  if (combinations.length > MAX_PARALLEL) return { problem: `${name}: parallel:matrix makes ${combinations.length} jobs; GitLab allows ${MAX_PARALLEL}.` };
  return { instances: combinations.map((variables) => ({ name: matrixName(name, variables), variables })) };
}

/** `job: [a, b]`, as GitLab names a matrix instance. */
export function matrixName(name: string, variables: Record<string, string>): string {
  return `${name}: [${Object.values(variables).join(', ')}]`;
}

/** Every combination of the rows of a `matrix:` (a list of maps of a value or a list of values). */
export function matrixCombinations(matrix: CiNode): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const row of flatItems(matrix)) {
    if (row.kind !== 'map') continue;
    let combos: Record<string, string>[] = [{}];
    for (const [key, entry] of row.entries) {
      const values = (entry.value.kind === 'seq' ? entry.value.items : [entry.value]).map(scalarString).filter((text): text is string => text !== undefined);
      combos = combos.flatMap((combo) => values.map((text) => ({ ...combo, [key]: text })));
    }
    out.push(...combos.filter((combo) => Object.keys(combo).length > 0));
  }
  return out;
}

/**
 * The jobs as written: one per `parallel` job (its first instance, under the job's own name), so that a fact about
 * what the job's YAML says (its image, what its script pushes) is reported once, not once per instance.
 */
export function writtenJobs<Job extends { name: string; parallel?: { job: string } }>(jobs: readonly Job[]): { job: Job; name: string }[] {
  const seen = new Set<string>();
  const out: { job: Job; name: string }[] = [];
  for (const job of jobs) {
    const name = job.parallel?.job ?? job.name;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ job, name });
  }
  return out;
}
