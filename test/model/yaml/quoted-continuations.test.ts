import { describe, expect, it } from 'vitest';
import { parseYamlFile, rangeFromOffsets } from '../../../src/model/yaml/parse.js';
import { nodeAt } from '../../../src/model/yaml/tree.js';

// A quoted scalar continued at its key's indentation: YAML 1.2 refuses it, go-yaml (ArgoCD, kubectl, helm) loads it.
// The first case is the shape of a real alert rules file (cybozu-go/neco-apps) that gave a false parse-error.
const alertRules = [
  'groups:',
  '  - rules:',
  '      - alert: KubeDaemonSetNotScheduled',
  '        annotations:',
  "          summary: '{{ $value }} Pods of DaemonSet {{ $labels.daemonset",
  "          }} are not scheduled.'",
  '          runbook: TBD',
  '        for: 10m',
  '',
].join('\n');

describe('quoted scalars continued at their key\'s indentation', () => {
  it('load as go-yaml loads them, with no parse-error', () => {
    const { parsed, diagnostics } = parseYamlFile('r', 'rules.yaml', alertRules);
    expect(diagnostics).toEqual([]);
    const [document] = parsed.documents;
    expect(document?.broken).toBe(false);
    expect(document?.value).toEqual({
      groups: [{ rules: [{ alert: 'KubeDaemonSetNotScheduled', annotations: { summary: '{{ $value }} Pods of DaemonSet {{ $labels.daemonset }} are not scheduled.', runbook: 'TBD' }, for: '10m' }] }],
    });
  });

  it('keep the file\'s own lines and columns for every node, before and after the continued line', () => {
    const { parsed } = parseYamlFile('r', 'rules.yaml', alertRules);
    const document = parsed.documents[0];
    const place = (path: (string | number)[]) => {
      const node = nodeAt(document?.tree, path);
      if (!node || !document) throw new Error(`no node at ${path.join('.')}`);
      return rangeFromOffsets(document.lineCounter, node.start, node.end);
    };
    expect(place(['groups', 0, 'rules', 0, 'annotations', 'summary'])).toMatchObject({ startLine: 5, startColumn: 20, endLine: 6, endColumn: 33 });
    expect(place(['groups', 0, 'rules', 0, 'annotations', 'runbook'])).toMatchObject({ startLine: 7, startColumn: 20, endLine: 7, endColumn: 23 });
    expect(place(['groups', 0, 'rules', 0, 'for'])).toMatchObject({ startLine: 8, startColumn: 14, endLine: 8, endColumn: 17 });
    // A released tree is parsed again the same way.
    parsed.release?.();
    expect(place(['groups', 0, 'rules', 0, 'for'])).toMatchObject({ startLine: 8, startColumn: 14 });
  });

  it('work in a sequence item, in double quotes, over several lines', () => {
    const text = ['items:', '  - name: "first part', '    second part', '  third part"', '  - name: plain', ''].join('\n');
    const { parsed, diagnostics } = parseYamlFile('r', 'items.yaml', text);
    expect(diagnostics).toEqual([]);
    expect(parsed.documents[0]?.value).toEqual({ items: [{ name: 'first part second part third part' }, { name: 'plain' }] });
  });

  it('report a later problem of the same file at its own line', () => {
    const text = [...alertRules.split('\n').slice(0, -1), 'groups: again', ''].join('\n');
    const { diagnostics } = parseYamlFile('r', 'rules.yaml', text);
    expect(diagnostics).toMatchObject([{ ruleId: 'parse-error', severity: 'warning', range: { startLine: 9, startColumn: 1 } }]);
    expect(diagnostics[0]?.message).toMatch(/^duplicate key/);
  });

  it('still report a quote that is never closed, where the file ends', () => {
    const text = ['a:', "  summary: 'never closed", '  }} b: 1', ''].join('\n');
    const { parsed, diagnostics } = parseYamlFile('r', 'open.yaml', text);
    expect(diagnostics).toMatchObject([{ ruleId: 'parse-error', severity: 'error', range: { startLine: 4, startColumn: 1 } }]);
    expect(diagnostics[0]?.message).toMatch(/^YAML syntax error: Missing closing 'quote/);
    expect(parsed.documents[0]?.broken).toBe(true);
  });
});
