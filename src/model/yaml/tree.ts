import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

/**
 * A parsed YAML document as the loaders read it: each node's kind, value and place in the text, nothing else.
 * It comes from the fast parser (fast-parse.ts) or, for a file that one does not take, from a yaml Document, and
 * both give the same tree: `start` and `end` are the offsets the yaml package gives a node (`range[0]` and
 * `range[1]`).
 */
export type TreeNode = TreeScalar | TreeMap | TreeSeq | TreeAlias;

interface TreeNodeBase {
  /** Offset of the node's first character, after any tag or anchor. */
  start: number;
  /** Offset just past its value (a block collection's runs to the end of its last value's line). */
  end: number;
  /** An explicit tag, as the loaders see it (`!reference`); undefined without one. */
  tag?: string;
}

export interface TreeScalar extends TreeNodeBase {
  kind: 'scalar';
  value: unknown;
  /** A plain (unquoted) scalar: only a plain `<<` is a merge key. */
  plain: boolean;
  /** The text the value was resolved from, for a value that is not a string (`1.10` loads as 1.1). */
  source?: string;
}

export interface TreePair {
  key: TreeNode;
  /** Null only for an explicit key with no value. */
  value: TreeNode | null;
}

export interface TreeMap extends TreeNodeBase {
  kind: 'map';
  pairs: TreePair[];
}

export interface TreeSeq extends TreeNodeBase {
  kind: 'seq';
  items: TreeNode[];
}

/** `*name`: the anchored node is shared, not copied; undefined when the alias points into its own anchor. */
export interface TreeAlias extends TreeNodeBase {
  kind: 'alias';
  target: TreeNode | undefined;
}

/** The tree of a yaml Document, for files the fast parser leaves to the yaml package. */
export function treeFromDocument(doc: Document.Parsed): TreeNode | undefined {
  if (!doc.contents) return undefined;
  const converted = new Map<Node, TreeNode>();
  const convert = (node: Node): TreeNode => {
    const done = converted.get(node);
    if (done) return done;
    const [start, end] = node.range ?? [0, 0];
    const tag = node.tag;
    let tree: TreeNode;
    if (isAlias(node)) {
      const target = node.resolve(doc) as Node | undefined;
      // An anchor is converted before its aliases; one still missing here is an ancestor (a recursive alias).
      tree = { kind: 'alias', start, end, target: target ? converted.get(target) : undefined };
    } else if (isMap(node)) {
      const map: TreeMap = { kind: 'map', start, end, pairs: [] };
      converted.set(node, map);
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        // A pair always has a key node here: a missing one is an empty scalar where its value starts.
        const keyTree = key ? convert(key) : emptyScalar(value?.range?.[0] ?? start);
        map.pairs.push({ key: keyTree, value: value ? convert(value) : null });
      }
      tree = map;
    } else if (isSeq(node)) {
      const seq: TreeSeq = { kind: 'seq', start, end, items: [] };
      converted.set(node, seq);
      for (const item of node.items) seq.items.push(item ? convert(item as Node) : emptyScalar(end));
      tree = seq;
    } else if (isScalar(node)) {
      const scalar: TreeScalar = { kind: 'scalar', start, end, value: node.value, plain: node.type === 'PLAIN' };
      if (typeof node.value !== 'string' && typeof node.source === 'string') scalar.source = node.source;
      tree = scalar;
    } else {
      tree = emptyScalar(start);
    }
    if (tag !== undefined) tree.tag = tag;
    converted.set(node, tree);
    return tree;
  };
  return convert(doc.contents);
}

/** The tree with every node's offsets mapped (in place: aliases share their target's node). */
export function mapTreeOffsets(tree: TreeNode, map: (offset: number) => number): TreeNode {
  const mapped = new Set<TreeNode>();
  const visit = (node: TreeNode): void => {
    if (mapped.has(node)) return;
    mapped.add(node);
    node.start = map(node.start);
    node.end = map(node.end);
    if (node.kind === 'map') {
      for (const pair of node.pairs) {
        visit(pair.key);
        if (pair.value) visit(pair.value);
      }
    } else if (node.kind === 'seq') {
      for (const item of node.items) visit(item);
    } else if (node.kind === 'alias' && node.target) {
      visit(node.target);
    }
  };
  visit(tree);
  return tree;
}

function emptyScalar(at: number): TreeScalar {
  return { kind: 'scalar', start: at, end: at, value: null, plain: true };
}

/** The node at a path of map keys and sequence indexes, through aliases; undefined when it does not exist. */
export function nodeAt(root: TreeNode | undefined, path: readonly (string | number)[]): TreeNode | undefined {
  let node = resolveAlias(root);
  for (const segment of path) {
    const next = childOf(node, segment);
    if (!next) return undefined;
    node = resolveAlias(next.node ?? undefined);
  }
  return node;
}

export function resolveAlias(node: TreeNode | undefined): TreeNode | undefined {
  return node?.kind === 'alias' ? node.target : node;
}

/** A map's value for a key (as loaded: `1` and `"1"` both match segment "1"), or a sequence's item. */
export function childOf(node: TreeNode | undefined, segment: string | number): { node: TreeNode | null; pair?: TreePair } | undefined {
  if (node?.kind === 'map') {
    for (const pair of node.pairs) {
      const key = pair.key.kind === 'scalar' ? pair.key.value : pair.key;
      if (key === segment || (typeof key === 'number' && String(key) === String(segment)) || (typeof key === 'boolean' && String(key) === segment)) {
        return { node: pair.value, pair };
      }
    }
    return undefined;
  }
  if (node?.kind === 'seq' && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { node: item };
  }
  return undefined;
}
