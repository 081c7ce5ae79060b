import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.js';
import { auditSummary } from '../../src/report/audit-summary.js';
import { parsePreviousReport, type PreviousRun } from '../../src/report/audit/previous.js';
import type { ReportInput } from '../../src/report/types.js';
import { sampleInput } from '../report/fixture.js';
import { auditHomelabInProcess } from './helpers.js';

const finding = (repo: string, severity: Finding['severity'], fingerprint: string, extra: Partial<Finding> = {}): Finding => ({
  ruleId: 'no-latest-tag',
  severity,
  message: `${severity} in ${repo}`,
  repo,
  fingerprint,
  ...extra,
});

function input(findings: Finding[], repos: string[], previous?: PreviousRun): ReportInput {
  return { ...sampleInput(), repos, result: { findings, rules: [], checkTimings: {} }, ...(previous ? { audit: { previous } } : {}) };
}

describe('the fleet score', () => {
  it('is 100 × repos without an unsuppressed error ÷ repos, counting a repo that could not be cloned and not the fleet itself', () => {
    const summary = auditSummary(
      input(
        [
          finding('.', 'error', 'fleet-1', { ruleId: 'config-error' }),
          finding('a', 'error', 'a-1'),
          finding('b', 'error', 'b-1', { suppression: { kind: 'waiver', reason: 'accepted' } }),
          finding('c', 'warning', 'c-1'),
          finding('d', 'error', 'd-1', { ruleId: 'crawl-error', subject: 'clone' }),
          finding('.', 'note', 'skip-1', { ruleId: 'crawl-error', subject: 'skipped:archived:g/old', data: { kind: 'skipped', reason: 'archived', project: 'g/old' } }),
        ],
        ['a', 'b', 'c'],
      ),
    );
    // a and d have errors; b (suppressed) and c (a warning) are clean: 2 of 4.
    expect(summary.score).toEqual({ value: 50, clean: 2, repos: 4, bySeverity: { error: 3, warning: 1, note: 1 }, suppressed: 1 });
    expect(summary.notAudited).toEqual(['d']);
    expect(summary.skipped).toBe(1);
    expect(summary.byRepo.map((row) => [row.repo, row.status])).toEqual([['a', 'error'], ['b', 'clean'], ['c', 'warning'], ['.', 'error'], ['d', 'error']]);
  });

  it('is 100 for an empty fleet and rounds to one decimal', () => {
    expect(auditSummary(input([], [])).score.value).toBe(100);
    expect(auditSummary(input([finding('a', 'error', 'x')], ['a', 'b', 'c'])).score.value).toBe(66.7);
  });
});

describe('changes since a previous run', () => {
  const previous: PreviousRun = {
    repos: ['a', 'b', 'd'],
    findings: [
      { fingerprint: 'kept', ruleId: 'r', severity: 'error', repo: 'a', message: 'still there', suppressed: false },
      { fingerprint: 'gone', ruleId: 'r', severity: 'error', repo: 'a', file: 'x.yaml', line: 3, message: 'fixed since', suppressed: false },
      { fingerprint: 'waived-now', ruleId: 'r', severity: 'warning', repo: 'b', message: 'waived since', suppressed: false },
      { fingerprint: 'was-waived', ruleId: 'r', severity: 'warning', repo: 'b', message: 'waiver expired', suppressed: true },
      { fingerprint: 'unreachable', ruleId: 'r', severity: 'error', repo: 'd', message: 'in a repo that failed to clone tonight', suppressed: false },
    ],
  };
  const now = [
    finding('a', 'error', 'kept'),
    finding('a', 'warning', 'brand-new'),
    finding('b', 'warning', 'waived-now', { suppression: { kind: 'waiver', reason: 'r' } }),
    finding('b', 'warning', 'was-waived'),
    finding('d', 'error', 'clone-failed', { ruleId: 'crawl-error' }),
  ];

  it('lists new and fixed findings by fingerprint, and knows a failed clone fixes nothing', () => {
    const changes = auditSummary(input(now, ['a', 'b'], previous)).changes;
    expect(changes?.added.map((f) => f.fingerprint)).toEqual(['brand-new', 'was-waived', 'clone-failed']);
    expect(changes?.fixed.map((f) => f.fingerprint)).toEqual(['gone']);
    expect(changes?.suppressed).toBe(1);
    expect(changes?.unknown).toBe(1);
  });

  it('gives the previous score from the previous report', () => {
    // Previous: a and d had errors, b did not: 1 of 3.
    expect(auditSummary(input(now, ['a', 'b'], previous)).previousScore?.value).toBe(33.3);
  });

  it('reads a previous JSON report and says what is wrong with one it cannot use', () => {
    const report = { formatVersion: 1, repos: ['a'], findings: [{ ruleId: 'r', severity: 'note', message: 'm', repo: 'a', file: 'f', range: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 3 }, fingerprint: 'fp' }] };
    expect(parsePreviousReport(report, 'prev.json')).toEqual({ repos: ['a'], findings: [{ fingerprint: 'fp', ruleId: 'r', severity: 'note', repo: 'a', file: 'f', line: 2, message: 'm', suppressed: false }] });
    expect(() => parsePreviousReport({ formatVersion: 2 }, 'prev.json')).toThrow(/previous report prev\.json has formatVersion 2, not 1/);
    expect(() => parsePreviousReport({ ...report, findings: [{ ruleId: 'r' }] }, 'prev.json')).toThrow(/findings\[0\] lacks fingerprint/);
    expect(() => parsePreviousReport([], 'prev.json')).toThrow(/is not a JSON object/);
  });
});

