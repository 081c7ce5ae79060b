/** A small run result, written out literally, that exercises every case the reporters must handle. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckMeta } from '../../src/engine/check.js';
import { DIAGNOSTICS } from '../../src/engine/diagnostics.js';
import { compareFindings, compareText } from '../../src/model/finding-order.js';
import type { Finding } from '../../src/model/findings.js';
import type { ReportInput } from '../../src/report/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The real SARIF and JUnit schemas, vendored with their licences (test/vendor/README.md). */
export const vendoredSchemas = path.resolve(repoRoot, 'test/vendor/schemas');

export const TRAEFIK = 'core-services/networking/traefik';
export const TEMPLATES = 'platform/ci-templates';
export const WIKI = 'applications/wiki';

function rule(id: string, defaultSeverity: CheckMeta['defaultSeverity'], tags: string[], scope: CheckMeta['scope'] = 'repo'): CheckMeta {
  return {
    id,
    shortDescription: `${id} short`,
    fullDescription: `${id} full description.`,
    defaultSeverity,
    help: `Fix \`${id}\` findings.`,
    docsPath: `docs/rules/${id}.md`,
    tags,
    scope,
    implementation: 'typescript',
  };
}

export const RULES: CheckMeta[] = [
  ...DIAGNOSTICS,
  rule('no-latest-tag', 'warning', ['images']),
  rule('no-secrets', 'error', ['security', 'secrets']),
  rule('pinned-helm-chart', 'note', ['helm']),
  rule('required-scans', 'error', ['security', 'ci']),
  rule('sync-wave-order', 'warning', ['argocd'], 'fleet'),
].sort((a, b) => compareText(a.id, b.id));

export const HOSTILE_MESSAGE = 'value <&"\'> looks like a token\u0007 (redacted)';

const findings: Finding[] = [
  {
    ruleId: 'config-error', severity: 'error', message: 'fleet.yaml: repos[2].path must be a string', repo: '.', file: 'fleet.yaml',
    range: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 20 }, fingerprint: 'fp-config-error',
  },
  {
    // A repo-level finding: no file, no range.
    ruleId: 'required-scans', severity: 'error', message: 'no .gitlab-ci.yml: sast and secret_detection do not run', repo: TRAEFIK,
    fingerprint: 'fp-required-scans', data: { kind: 'no-pipeline', kinds: ['helm'] },
  },
  {
    ruleId: 'no-latest-tag', severity: 'warning', message: 'image traefik:latest uses the latest tag', repo: TRAEFIK, file: '.gitlab-ci.yml',
    range: { startLine: 12, startColumn: 3, endLine: 12, endColumn: 24 }, fingerprint: 'fp-latest-1', help: 'Pin the image to a version tag or a digest.',
    related: [{ repo: TEMPLATES, file: 'templates/build.yml', range: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 30 } }],
  },
  {
    ruleId: 'no-latest-tag', severity: 'warning', message: 'image alpine:latest uses the latest tag', repo: TRAEFIK, file: '.gitlab-ci.yml',
    range: { startLine: 20, startColumn: 3, endLine: 21, endColumn: 7 }, fingerprint: 'fp-latest-2',
  },
  {
    ruleId: 'no-secrets', severity: 'error', message: HOSTILE_MESSAGE, repo: TRAEFIK, file: 'values.yaml',
    range: { startLine: 7, startColumn: 1, endLine: 7, endColumn: 40 }, fingerprint: 'fp-secret-1',
  },
  {
    ruleId: 'no-secrets', severity: 'error', message: 'value looks like a password (redacted)', repo: TRAEFIK, file: 'values.yaml',
    range: { startLine: 9, startColumn: 1, endLine: 9, endColumn: 30 }, fingerprint: 'fp-secret-2',
    suppression: {
      kind: 'inline', reason: 'test fixture, not a real password',
      location: { repo: TRAEFIK, file: 'values.yaml', range: { startLine: 8, startColumn: 1, endLine: 8, endColumn: 1 } },
    },
  },
  {
    // A file-level finding: a file, no range.
    ruleId: 'pinned-helm-chart', severity: 'note', message: 'chart dependency has no version pin', repo: TRAEFIK, file: 'Chart.yaml',
    fingerprint: 'fp-helm',
  },
  {
    ruleId: 'no-latest-tag', severity: 'warning', message: 'image docker:latest uses the latest tag', repo: TEMPLATES, file: 'templates/build.yml',
    range: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 30 }, fingerprint: 'fp-latest-template',
    suppression: { kind: 'waiver', reason: 'upstream template, tracked in OPS-12' },
  },
];

export function sampleInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    result: {
      findings: [...findings].sort(compareFindings).map((finding) => structuredClone(finding)),
      rules: structuredClone(RULES),
      checkTimings: { 'no-latest-tag': 1.5, 'no-secrets': 2.25 },
    },
    toolVersion: '0.1.0',
    repos: [WIKI, TRAEFIK, TEMPLATES].sort(compareText),
    command: 'audit',
    ...overrides,
  };
}

/** `count` notes, then ten errors, all in one repo: for the SARIF truncation limit. */
export function manyFindingsInput(count: number): ReportInput {
  const many: Finding[] = [];
  for (let i = 0; i < count; i++) {
    many.push({
      ruleId: 'pinned-helm-chart', severity: 'note', message: `note ${i}`, repo: TRAEFIK, file: 'Chart.yaml',
      range: { startLine: i + 1, startColumn: 1, endLine: i + 1, endColumn: 2 }, fingerprint: `fp-note-${i}`,
    });
  }
  for (let i = 0; i < 10; i++) {
    many.push({
      ruleId: 'no-secrets', severity: 'error', message: `secret ${i}`, repo: TRAEFIK, file: 'values.yaml',
      range: { startLine: i + 1, startColumn: 1, endLine: i + 1, endColumn: 2 }, fingerprint: `fp-error-${i}`,
    });
  }
  return sampleInput({ result: { findings: many.sort(compareFindings), rules: structuredClone(RULES), checkTimings: {} } });
}
