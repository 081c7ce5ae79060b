/**
 * Which scans a job runs: a fact computed once from its resolved script and the scanner table (scanners.ts), so
 * that policies decide on `job.scans` and never match a script line themselves.
 */
import type { CiScan, CiScriptLine } from './types.js';
import { NON_FAILING_PATTERNS, type ScannerDefinition } from './scanners.js';

/** Every scanner the script runs, one entry per script line and scanner, in script order. */
export function jobScans(script: readonly CiScriptLine[], scanners: readonly ScannerDefinition[]): CiScan[] {
  const scans: CiScan[] = [];
  for (const line of script) {
    let nonFailing: boolean | undefined;
    for (const { category, tool, pattern } of scanners) {
      if (!pattern.test(line.text)) continue;
      nonFailing ??= NON_FAILING_PATTERNS.some((flag) => flag.test(line.text));
      scans.push({ category, tool, evidence: line.origin, nonFailing });
    }
  }
  return scans;
}
