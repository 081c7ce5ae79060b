/**
 * Every rule doc teaches with a wrong and a right example (as ESLint's check-rule-examples): each is run through
 * the rule here, with the real loaders, config parser and runner. The wrong one must give at least the findings
 * its doc shows, exactly; the right one none of the rule's. And every option, and every field inside one, must say
 * what it means.
 */
import { describe, expect, it } from 'vitest';
import type { Check, CheckMeta, RuleExample } from '../../src/engine/check.js';
import { builtinChecks } from '../../src/run/checks.js';
import { parseConfig } from '../../src/engine/config.js';
import { builtinRuleMetas } from '../../src/run/registry.js';
import { EXAMPLE_SETTINGS } from '../../src/engine/rule-examples.js';
import { runChecks } from '../../src/engine/runner.js';
import { optionFields } from '../../src/docs/render.js';
import type { Finding } from '../../src/model/findings.js';
import { fleetFromFiles } from '../support/fleet.js';

/** Diagnostics whose cause is no file one could show: a crash, a clone, the fleet manifest, a config, a size. */
const NO_EXAMPLE: Readonly<Record<string, string>> = {
  'config-error': 'a problem in fleet.yaml, which the examples do not have',
  'crawl-error': 'a repository that cannot be found or cloned',
  'expired-waiver': 'a waiver of the config, past its date',
  'internal-error': 'a check that crashed: a bug in fleetlint',
  'skipped-file': 'a file over the size limit',
  'unreadable-file': 'bytes that are not UTF-8 text',
};

const metas = builtinRuleMetas();
const checks = await builtinChecks();
const isDiagnostic = (meta: CheckMeta): boolean => meta.tags.includes('fleetlint-diagnostic');

/** The rule's unsuppressed findings for an example. A diagnostic runs with every check: suppressions need findings. */
async function findingsOf(meta: CheckMeta, example: RuleExample): Promise<{ own: Finding[]; others: Finding[] }> {
  const check = checks.find((candidate: Check) => candidate.meta.id === meta.id);
  const setting = example.options ? { options: example.options } : {};
  const config = parseConfig('fleetlint.config.yaml', JSON.stringify({ rules: { [meta.id]: setting } }), metas);
  // The render diagnostics need the render phase; other rules' examples are about the files as written, and a
  // render would add its notes (a chart from a Helm repository) to what they show.
  const fleet = await fleetFromFiles(example.repos, EXAMPLE_SETTINGS, config.providers, meta.id.startsWith('render-') ? { cacheDir: false } : undefined);
  const run = isDiagnostic(meta) ? checks : check ? [check] : [];
  const { findings } = await runChecks({ fleet, checks: run, config, today: new Date('2025-01-01T00:00:00Z') });
  const unsuppressed = findings.filter((finding) => finding.suppression === undefined);
  return { own: unsuppressed.filter((finding) => finding.ruleId === meta.id), others: unsuppressed.filter((finding) => finding.ruleId !== meta.id) };
}

const shown = (finding: Finding): string => `${finding.repo}/${finding.file ?? ''}:${String(finding.range?.startLine ?? '-')} ${finding.severity} ${finding.message}`;

describe('rule examples', () => {
  it('every rule has examples, but for the diagnostics no file can show', () => {
    const without = metas.filter((meta) => meta.examples === undefined).map((meta) => meta.id);
    expect(without).toEqual(Object.keys(NO_EXAMPLE).sort());
  });

  for (const meta of metas) {
    const { examples } = meta;
    if (!examples) continue;
    describe(meta.id, () => {
      it('the wrong example gives the findings its doc shows', async () => {
        const { own, others } = await findingsOf(meta, examples.wrong);
        // A rule's example that does not load cleanly shows something else than what it says.
        if (!isDiagnostic(meta)) expect(others.map(shown)).toEqual([]);
        for (const expected of examples.wrong.findings) {
          const found = own.find(
            (finding) =>
              finding.repo === expected.repo &&
              finding.file === expected.file &&
              (expected.line === undefined || finding.range?.startLine === expected.line) &&
              finding.severity === expected.severity &&
              finding.message === expected.message,
          );
          expect(found, `${JSON.stringify(expected)} among:\n${own.map(shown).join('\n')}`).toBeDefined();
        }
      });

      it('the right example gives none of its findings', async () => {
        const { own, others } = await findingsOf(meta, examples.right);
        expect(own.map(shown)).toEqual([]);
        if (!isDiagnostic(meta)) expect(others.map(shown)).toEqual([]);
      });
    });
  }
});

describe('rule options', () => {
  it('every option of every rule, and every field inside one, says what it means', () => {
    const undocumented = metas.flatMap((meta) => optionFields(meta).filter(({ schema }) => (schema.description ?? '').trim() === '').map(({ path }) => `${meta.id}: ${path}`));
    expect(undocumented).toEqual([]);
  });

  it('finds an undocumented option, so the check above means something', () => {
    const meta = { ...metas[0], optionsSchema: { type: 'object', properties: { limit: { type: 'integer' }, list: { type: 'array', items: { type: 'object', properties: { name: { type: 'string', description: 'x' }, size: { type: 'integer' } } } } } } } as CheckMeta;
    expect(optionFields(meta).filter(({ schema }) => schema.description === undefined).map(({ path }) => path)).toEqual(['limit', 'list', 'list[].size']);
  });
});
