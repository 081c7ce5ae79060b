import { describe, expect, it } from 'vitest';
import { parseYamlFile, type ParsedYamlFile } from '../../src/model/yaml/parse.js';
import { loadK8sObjects } from '../../src/model/k8s/load.js';

function yamlOf(repo: string, files: Record<string, string>): Map<string, ParsedYamlFile> {
  return new Map(Object.entries(files).map(([file, text]) => [file, parseYamlFile(repo, file, text).parsed]));
}

describe('loadK8sObjects', () => {
  it('finds every document with apiVersion and kind, in file order, with its name line', () => {
    const yaml = yamlOf('r', {
      'z.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\n',
      'a.yaml': [
        '# comment',
        'apiVersion: v1',
        'kind: Namespace',
        'metadata:',
        '  name: media',
        '---',
        'just: values',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  namespace: media',
        '  name: web',
        '---',
        'apiVersion: 1',
        'kind: NotAnObject',
        '---',
        'kind: [broken',
        '---',
        '- a list',
      ].join('\n'),
    });
    const objects = loadK8sObjects('r', yaml);
    expect(objects.map((object) => [object.origin.file, object.kind, object.name, object.namespace, object.origin.line])).toEqual([
      ['a.yaml', 'Namespace', 'media', undefined, 5],
      ['a.yaml', 'Deployment', 'web', 'media', 13],
      ['z.yaml', 'ConfigMap', 'last', undefined, 4],
    ]);
    expect(objects[1]?.document.index).toBe(2);
  });

  it('points a nameless object at its document', () => {
    const [object] = loadK8sObjects('r', yamlOf('r', { 'x.yaml': '\n\napiVersion: v1\nkind: List\n' }));
    expect(object?.name).toBeUndefined();
    expect(object?.origin.line).toBe(3);
  });
});
