import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineRule, type Check } from '../../src/engine/check.js';
import { runChecks } from '../../src/engine/runner.js';
import { parseConfig, ConfigError } from '../../src/engine/config.js';
import { EMPTY_CONFIG, type FleetlintConfig } from '../../src/engine/config-types.js';
import { readBaseline, writeBaseline } from '../../src/engine/baseline.js';
import { DIAGNOSTICS } from '../../src/engine/diagnostics.js';
import { fleetFromFiles } from '../support/fleet.js';

/** Reports every `FIXME` line of every file: a rule whose findings are easy to place. */
const fixme: Check = defineRule({
  meta: { id: 'fixme', shortDescription: 'No FIXME', fullDescription: 'No FIXME.', defaultSeverity: 'warning', help: 'Fix it.', tags: [], scope: 'repo' },
  run({ repo }) {
    return repo.files.flatMap((file) =>
      (file.text ?? '').split('\n').flatMap((line, index) =>
        line.includes('FIXME') ? [{ message: `FIXME in ${file.path}`, file: file.path, range: { startLine: index + 1, startColumn: 1, endLine: index + 1, endColumn: 1 }, subject: line.trim() }] : [],
      ),
    );
  },
});

const throws: Check = defineRule({
  meta: { id: 'broken', shortDescription: 'Throws', fullDescription: 'Throws.', defaultSeverity: 'error', help: '', tags: [], scope: 'repo' },
  run() {
    throw new Error('boom');
  },
});

const metas = [...DIAGNOSTICS, fixme.meta, throws.meta];
const config = (yaml: string): FleetlintConfig => parseConfig('fleetlint.config.yaml', yaml, metas);
const TODAY = new Date('2026-11-26T00:00:00Z');

