import { describe, expect, it } from 'vitest';
import { readAppSpec } from '../../src/render/app-spec.js';
import { gobwasGlob } from '../../src/render/directory.js';
import { envsubst } from '../../src/render/env.js';
import { objectsOf, parseManifestStream } from '../../src/render/manifests.js';

describe('readAppSpec', () => {
  it('reads spec.sources over spec.source, with text for numbers as Kubernetes stores them', () => {
    const spec = readAppSpec({
      metadata: { name: 'web' },
      spec: {
        source: { repoURL: 'ignored' },
        sources: [
          { repoURL: 'https://example.com/charts', chart: 'web', targetRevision: 1.2, helm: { valuesObject: { a: 1 }, values: 'b: 2', parameters: [{ name: 'x', value: 3, forceString: true }], skipCrds: true } },
          { repoURL: 'https://example.com/values.git', ref: 'values' },
        ],
        destination: { namespace: 'web' },
      },
    });
    expect(spec).toMatchObject({ name: 'web', project: 'default', destinationNamespace: 'web', multiSource: true });
    expect(spec?.sources.map((source) => source.docPath)).toEqual([
      ['spec', 'sources', 0],
      ['spec', 'sources', 1],
    ]);
    expect(spec?.sources[0]).toMatchObject({ targetRevision: '1.2', helm: { valuesObject: { a: 1 }, values: 'b: 2', parameters: [{ name: 'x', value: '3', forceString: true, index: 0 }], skipCrds: true } });
    expect(spec?.sources[1]?.ref).toBe('values');
  });

  it('reads one source, treats `helm: {}` as a Helm block and `helm: null` as none, and needs a name', () => {
    expect(readAppSpec({ metadata: { name: 'a' }, spec: { source: { path: 'x', helm: {} } } })?.sources[0]?.helm).toBeDefined();
    expect(readAppSpec({ metadata: { name: 'a' }, spec: { source: { path: 'x', helm: null } } })?.sources[0]?.helm).toBeUndefined();
    expect(readAppSpec({ metadata: {}, spec: {} })).toBeUndefined();
  });
});

describe('envsubst', () => {
  const env = { ARGOCD_APP_NAME: 'web', ARGOCD_APP_NAMESPACE: 'prod' };
  it.each([
    ['values-$ARGOCD_APP_NAME.yaml', 'values-web.yaml'],
    ['${ARGOCD_APP_NAMESPACE}/values.yaml', 'prod/values.yaml'],
    ['$UNKNOWN/x', '/x'],
    ['cost$$', 'cost$'],
    ['a$', 'a$'],
    ['a$/b', 'a$/b'],
    ['${}', ''],
    ['${unclosed', 'unclosed'],
  ])('%s → %s, as Go\'s os.Expand', (input, output) => {
    expect(envsubst(input, env)).toBe(output);
  });
});

describe('gobwasGlob', () => {
  it.each([
    ['*.yaml', 'a/b.yaml', true],
    ['*.yaml', 'b.json', false],
    ['{config.json,env-usw2/*}', 'env-usw2/a.yaml', true],
    ['{config.json,env-usw2/*}', 'config.json', true],
    ['{config.json,env-usw2/*}', 'other.json', false],
    ['[!a]*.yaml', 'b.yaml', true],
    ['[!a]*.yaml', 'a.yaml', false],
    ['file?.yml', 'file1.yml', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
  ])('%s matches %s: %s (ArgoCD\'s glob: * crosses slashes)', (pattern, path, matches) => {
    expect(gobwasGlob(pattern).test(path)).toBe(matches);
  });
});

describe('parseManifestStream', () => {
  it('keeps Helm\'s # Source with each document and skips empty ones', () => {
    const documents = parseManifestStream(`---
# Source: web/templates/a.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
# Source: web/templates/empty.yaml
---
# Source: web/templates/b.yaml
apiVersion: v1
kind: Secret
metadata:
  name: b
data:
  when: "2024-01-01"
`);
    expect(documents).toEqual([
      { source: 'web/templates/a.yaml', value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } },
      { source: 'web/templates/b.yaml', value: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' }, data: { when: '2024-01-01' } } },
    ]);
  });

  it('names the document that does not parse', () => {
    expect(() => parseManifestStream('a: 1\n---\nb: [\n')).toThrow(/^document 2 of the output does not parse/);
  });

  it('unwraps List objects as ArgoCD does', () => {
    expect(objectsOf({ apiVersion: 'v1', kind: 'ConfigMapList', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, { not: 'an object' }] })).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }]);
    expect(objectsOf({ apiVersion: 'v1', kind: 'ConfigMapList', items: null })).toEqual([]);
  });
});
