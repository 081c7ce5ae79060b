/** The rule tester itself: it must reject what would let a rule test pass without testing anything. */
import { describe, expect, it } from 'vitest';
import { defineRule, type CheckReport } from '../../src/engine/check.js';
import { policyTester, ruleTester, RuleTesterError } from '../support/rule-tester.js';

/** Reports every `forbidden: true` key by its YAML path (the runner turns the path into a range). */
const noForbidden = defineRule({
  meta: {
    id: 'no-forbidden',
    shortDescription: 'no forbidden keys',
    fullDescription: 'A test rule.',
    defaultSeverity: 'warning',
    help: 'Remove it.',
    tags: [],
    scope: 'repo',
    optionsSchema: { type: 'object', additionalProperties: false, properties: { key: { type: 'string', default: 'forbidden' } } },
  },
  run({ repo, options }) {
    const reports: CheckReport[] = [];
    for (const [file, parsed] of repo.yaml) {
      parsed.documents.forEach((document, docIndex) => {
        const value = document.value as Record<string, unknown> | null;
        const key = String(options.key);
        if (value && typeof value === 'object' && key in value) reports.push({ message: `${key} is set to ${String(value[key])}`, file, path: [key], docIndex });
      });
    }
    return reports;
  },
});

const throwing = defineRule({ ...noForbidden, meta: { ...noForbidden.meta, id: 'throwing' }, run: () => Promise.reject(new Error('boom')) });

const tester = ruleTester(noForbidden);

// The tester in use, as a rule test would use it.
tester.run({
  valid: [{ name: 'no forbidden key', files: { 'a.yaml': 'allowed: true\n' } }],
  invalid: [
    {
      name: 'a forbidden key, located from its path in the second document',
      files: { 'a.yaml': 'x: 1\n---\nother: 1\nforbidden: yes-really\n' },
      findings: [{ repo: 'svc', file: 'a.yaml', line: 4, column: 1, severity: 'warning', messageIncludes: 'forbidden is set to yes-really' }],
    },
    {
      name: 'options reach the rule through the config',
      options: { key: 'banned' },
      repos: { 'team/one': { 'a.yaml': 'forbidden: 1\nbanned: 2\n' } },
      findings: [{ repo: 'team/one', file: 'a.yaml', line: 2, messageIncludes: 'banned is set to 2' }],
    },
  ],
});

