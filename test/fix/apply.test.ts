import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFixes, proposedFixes, unifiedDiff, writeChanges, type ProposedFix } from '../../src/engine/fix/apply.js';
import type { Fix } from '../../src/model/findings.js';

const FILES: Record<string, string> = { 'a.yaml': 'metadata:\n  name: a\nspec:\n  x: 1\n', 'b.yaml': 'metadata:\n  name: b\n' };
const read = (files: Record<string, string>) => (repo: string, file: string) => Promise.resolve(repo === 'r' ? files[file] : undefined);
const set = (file: string, path: string[], value: string): Fix['edits'][number] => ({ repo: 'r', file, kind: 'yaml', op: 'set', path, value });
const proposed = (description: string, edits: Fix['edits']): ProposedFix => ({ fix: { description, edits }, ruleIds: ['rule'] });

describe('applying fixes', () => {
  it('applies a fix across files whole, or not at all when one of its edits does not fit', async () => {
    const outcome = await planFixes(
      [
        proposed('both', [set('a.yaml', ['metadata', 'name'], 'a2'), set('b.yaml', ['metadata', 'name'], 'b2')]),
        proposed('half', [set('a.yaml', ['spec', 'x'], '2'), { repo: 'r', file: 'b.yaml', kind: 'yaml', op: 'delete', path: ['spec', 'missing'] }]),
      ],
      read(FILES),
    );
    expect(outcome.applied.map((entry) => entry.fix.description)).toEqual(['both']);
    expect(outcome.skipped).toMatchObject([{ fix: { description: 'half' }, reason: 'spec.missing is not in the document any more' }]);
    // a.yaml has the first fix only: the second's edit to it was not kept.
    expect(outcome.changes.map((change) => [change.file, change.after])).toEqual([
      ['a.yaml', 'metadata:\n  name: a2\nspec:\n  x: 1\n'],
      ['b.yaml', 'metadata:\n  name: b2\n'],
    ]);
    expect(unifiedDiff(outcome.changes)).toContain('--- a/r/a.yaml\n+++ b/r/a.yaml\n@@ -1,4 +1,4 @@\n metadata:\n-  name: a\n+  name: a2\n');
  });

  it('proposes each fix once, whichever rules carry it, and only those of the rules asked for', () => {
    const fix: Fix = { description: 'd', edits: [set('a.yaml', ['x'], '1')] };
    const findings = [{ ruleId: 'one', fix }, { ruleId: 'two', fix: { ...fix } }, { ruleId: 'three' }];
    expect(proposedFixes(findings)).toEqual([{ fix, ruleIds: ['one', 'two'] }]);
    expect(proposedFixes(findings, new Set(['two']))).toEqual([{ fix, ruleIds: ['two'] }]);
  });

  it('writes atomically, and leaves alone a file that changed on disk since it was read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleetlint-apply-'));
    try {
      await writeFile(join(dir, 'a.yaml'), FILES['a.yaml'] ?? '');
      await writeFile(join(dir, 'b.yaml'), FILES['b.yaml'] ?? '');
      const { changes } = await planFixes([proposed('a', [set('a.yaml', ['spec', 'x'], '2')]), proposed('b', [set('b.yaml', ['metadata', 'name'], 'c')])], read(FILES));
      await writeFile(join(dir, 'b.yaml'), 'metadata:\n  name: edited meanwhile\n');
      const { written, changedMeanwhile } = await writeChanges(changes, () => dir);
      expect(written.map((change) => change.file)).toEqual(['a.yaml']);
      expect(changedMeanwhile.map((change) => change.file)).toEqual(['b.yaml']);
      expect(await readFile(join(dir, 'a.yaml'), 'utf8')).toBe('metadata:\n  name: a\nspec:\n  x: "2"\n');
      expect(await readFile(join(dir, 'b.yaml'), 'utf8')).toBe('metadata:\n  name: edited meanwhile\n');
      expect((await readdir(dir)).sort()).toEqual(['a.yaml', 'b.yaml']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
