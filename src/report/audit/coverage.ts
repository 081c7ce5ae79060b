/**
 * The repository × required-scan coverage matrix, from the facts (which categories are required where) and the
 * required-scans findings' data (`{kind: 'missing' | 'not-gating' | 'non-blocking', category}`, `{kind: 'no-pipeline'}`).
 */
import { compareText } from '../../model/finding-order.js';
import type { Finding } from '../../model/findings.js';
import type { FleetFacts } from './facts.js';
import { dataKind, dataString } from './finding-data.js';

export type CoverageState = 'ok' | 'missing' | 'not-gating' | 'non-blocking' | 'not-required' | 'no-pipeline' | 'unchecked';

export const COVERAGE_LABELS: Readonly<Record<CoverageState, string>> = {
  ok: 'ok',
  missing: 'missing',
  'not-gating': 'not gating',
  'non-blocking': 'non-blocking',
  'not-required': 'not required',
  'no-pipeline': 'no pipeline',
  unchecked: 'not checked',
};

export interface CoverageCell {
  state: CoverageState;
  /** The finding behind the state is suppressed (inline, waiver or baseline). */
  suppressed: boolean;
  /** The finding's message, for a tooltip. */
  message?: string;
}

export interface Coverage {
  categories: string[];
  /** Repos with a pipeline, and repos with deployable content and no pipeline; sorted by id. */
  rows: { repo: string; pipeline: boolean; cells: CoverageCell[] }[];
  /** Per category (same order), how many rows are in each state. */
  totals: Record<CoverageState, number>[];
  /** Repos left out: no pipeline and nothing that needs one. */
  omitted: number;
}

/** The columns of the coverage matrix, in this order; categories from custom requirements follow, sorted. */
export const SCAN_CATEGORIES: readonly string[] = ['iac', 'manifests', 'image', 'secrets'];

const COVERAGE_STATES: readonly CoverageState[] = ['ok', 'missing', 'not-gating', 'non-blocking', 'not-required', 'no-pipeline', 'unchecked'];

export function coverage(facts: FleetFacts, findings: readonly Finding[]): Coverage {
  const scanFindings = new Map<string, Finding[]>();
  for (const finding of findings) {
    const kind = finding.ruleId === 'required-scans' ? dataKind(finding) : undefined;
    if (kind === undefined) continue;
    const key = `${finding.repo}\u0000${kind}\u0000${dataString(finding, 'category') ?? ''}`;
    scanFindings.set(key, [...(scanFindings.get(key) ?? []), finding]);
  }
  const findingFor = (repo: string, kind: string, category = ''): Finding | undefined => {
    const list = scanFindings.get(`${repo}\u0000${kind}\u0000${category}`) ?? [];
    return list.find((f) => !f.suppression) ?? list[0];
  };
  const extra = new Set<string>();
  for (const repo of facts.repos) for (const category of repo.requiredScans ?? []) if (!SCAN_CATEGORIES.includes(category)) extra.add(category);
  const categories = [...SCAN_CATEGORIES, ...[...extra].sort(compareText)];

  const rows: Coverage['rows'] = [];
  let omitted = 0;
  for (const repo of facts.repos) {
    const noPipeline = repo.pipeline ? undefined : findingFor(repo.id, 'no-pipeline');
    if (!repo.pipeline && !noPipeline) {
      omitted += 1;
      continue;
    }
    const cells = categories.map((category): CoverageCell => {
      if (repo.requiredScans === undefined) return { state: 'unchecked', suppressed: false };
      if (!repo.requiredScans.includes(category)) return { state: 'not-required', suppressed: false };
      if (noPipeline) return { state: 'no-pipeline', suppressed: noPipeline.suppression !== undefined, message: noPipeline.message };
      for (const state of ['missing', 'not-gating', 'non-blocking'] as const) {
        const finding = findingFor(repo.id, state, category);
        if (finding) return { state, suppressed: finding.suppression !== undefined, message: finding.message };
      }
      return { state: 'ok', suppressed: false };
    });
    rows.push({ repo: repo.id, pipeline: repo.pipeline, cells });
  }
  const totals = categories.map((_, index) => {
    const counts = Object.fromEntries(COVERAGE_STATES.map((state) => [state, 0])) as Record<CoverageState, number>;
    for (const row of rows) {
      const cell = row.cells[index];
      if (cell) counts[cell.state] += 1;
    }
    return counts;
  });
  return { categories, rows, totals, omitted };
}
