import { describe, expect, it } from 'vitest';
import { applyEdit, FixConflict } from '../../src/engine/fix/edit-file.js';
import type { FileEdit, YamlEdit } from '../../src/model/findings.js';

const APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:  # the app
  name: traefik
  namespace: argocd
spec:
  project: core-services  # kept
  source:
    repoURL: 'https://example.test/traefik.git'
  syncWaves:  # wrong
    - wave: 2  # after metallb
---
kind: ConfigMap
metadata:
  name: other
`;

const yaml = (edit: YamlEdit & { docIndex?: number }): FileEdit => ({ repo: 'r', file: 'f.yaml', kind: 'yaml', ...edit });
const WAVE = ['metadata', 'annotations', 'argocd.argoproj.io/sync-wave'];

describe('YAML edits', () => {
  it('adds missing maps at the end of the deepest existing one, indented as its keys, and leaves every other line alone', () => {
    const after = applyEdit(APP, yaml({ op: 'set', path: WAVE, value: '2' }));
    expect(after).toBe(APP.replace('  namespace: argocd\n', '  namespace: argocd\n  annotations:\n    argocd.argoproj.io/sync-wave: "2"\n'));
  });

  it('replaces a scalar in the quoting style it had', () => {
    const after = applyEdit(APP, yaml({ op: 'set', path: ['spec', 'source', 'repoURL'], value: 'https://example.test/t.git' }));
    expect(after).toBe(APP.replace("'https://example.test/traefik.git'", "'https://example.test/t.git'"));
    const plain = applyEdit(APP, yaml({ op: 'set', path: ['spec', 'project'], value: 'core' }));
    expect(plain).toBe(APP.replace('project: core-services  # kept', 'project: core  # kept'));
  });

  it('deletes a pair with its nested lines and its comments on them', () => {
    const after = applyEdit(APP, yaml({ op: 'delete', path: ['spec', 'syncWaves'] }));
    expect(after).toBe(APP.replace('  syncWaves:  # wrong\n    - wave: 2  # after metallb\n', ''));
  });

  it('renames a key in place', () => {
    const after = applyEdit(APP, yaml({ op: 'rename', path: ['spec', 'project'], to: 'projectName' }));
    expect(after).toBe(APP.replace('  project: core-services', '  projectName: core-services'));
  });

  it('edits the document it is told to, in a multi-document file', () => {
    const after = applyEdit(APP, yaml({ op: 'set', path: ['metadata', 'name'], value: 'renamed', docIndex: 1 }));
    expect(after).toBe(APP.replace('  name: other', '  name: renamed'));
  });

  it('refuses what does not fit, rather than writing half of it', () => {
    expect(() => applyEdit(APP, yaml({ op: 'delete', path: ['spec', 'missing'] }))).toThrow(FixConflict);
    expect(() => applyEdit(APP, yaml({ op: 'rename', path: ['spec', 'project'], to: 'source' }))).toThrow(/exists already/);
    expect(() => applyEdit('a: {b: 1}\n', yaml({ op: 'set', path: ['a', 'c'], value: 1 }))).toThrow(/not a block map/);
    expect(() => applyEdit('a: [\n', yaml({ op: 'set', path: ['a'], value: 1 }))).toThrow(/does not parse/);
    expect(() => applyEdit(APP, yaml({ op: 'delete', path: ['spec', 'syncWaves', 0, 'wave'] }))).toThrow(/empty|shares its line/);
  });

  it('is idempotent: setting what is there changes nothing', () => {
    const once = applyEdit(APP, yaml({ op: 'set', path: WAVE, value: '2' }));
    expect(applyEdit(once, yaml({ op: 'set', path: WAVE, value: '2' }))).toBe(once);
  });
});

describe('text edits', () => {
  const edit = (expected: string): FileEdit => ({ repo: 'r', file: 'f', kind: 'text', range: { startLine: 4, startColumn: 9, endLine: 4, endColumn: 16 }, text: 'web', expected });

  it('replaces the range when it still holds the expected text', () => {
    expect(applyEdit(APP, edit('traefik'))).toBe(APP.replace('name: traefik', 'name: web'));
  });

  it('is skipped when the range holds something else now', () => {
    expect(() => applyEdit(APP, edit('nginx'))).toThrow(/changed since/);
  });
});
