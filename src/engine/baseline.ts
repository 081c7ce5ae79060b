import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../write-atomic.js';
import type { Finding } from '../model/findings.js';

/** A baseline is the set of fingerprints a team has accepted; only findings outside it are reported. */
export interface Baseline {
  version: 1;
  fingerprints: string[];
}

export async function readBaseline(file: string): Promise<Set<string>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`baseline ${file} cannot be read: ${(error as Error).message}`);
  }
  const fingerprints = (value as Partial<Baseline> | null)?.fingerprints;
  if (!Array.isArray(fingerprints) || !fingerprints.every((item) => typeof item === 'string')) {
    throw new Error(`baseline ${file}: expected {"version": 1, "fingerprints": ["..."]}`);
  }
  return new Set(fingerprints);
}

export async function writeBaseline(file: string, findings: readonly Finding[]): Promise<void> {
  const fingerprints = [...new Set(findings.filter((finding) => !finding.suppression).map((finding) => finding.fingerprint))].sort();
  const baseline: Baseline = { version: 1, fingerprints };
  await writeFileAtomic(file, `${JSON.stringify(baseline, null, 2)}\n`);
}