describe('runChecks', () => {
  it("scrubs credentials from a finding's data as from its message, and keeps the rest of the data", async () => {
    const quoting: Check = defineRule({
      meta: { id: 'quoting', shortDescription: 'Quotes', fullDescription: 'Quotes.', defaultSeverity: 'note', help: '', tags: [], scope: 'repo' },
      run: () => [{ message: 'pulls an image', file: 'a.txt', data: { kind: 'image', refs: ['https://bot:hunter22secret@registry.example/app:1'], count: 1 } }],
    });
    const fleet = await fleetFromFiles({ svc: { 'a.txt': 'x\n' } });
    const { findings } = await runChecks({ fleet, checks: [quoting], config: EMPTY_CONFIG, today: TODAY });
    expect(JSON.stringify(findings[0]?.data)).not.toContain('hunter22secret');
    expect(findings[0]?.data).toMatchObject({ kind: 'image', count: 1 });
  });

  it('reports at most 200 findings of one rule in one file, and counts the rest in one note', async () => {
    const fleet = await fleetFromFiles({ svc: { 'big.txt': 'FIXME\n'.repeat(250), 'small.txt': 'FIXME\n' } });
    const { findings } = await runChecks({ fleet, checks: [fixme], config: EMPTY_CONFIG, today: TODAY });
    const big = findings.filter((finding) => finding.file === 'big.txt');
    expect(big.filter((finding) => finding.severity === 'warning')).toHaveLength(200);
    expect(big.filter((finding) => finding.severity === 'note').map((finding) => [finding.ruleId, finding.message])).toEqual([['fixme', '50 more fixme finding(s) in this file are not shown: only the first 200 are']]);
    expect(findings.filter((finding) => finding.file === 'small.txt')).toHaveLength(1);
  });

  it('turns a throwing check into an internal-error finding naming it, and goes on with the others', async () => {
    const fleet = await fleetFromFiles({ svc: { 'a.txt': 'FIXME\n' } });
    const { findings } = await runChecks({ fleet, checks: [throws, fixme], config: EMPTY_CONFIG, today: TODAY });
    expect(findings.map((f) => [f.ruleId, f.message])).toEqual([
      ['internal-error', 'check broken failed on svc: boom'],
      ['fixme', 'FIXME in a.txt'],
    ]);
  });

  it("places a report by its fact's origin: at the path in this repo, at the include when the fact is in an included repo's template", async () => {
    const fleet = await fleetFromFiles({
      'platform/templates': { 'build.yml': 'build:\n  image: alpine\n  script: [make]\n' },
      'apps/a': { '.gitlab-ci.yml': 'include:\n  - project: homelab/platform/templates\n    file: build.yml\nlocal:\n  image: busybox\n  script: [make]\n' },
    });
    // Reports each job's `image:` by the origin of the job, wherever the job was written.
    const jobImages = defineRule({
      meta: { id: 'job-image', shortDescription: 'Job images', fullDescription: 'Job images.', defaultSeverity: 'note', help: '', tags: [], scope: 'repo' },
      run: ({ repo }) => (repo.ci?.jobs ?? []).map((job) => ({ message: `job ${job.name}`, origin: { repo: job.origin.repo, file: job.origin.file, path: [job.name, 'image'] }, subject: job.name })),
    });
    const { findings } = await runChecks({ fleet, checks: [jobImages], config: EMPTY_CONFIG, repoIds: new Set(['apps/a']), today: TODAY });
    const place = (where: { repo: string; file?: string; range?: { startLine: number; startColumn: number } }) => `${where.repo}/${where.file ?? ''}:${where.range?.startLine ?? 0}:${where.range?.startColumn ?? 0}`;
    expect(findings.map((finding) => [finding.message, place(finding), (finding.related ?? []).map(place)])).toEqual([
      // The include entry of this repo, with the template's image line as related.
      ['job build', 'apps/a/.gitlab-ci.yml:2:5', ['platform/templates/build.yml:2:3']],
      ['job local', 'apps/a/.gitlab-ci.yml:5:3', []],
    ]);
  });

  it('keeps fingerprints stable when unrelated lines move the finding', async () => {
    const before = await runChecks({ fleet: await fleetFromFiles({ svc: { 'a.txt': 'FIXME one\n' } }), checks: [fixme], config: EMPTY_CONFIG, today: TODAY });
    const after = await runChecks({ fleet: await fleetFromFiles({ svc: { 'a.txt': 'new line\n\nFIXME one\n' } }), checks: [fixme], config: EMPTY_CONFIG, today: TODAY });
    expect(after.findings[0]?.range?.startLine).toBe(3);
    expect(after.findings[0]?.fingerprint).toBe(before.findings[0]?.fingerprint);
  });

  it('applies severity, off and overrides by repo glob', async () => {
    const fleet = await fleetFromFiles({ 'apps/a': { 'x.txt': 'FIXME\n' }, 'infra/b': { 'x.txt': 'FIXME\n' } });
    const result = await runChecks({
      fleet,
      checks: [fixme],
      config: config('rules:\n  fixme: error\noverrides:\n  - repos: ["infra/**"]\n    rules:\n      fixme: off\n'),
      today: TODAY,
    });
    expect(result.findings.map((f) => [f.repo, f.severity])).toEqual([['apps/a', 'error']]);
  });

  it('suppresses with inline comments (next line and file), and reports unused and malformed ones', async () => {
    const fleet = await fleetFromFiles({
      svc: {
        'a.yaml': '# fleetlint-disable-next-line fixme -- tracked in OPS-12\nnote: FIXME\nother: FIXME\n',
        'b.sh': '# fleetlint-disable-file fixme -- generated file\necho FIXME\n',
        'c.sh': '# fleetlint-disable-next-line fixme -- nothing below needs it\necho fine\n# fleetlint-disable-next-line fixme\necho FIXME\n',
      },
    });
    const { findings } = await runChecks({ fleet, checks: [fixme], config: EMPTY_CONFIG, today: TODAY });
    expect(findings.map((f) => [f.file, f.range?.startLine, f.ruleId, f.suppression?.reason ?? null])).toEqual([
      ['a.yaml', 2, 'fixme', 'tracked in OPS-12'],
      ['a.yaml', 3, 'fixme', null],
      ['b.sh', 2, 'fixme', 'generated file'],
      ['c.sh', 1, 'unused-suppression', null],
      ['c.sh', 3, 'invalid-suppression', null],
      ['c.sh', 4, 'fixme', null],
    ]);
  });

  it('waives by rule, repo and file glob; an expired waiver stops suppressing and is reported, an unused one too', async () => {
    const fleet = await fleetFromFiles({ 'apps/a': { 'x.txt': 'FIXME\n' }, 'apps/b': { 'y.txt': 'FIXME\n' } });
    const waivers = config(
      [
        'waivers:',
        '  - {rule: fixme, repo: "apps/a", file: "*.txt", reason: known, owner: team-a, expires: "2027-01-31"}',
        '  - {rule: fixme, repo: "apps/b", reason: old, expires: "2026-01-01"}',
        '  - {rule: fixme, repo: "nowhere/*", reason: stale}',
      ].join('\n'),
    );
    const { findings } = await runChecks({ fleet, checks: [fixme], config: waivers, today: TODAY });
    expect(findings.map((f) => [f.repo, f.ruleId, f.range?.startLine, f.suppression?.kind ?? null])).toEqual([
      ['.', 'expired-waiver', 3, null],
      ['.', 'unused-suppression', 4, null],
      ['apps/a', 'fixme', 1, 'waiver'],
      ['apps/b', 'fixme', 1, null],
    ]);
  });

  it('writes and reads a baseline of unsuppressed fingerprints', async () => {
    const fleet = await fleetFromFiles({ svc: { 'a.txt': 'FIXME a\nFIXME b\n' } });
    const { findings } = await runChecks({ fleet, checks: [fixme], config: EMPTY_CONFIG, today: TODAY });
    const file = join(mkdtempSync(join(tmpdir(), 'fleetlint-baseline-')), 'baseline.json');
    await writeBaseline(file, findings);
    expect(await readBaseline(file)).toEqual(new Set(findings.map((f) => f.fingerprint)));
  });
});

describe('config validation', () => {
  it('lists every problem with its line and key', () => {
    const text = 'rules:\n  fixme: loud\n  nope: off\nwaivers:\n  - rule: fixme\n    repo: x\n';
    expect(() => config(text)).toThrow(ConfigError);
    try {
      config(text);
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'line 2: rules.fixme: must be one of error, warning, note, off',
        'line 3: rules.nope: unknown key (no rule has this id)',
        'line 5: waivers.0: missing required key reason',
      ]);
    }
  });
});