describe('the rule tester rejects', () => {
  it('an invalid case with no expected findings, when the tests are registered', () => {
    expect(() => {
      tester.run({ valid: [], invalid: [{ name: 'empty', files: { 'a.yaml': 'forbidden: 1\n' }, findings: [] }] });
    }).toThrow(/lists no expected findings/);
  });

  it('an invalid case with no expected findings, when run directly', async () => {
    await expect(tester.checkInvalid({ name: 'empty', files: { 'a.yaml': 'forbidden: 1\n' }, findings: [] })).rejects.toThrow(RuleTesterError);
  });

  it('a case with both repos and files, and two cases with one name', () => {
    const both = { name: 'both', files: { 'a.yaml': '' }, repos: { x: {} } } as unknown as Parameters<typeof tester.checkValid>[0];
    expect(() => {
      tester.run({ valid: [both], invalid: [] });
    }).toThrow(/either repos or files/);
    expect(() => {
      tester.run({ valid: [{ name: 'same', files: {} }, { name: 'same', files: {} }], invalid: [] });
    }).toThrow(/two cases are named "same"/);
  });

  it('a valid case that has findings', async () => {
    await expect(tester.checkValid({ name: 'v', files: { 'a.yaml': 'forbidden: 1\n' } })).rejects.toThrow(/should have no no-forbidden findings, but has 1/);
  });

  it('a wrong line, column, severity or message', async () => {
    const files = { 'a.yaml': 'a: 1\nforbidden: 1\n' };
    await expect(tester.checkInvalid({ name: 'line', files, findings: [{ line: 1 }] })).rejects.toThrow(/line: expected 1, got 2/);
    await expect(tester.checkInvalid({ name: 'column', files, findings: [{ column: 3 }] })).rejects.toThrow(/column: expected 3, got 1/);
    await expect(tester.checkInvalid({ name: 'severity', files, findings: [{ severity: 'error' }] })).rejects.toThrow(/severity: expected "error", got "warning"/);
    await expect(tester.checkInvalid({ name: 'message', files, findings: [{ messageIncludes: 'other' }] })).rejects.toThrow(/should include "other"/);
    await expect(tester.checkInvalid({ name: 'excluded', files, findings: [{ messageExcludes: 'is set to 1' }] })).rejects.toThrow(/must not include "is set to 1"/);
    await expect(tester.checkInvalid({ name: 'no file', files, findings: [{ file: null }] })).rejects.toThrow(/file: expected none, got "a.yaml"/);
    await expect(tester.checkInvalid({ name: 'repo', files, findings: [{ repo: 'other' }] })).rejects.toThrow(/repo: expected "other", got "svc"/);
  });

  it('more or fewer findings than expected', async () => {
    const files = { 'a.yaml': 'forbidden: 1\n', 'b.yaml': 'forbidden: 2\n' };
    await expect(tester.checkInvalid({ name: 'fewer', files, findings: [{ file: 'a.yaml' }] })).rejects.toThrow(/expected 1 finding\(s\), got 2/);
    await expect(tester.checkInvalid({ name: 'more', files, findings: [{}, {}, {}] })).rejects.toThrow(/expected 3 finding\(s\), got 2/);
  });

  it('a check that throws, even in a valid case', async () => {
    await expect(ruleTester(throwing).checkValid({ name: 'crash', files: { 'a.yaml': 'a: 1\n' } })).rejects.toThrow(/throwing threw:[\s\S]*boom/);
  });

  it('files that do not load cleanly, unless the case allows it', async () => {
    const files = { 'a.yaml': 'a: [1\n' };
    await expect(tester.checkValid({ name: 'broken', files })).rejects.toThrow(/do not load cleanly[\s\S]*parse-error/);
    await expect(tester.checkValid({ name: 'broken, allowed', files, allowDiagnostics: true })).resolves.toBeUndefined();
  });

  it("options the rule's schema does not accept", async () => {
    await expect(tester.checkValid({ name: 'bad options', files: {}, options: { unknown: 1 } })).rejects.toThrow(/invalid configuration/);
  });

  it('a policy id that is not a built-in Rego policy', () => {
    expect(() => policyTester('no-such-policy')).toThrow(/no built-in Rego policy has the id no-such-policy/);
    expect(() => policyTester('repo-layout')).toThrow(RuleTesterError); // a TypeScript rule: use ruleTester
  });

  it('rule settings given as config.rules instead of options', () => {
    expect(() => {
      tester.run({ valid: [{ name: 'rules in config', files: {}, config: { rules: {} } }], invalid: [] });
    }).toThrow(/give the rule's settings as options/);
  });

  it('wrong related locations', async () => {
    const policy = policyTester('no-latest-tag');
    const repos = {
      'platform/ci-templates': { 'templates/build.yml': '.build:\n  image: docker:latest\n  script: [make]\n' },
      app: { '.gitlab-ci.yml': "include:\n  - project: 'homelab/platform/ci-templates'\n    file: 'templates/build.yml'\nbuild:\n  extends: .build\n" },
    };
    await expect(policy.checkInvalid({ name: 'related line', repos, findings: [{ related: [{ line: 3 }] }] })).rejects.toThrow(/related\[0\]\.line: expected 3, got 2/);
    await expect(policy.checkInvalid({ name: 'no related', repos, findings: [{ related: [] }] })).rejects.toThrow(/related: expected 0 location\(s\), got 1/);
  });
});