describe('on fixtures/homelab', () => {
  it('the coverage matrix says exactly what the required-scans findings say', async () => {
    const { input: homelab, fleet } = await auditHomelabInProcess();
    const coverage = auditSummary(homelab).coverage;
    if (!coverage) throw new Error('no coverage matrix');
    expect(coverage.categories).toEqual(['iac', 'manifests', 'image', 'secrets']);
    const cell = (repo: string, category: string) => coverage.rows.find((row) => row.repo === repo)?.cells[coverage.categories.indexOf(category)];

    const gapKinds: unknown[] = ['missing', 'not-gating', 'non-blocking'];
    const scanFindings = homelab.result.findings.filter((f) => f.ruleId === 'required-scans' && gapKinds.includes(f.data?.kind));
    expect(scanFindings.length).toBeGreaterThan(50);
    for (const f of scanFindings) {
      expect(cell(f.repo, f.data?.category as string)?.state, `${f.repo} ${f.subject ?? ''}`).toBe(f.data?.kind);
    }
    // Every cell that is a gap has its finding; "ok" and "not required" have none.
    let gaps = 0;
    for (const row of coverage.rows) {
      row.cells.forEach((c, index) => {
        const category = coverage.categories[index] ?? '';
        const has = scanFindings.some((f) => f.repo === row.repo && f.data?.category === category);
        if (c.state === 'missing' || c.state === 'not-gating' || c.state === 'non-blocking') gaps += 1;
        if (c.state === 'ok' || c.state === 'not-required') expect(has, `${row.repo} ${category} is ${c.state}`).toBe(false);
      });
    }
    expect(gaps).toBe(scanFindings.length);
    // A repo without a pipeline but with deployable content is a row of its own.
    const noPipeline = homelab.result.findings.filter((f) => f.ruleId === 'required-scans' && f.data?.kind === 'no-pipeline').map((f) => f.repo);
    expect(noPipeline.length).toBeGreaterThan(0);
    for (const repo of noPipeline) expect(coverage.rows.find((row) => row.repo === repo)?.cells.some((c) => c.state === 'no-pipeline')).toBe(true);
    // The rows are the repos with a pipeline and those.
    expect(coverage.rows.length).toBe(fleet.repos.filter((repo) => repo.ci).length + noPipeline.length);
    expect(cell('applications/ai/ollama', 'secrets')?.state).toBe('missing');
    expect(cell('applications/ai/ollama', 'iac')?.state).toBe('not-required');
  });

  it("the matrix's required categories are the policy's: every finding's category is required of its repo, by the kinds it names", async () => {
    const { input: homelab } = await auditHomelabInProcess();
    const required = new Map(homelab.audit?.facts?.repos.map((repo) => [repo.id, repo]));
    const withCategory = homelab.result.findings.filter((x) => x.ruleId === 'required-scans' && typeof x.data?.category === 'string');
    expect(withCategory.length).toBeGreaterThan(50);
    for (const f of withCategory) {
      expect(required.get(f.repo)?.requiredScans, `${f.repo} ${f.subject ?? ''}`).toContain(f.data?.category);
      if (f.data?.kind === 'missing') for (const kind of f.data.requiredFor as string[]) if (kind !== 'every pipeline') expect(required.get(f.repo)?.kinds).toContain(kind);
    }
  });

  it('the wave graph has every Application once, by wave, and marks each out-of-order dependency the policy reports', async () => {
    const { input: homelab, fleet } = await auditHomelabInProcess();
    const waves = auditSummary(homelab).waves;
    if (!waves) throw new Error('no wave graph');
    const apps = waves.columns.flatMap((column) => column.apps);
    expect(apps).toHaveLength(fleet.repos.reduce((sum, repo) => sum + repo.argocd.applications.length, 0));
    expect(waves.columns.map((column) => column.wave)).toEqual([...waves.columns.map((column) => column.wave)].sort((a, b) => a - b));
    const orderFindings = homelab.result.findings.filter((f) => f.ruleId === 'sync-wave-order' && f.data?.kind === 'order');
    expect(waves.violations).toBe(orderFindings.length);
    const traefik = apps.find((app) => app.key === 'core-services/networking/traefik#traefik');
    expect(traefik?.flagged).toBe(true);
    expect(traefik?.dependsOn.find((dep) => dep.name === 'metallb')).toMatchObject({ violation: true, wave: 1 });
    expect(traefik?.problems.map((p) => p.message).join('\n')).toMatch(/spec\.syncWaves does not exist/);
  });
});
