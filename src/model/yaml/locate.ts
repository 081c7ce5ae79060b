import type { DocPath, SourceRange } from '../findings.js';
import { rangeFromOffsets, type YamlDocument } from './parse.js';
import { childOf, resolveAlias, type TreeNode, type TreePair } from './tree.js';

export interface Located {
  range: SourceRange;
  /** The longest prefix of the requested path that exists in the document. */
  resolvedPath: DocPath;
  /** False when the path was cut back to an existing ancestor. */
  exact: boolean;
}

/**
 * Turns a path inside a YAML document into a 1-based range. A path ending at a map key covers the whole
 * `key: value` pair, so the finding starts at the key's line; a path that does not exist falls back to the
 * closest existing ancestor (the document itself at worst).
 */
export function locatePath(document: YamlDocument, path: DocPath): Located {
  const { tree, lineCounter } = document;
  let node: TreeNode | null | undefined = tree;
  let pair: TreePair | undefined;
  const resolved: (string | number)[] = [];

  for (const segment of path) {
    const next = childOf(resolveAlias(node ?? undefined), segment);
    if (next === undefined) break;
    node = next.node;
    pair = next.pair;
    resolved.push(segment);
  }

  const exact = resolved.length === path.length;
  const range = rangeOf(pair, node);
  if (range) return { range: rangeFromOffsets(lineCounter, range[0], range[1]), resolvedPath: resolved, exact };
  return { range: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }, resolvedPath: [], exact: false };
}

/** Offsets [start, end) of the pair when the last step went through a map key, else of the node. */
function rangeOf(lastPair: TreePair | undefined, node: TreeNode | null | undefined): [number, number] | undefined {
  if (lastPair) return [lastPair.key.start, node ? node.end : lastPair.key.end];
  if (node) return [node.start, node.end];
  return undefined;
}
