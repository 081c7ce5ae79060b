import type { DocPath } from '../findings.js';
import type { YamlDocument } from '../yaml/parse.js';
import { nodeAt } from '../yaml/tree.js';

/**
 * The text of a scalar as written. A plain `1.10` loads as the number 1.1; image tags, chart versions and
 * target revisions are text, so the source is what counts. Null and non-scalars give undefined.
 */
export function scalarTextAt(document: YamlDocument, path: DocPath): string | undefined {
  const node = nodeAt(document.tree, path);
  if (node?.kind !== 'scalar' || node.value === null || node.value === undefined) return undefined;
  if (typeof node.value === 'string') return node.value;
  if (typeof node.source === 'string' && node.source !== '') return node.source;
  if (typeof node.value === 'number' || typeof node.value === 'boolean' || typeof node.value === 'bigint') return String(node.value);
  return undefined;
}
