import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `--stats <file>`: what a run did, as JSON, for benchmarks and for tests that must know how much work was done
 * (how many repo-scope evaluations an incremental run needed). Not a report: it holds timings, so it differs
 * from run to run.
 */
export async function writeStats(path: string, stats: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const rounded = JSON.parse(JSON.stringify(stats, (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 10) / 10 : value))) as unknown;
  await writeFile(path, `${JSON.stringify(rounded, null, 2)}\n`);
}
