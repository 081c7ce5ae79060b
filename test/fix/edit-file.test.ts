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

describe('YAML append: an include added to every form of include:', () => {
  const ITEM = { project: 'g/templates', ref: 'v1.10.0', file: 'scan.yml' };
  const append = (text: string, value: typeof ITEM | string = ITEM): string => applyEdit(text, yaml({ op: 'append', path: ['include'], value }));
  const NEW = (indent: string): string => `${indent}- project: g/templates\n${indent}  ref: v1.10.0\n${indent}  file: scan.yml\n`;

  it('adds an item to a block list, indented as its items, after its last item and its comment', () => {
    const text = 'include:\n  - local: a.yml   # one\n  - project: g/other\n    file: b.yml\n\nstages: [test]\n';
    expect(append(text)).toBe(text.replace('    file: b.yml\n', `    file: b.yml\n${NEW('  ')}`));
    const flush = 'include:\n- local: a.yml\n';
    expect(append(flush)).toBe(`${flush}${NEW('')}`);
  });

  it('makes a one-string include the first item of a list, keeping its quotes and comment', () => {
    expect(append("include: 'a.yml'  # c\nstages: [test]\n")).toBe(`include:\n  - 'a.yml'  # c\n${NEW('  ')}stages: [test]\n`);
  });

  it('makes a one-map include the first item of a list, moving its lines two columns right', () => {
    const text = 'include:\n  project: g/other\n  file:\n    - b.yml\n    - c.yml\njob:\n  script: x\n';
    expect(append(text)).toBe(`include:\n  - project: g/other\n    file:\n      - b.yml\n      - c.yml\n${NEW('  ')}job:\n  script: x\n`);
  });

  it('adds to a flow list before its bracket', () => {
    expect(append('include: [a.yml, {local: b.yml}]\njob: {script: x}\n', 'c.yml')).toBe('include: [a.yml, {local: b.yml}, c.yml]\njob: {script: x}\n');
  });

  it('creates include: above the first key and the comment that belongs to it, below a header that starts the file', () => {
    const block = `include:\n${NEW('  ')}\n`;
    expect(append('# Header\n\n# the stages\nstages:\n  - test\n')).toBe(`# Header\n\n${block}# the stages\nstages:\n  - test\n`);
    expect(append('# CI for web\nstages:\n  - test\n')).toBe(`# CI for web\n${block}stages:\n  - test\n`);
    expect(append('include:\nstages: [a]\n')).toBe(`include:\n${NEW('  ')}stages: [a]\n`);
  });

  it('writes into the configuration document after a spec: header', () => {
    const text = 'spec:\n  inputs:\n    stage: {default: test}\n---\njob:\n  script: x\n';
    expect(applyEdit(text, yaml({ op: 'append', path: ['include'], value: 'a.yml', docIndex: 1 }))).toBe('spec:\n  inputs:\n    stage: {default: test}\n---\ninclude:\n  - a.yml\n\njob:\n  script: x\n');
  });

  it('is idempotent: an equal item (in any key order) is not added again', () => {
    const once = append('include:\n  - local: a.yml\n');
    expect(append(once)).toBe(once);
    const written = 'include:\n  - file: scan.yml\n    project: g/templates\n    ref: v1.10.0\n';
    expect(append(written)).toBe(written);
    expect(append("include: 'c.yml'\n", 'c.yml')).toBe("include: 'c.yml'\n");
  });

  it('refuses what it cannot write cleanly', () => {
    expect(() => applyEdit('a:\n  b: 1\n', yaml({ op: 'append', path: ['a', 'c', 'd'], value: 1 }))).toThrow(FixConflict);
    expect(() => applyEdit('- a\n', yaml({ op: 'append', path: ['include'], value: 1 }))).toThrow(/top-level key of a block map/);
  });

  it('sets a new top-level entry apart by a blank line where the entries are', () => {
    const text = 'stages: [test]\n\nlint:\n  script: x\n';
    expect(applyEdit(text, yaml({ op: 'set', path: ['scan'], value: { extends: '.scan' } }))).toBe(`${text}\nscan:\n  extends: .scan\n`);
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
