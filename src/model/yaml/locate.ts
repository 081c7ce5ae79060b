import { isMap, isPair, isScalar, isSeq, isAlias, type Node, type Pair } from 'yaml';
import type { DocPath, SourceRange } from '../findings.js';
import { rangeFromOffsets, type YamlDocument } from './parse.js';

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
  const { doc, lineCounter } = document;
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  const resolved: (string | number)[] = [];

  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    const next = childOf(node, segment);
    if (next === undefined) break;
    node = next.node;
    pair = next.pair;
    resolved.push(segment);
  }

  const exact = resolved.length === path.length;
  const range = rangeOf(pair, node as Node | null | undefined);
  if (range) return { range: rangeFromOffsets(lineCounter, range[0], range[1]), resolvedPath: resolved, exact };
  return { range: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }, resolvedPath: [], exact: false };
}

function childOf(node: unknown, segment: string | number): { node: unknown; pair?: Pair } | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      const key: unknown = isScalar(item.key) ? item.key.value : item.key;
      if (key === segment || (typeof key === 'number' && String(key) === String(segment)) || (typeof key === 'boolean' && String(key) === segment)) {
        return { node: item.value, pair: item };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { node: item };
  }
  return undefined;
}

/** Offsets [start, end) of the pair when the last step went through a map key, else of the node. */
function rangeOf(lastPair: Pair | undefined, node: Node | null | undefined): [number, number] | undefined {
  const nodeRange = node && 'range' in node ? node.range : undefined;
  if (lastPair && isPair(lastPair)) {
    const key = lastPair.key as Node | null;
    const keyRange = key && typeof key === 'object' && 'range' in key ? key.range : undefined;
    if (keyRange) return [keyRange[0], nodeRange ? nodeRange[1] : keyRange[1]];
  }
  if (nodeRange) return [nodeRange[0], nodeRange[1]];
  return undefined;
}
