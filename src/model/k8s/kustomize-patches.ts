import { posix } from 'node:path';
import { joinInRepo } from '../helm/paths.js';
import type { ParsedYamlFile } from '../yaml/parse.js';
import { stringAt, valueAt } from './value.js';

const KUSTOMIZATION = /(?:^|\/)kustomization\.ya?ml$/;

/**
 * The files a kustomization of the repo names as patches (`patchesStrategicMerge`, `patches[].path`,
 * `patchesJson6902[].path`), each with the first kustomization that does, unless a kustomization also names the
 * file as a resource. A patch is part of an object, not one: a strategic-merge patch of an Application has only
 * the fields it changes (`spec.source.path`), and taken alone it looks like an Application without a
 * destination.
 */
export function kustomizePatchFiles(yaml: ReadonlyMap<string, ParsedYamlFile>): Map<string, string> {
  const patches = new Map<string, string>();
  const resources = new Set<string>();
  for (const [file, parsed] of [...yaml].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!KUSTOMIZATION.test(file)) continue;
    const value = parsed.documents[0]?.broken === false ? parsed.documents[0].value : undefined;
    const folder = posix.dirname(file);
    const target = (text: string): string | undefined => (text.includes('\n') ? undefined : joinInRepo(folder, text));
    const add = (text: string | undefined): void => {
      const patch = text === undefined ? undefined : target(text);
      if (patch !== undefined && !patches.has(patch)) patches.set(patch, file);
    };
    const listed = (key: string): unknown[] => {
      const entries = valueAt(value, [key]);
      return Array.isArray(entries) ? entries : [];
    };
    for (const entry of listed('patchesStrategicMerge')) if (typeof entry === 'string') add(entry);
    for (const key of ['patches', 'patchesJson6902']) for (const entry of listed(key)) add(stringAt(entry, ['path']));
    for (const key of ['resources', 'bases']) {
      for (const entry of listed(key)) {
        const resource = typeof entry === 'string' ? target(entry) : undefined;
        if (resource !== undefined) resources.add(resource);
      }
    }
  }
  for (const resource of resources) patches.delete(resource);
  return patches;
}
