import type { ParsedYamlFile } from '../yaml/parse.js';
import { originAt } from '../origin.js';
import type { K8sObject } from './types.js';
import { isMap, stringAt } from './value.js';
import { kustomizePatchFiles } from './kustomize-patches.js';

/**
 * Every YAML document whose value is a map with a string `apiVersion` and `kind`, in file order; documents of
 * kustomize patch files are marked (`kustomizePatch`). Broken documents are skipped: their parse errors are
 * already reported.
 */
export function loadK8sObjects(repo: string, yaml: ReadonlyMap<string, ParsedYamlFile>): K8sObject[] {
  const objects: K8sObject[] = [];
  const patches = kustomizePatchFiles(yaml);
  const files = [...yaml.keys()].sort();
  for (const file of files) {
    for (const document of yaml.get(file)?.documents ?? []) {
      if (document.broken || !isMap(document.value)) continue;
      const { apiVersion, kind } = document.value;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string') continue;
      const name = stringAt(document.value, ['metadata', 'name']);
      const namespace = stringAt(document.value, ['metadata', 'namespace']);
      const patchOf = patches.get(file);
      objects.push({
        apiVersion,
        kind,
        ...(name !== undefined ? { name } : {}),
        ...(namespace !== undefined ? { namespace } : {}),
        document,
        origin: originAt(repo, document, name !== undefined ? ['metadata', 'name'] : []),
        ...(patchOf !== undefined ? { kustomizePatch: patchOf } : {}),
      });
    }
  }
  return objects;
}
