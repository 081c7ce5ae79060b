import { writeFileAtomic } from '../write-atomic.js';

/**
 * `--stats <file>`: what a run did, as JSON, for benchmarks and for tests that must know how much work was done
 * (how many repo-scope evaluations an incremental run needed). Not a report: it holds timings, so it differs
 * from run to run.
 */
export async function writeStats(path: string, stats: Record<string, unknown>): Promise<void> {
  const rounded = JSON.parse(JSON.stringify(stats, (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 10) / 10 : value))) as unknown;
  await writeFileAtomic(path, `${JSON.stringify(rounded, null, 2)}\n`);
}
