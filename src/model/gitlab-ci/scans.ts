/**
 * Which scans a job runs: a fact computed once from its resolved script and the scanner table (scanners.ts), so
 * that policies decide on `job.scans` and never match a script line themselves.
 */
import type { CiScan, CiScriptLine } from './types.js';
import { NON_FAILING_PATTERNS, type ScannerDefinition } from './scanners.js';

type LineScan = Omit<CiScan, 'evidence'>;

/** What a line runs, per scanner table: the same lines recur in many jobs (before_script, matrix instances). */
const lineScans = new WeakMap<readonly ScannerDefinition[], Map<string, readonly LineScan[]>>();

/** Every scanner the script runs, one entry per script line and scanner, in script order. */
export function jobScans(script: readonly CiScriptLine[], scanners: readonly ScannerDefinition[]): CiScan[] {
  let known = lineScans.get(scanners);
  if (!known) {
    known = new Map();
    lineScans.set(scanners, known);
  }
  const scans: CiScan[] = [];
  for (const line of script) {
    let found = known.get(line.text);
    if (!found) {
      found = scansOf(line.text, scanners);
      if (known.size > 20_000) known.clear();
      known.set(line.text, found);
    }
    for (const scan of found) scans.push({ ...scan, evidence: line.origin });
  }
  return scans;
}

function scansOf(text: string, scanners: readonly ScannerDefinition[]): LineScan[] {
  const scans: LineScan[] = [];
  let nonFailing: boolean | undefined;
  for (const { category, tool, pattern } of scanners) {
    if (!pattern.test(text)) continue;
    nonFailing ??= NON_FAILING_PATTERNS.some((flag) => flag.test(text));
    scans.push({ category, tool, nonFailing });
  }
  return scans;
}
