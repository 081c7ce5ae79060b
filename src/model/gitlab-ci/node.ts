import type { DocPath } from '../findings.js';
import type { FactOrigin } from '../origin.js';
import { rangeFromOffsets, type ParsedYamlFile, type YamlDocument } from '../yaml/parse.js';
import type { TreeMap, TreeNode } from '../yaml/tree.js';

/**
 * The CI resolver works on its own small tree instead of plain JS values so that every value keeps the file, repo
 * and line it was written at, through includes, `extends`, `!reference` and `default:`. Nodes are immutable and
 * shared (an alias, a file included by many repos); merging builds new maps.
 */

/** A YAML document of a fleet repo. */
export interface CiSource {
  repo: string;
  document: YamlDocument;
}

export interface NodeOrigin {
  source: CiSource;
  /** Offsets [start, end) in the file. */
  start: number;
  end: number;
  path: DocPath;
}

export type CiScalarValue = string | number | boolean | null;

export interface CiScalar {
  kind: 'scalar';
  value: CiScalarValue;
  origin: NodeOrigin;
  /**
   * Set when the value cannot be known offline (an input given only when the pipeline runs): what it depends on,
   * `inputs.stage`. `value` keeps the text as written.
   */
  unknown?: string;
}

export interface CiSeq {
  kind: 'seq';
  items: readonly CiNode[];
  origin: NodeOrigin;
}

/** One `key: value` of a map; `origin` covers the pair, so it starts at the key's line. */
export interface CiEntry {
  value: CiNode;
  origin: NodeOrigin;
}

export interface CiMap {
  kind: 'map';
  entries: ReadonlyMap<string, CiEntry>;
  origin: NodeOrigin;
}

/** A `!reference [job, key, ...]` tag, resolved after `extends` as GitLab does. */
export interface CiRef {
  kind: 'ref';
  /** Undefined when the tag is malformed (not a list of plain strings). */
  path: readonly string[] | undefined;
  origin: NodeOrigin;
}

export type CiNode = CiScalar | CiSeq | CiMap | CiRef;

/** One FactOrigin per node: the jobs of every repo that includes a template share its origins. */
const factOrigins = new WeakMap<NodeOrigin, FactOrigin>();

/** The origin of a node as facts carry it. Shared, so never to be changed by whoever receives it. */
export function toFactOrigin(origin: NodeOrigin): FactOrigin {
  let fact = factOrigins.get(origin);
  if (!fact) {
    const { document } = origin.source;
    const range = rangeFromOffsets(document.lineCounter, origin.start, origin.end);
    fact = { repo: origin.source.repo, file: document.file, docIndex: document.index, path: origin.path, range, line: range.startLine };
    factOrigins.set(origin, fact);
  }
  return fact;
}

export function emptyMap(origin: NodeOrigin): CiMap {
  return { kind: 'map', entries: new Map(), origin };
}

export function scalarString(node: CiNode | undefined): string | undefined {
  if (node?.kind !== 'scalar' || node.value === null) return undefined;
  return String(node.value);
}

export function isNull(node: CiNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && node.value === null);
}

/** The items of a sequence with nested sequences flattened (GitLab flattens `!reference`d lists in scripts, rules, stages). */
export function flatItems(node: CiNode | undefined, depth = 10): CiNode[] {
  if (node === undefined) return [];
  if (node.kind !== 'seq') return [node];
  const out: CiNode[] = [];
  for (const item of node.items) {
    if (item.kind === 'seq' && depth > 0) out.push(...flatItems(item, depth - 1));
    else out.push(item);
  }
  return out;
}

/** A string or a list of strings (`extends`, `only`, `file:`), as written. */
export function stringList(node: CiNode | undefined): { values: string[]; nodes: CiNode[] } {
  const values: string[] = [];
  const nodes: CiNode[] = [];
  for (const item of flatItems(node)) {
    const text = scalarString(item);
    if (text !== undefined) {
      values.push(text);
      nodes.push(item);
    }
  }
  return { values, nodes };
}

/**
 * The configuration document of a CI file: the first document, or the second when the first is a `spec:` header
 * (CI/CD inputs). Undefined when the file is empty.
 */
export function configDocument(parsed: ParsedYamlFile): YamlDocument | undefined {
  const [first, second] = parsed.documents;
  if (first && isSpecHeader(first)) return second;
  return first;
}

/** The `spec:` header document of a CI file (its inputs), when it has one. */
export function specDocument(parsed: ParsedYamlFile): YamlDocument | undefined {
  const [first] = parsed.documents;
  return first && isSpecHeader(first) ? first : undefined;
}

function isSpecHeader(document: YamlDocument): boolean {
  const tree = document.tree;
  return tree?.kind === 'map' && tree.pairs.length > 0 && tree.pairs.every((pair) => pair.key.kind === 'scalar' && pair.key.value === 'spec');
}

export interface DocumentTree {
  node: CiNode | undefined;
  /** Aliases that point into their own anchor (`a: &a [*a]`): each became `null`. */
  recursiveAliases: NodeOrigin[];
}

const converted = new WeakMap<YamlDocument, { repo: string; tree: DocumentTree }>();

/**
 * The tree of a document. With `keep`, converted once per document and repo and kept: every repo that includes a
 * template shares it. A repo's own files are converted for that repo alone, and not kept (a fleet's worth of
 * trees is a large part of the heap).
 * Aliases share the anchored node, so an alias keeps the line of its anchor; `<<:` merge keys are applied here
 * because the shared parse does not enable YAML 1.1 merges.
 */
export function documentTree(repo: string, document: YamlDocument, keep = true): DocumentTree {
  const cached = converted.get(document);
  if (cached?.repo === repo) return cached.tree;
  // One tree for the whole conversion: the memo is keyed by its nodes, which aliases share.
  const root = document.tree;
  const state: ConvertState = { source: { repo, document }, memo: new Map(), active: new Set(), recursive: [] };
  const node = root ? convert(state, root, []) : undefined;
  const tree = { node, recursiveAliases: state.recursive };
  if (keep) converted.set(document, { repo, tree });
  return tree;
}

interface ConvertState {
  source: CiSource;
  memo: Map<TreeNode, CiNode>;
  /** Nodes being converted: an alias to one of them is recursive. */
  active: Set<TreeNode>;
  recursive: NodeOrigin[];
}

function origin(source: CiSource, node: TreeNode, path: DocPath): NodeOrigin {
  return { source, start: node.start, end: node.end, path };
}

function convert(state: ConvertState, node: TreeNode, path: DocPath): CiNode {
  const { source, memo } = state;
  if (node.kind === 'alias') {
    const target = node.target;
    if (!target || state.active.has(target)) {
      if (target) state.recursive.push(origin(source, node, path));
      return { kind: 'scalar', value: null, origin: origin(source, node, path) };
    }
    // The anchor was converted before its aliases (anchors precede aliases); its tree carries the anchor's lines.
    return memo.get(target) ?? convert(state, target, path);
  }
  const done = memo.get(node);
  if (done) return done;
  state.active.add(node);
  let result: CiNode;
  if (node.tag === '!reference') result = referenceNode(source, node, path);
  else if (node.kind === 'map') result = mapNode(state, node, path);
  else if (node.kind === 'seq') {
    const items = node.items.map((item, index) => convert(state, item, [...path, index]));
    result = { kind: 'seq', items, origin: origin(source, node, path) };
  } else result = { kind: 'scalar', value: scalarValue(node.value), origin: origin(source, node, path) };
  state.active.delete(node);
  memo.set(node, result);
  return result;
}

function scalarValue(value: unknown): CiScalarValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return value instanceof Date ? value.toISOString() : null;
}

function referenceNode(source: CiSource, node: TreeNode, path: DocPath): CiRef {
  const here = origin(source, node, path);
  if (node.kind !== 'seq' || node.items.length === 0) return { kind: 'ref', path: undefined, origin: here };
  const segments: string[] = [];
  for (const item of node.items) {
    const segment = item.kind === 'scalar' ? item.value : undefined;
    if (typeof segment !== 'string' && typeof segment !== 'number' && typeof segment !== 'boolean') return { kind: 'ref', path: undefined, origin: here };
    segments.push(String(segment));
  }
  return { kind: 'ref', path: segments, origin: here };
}

function mapNode(state: ConvertState, node: TreeMap, path: DocPath): CiMap {
  const { source } = state;
  const own = new Map<string, CiEntry>();
  const merged: CiMap[] = [];
  for (const { key: keyNode, value: valueNode } of node.pairs) {
    const key = keyNode.kind === 'scalar' ? keyNode.value : undefined;
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') continue;
    const name = String(key);
    const value = valueNode ? convert(state, valueNode, [...path, name]) : ({ kind: 'scalar', value: null, origin: origin(source, keyNode, [...path, name]) } satisfies CiScalar);
    if (name === '<<' && (keyNode.kind !== 'scalar' || keyNode.plain)) {
      // `<<: *a` or `<<: [*a, *b]`: earlier maps win over later ones, explicit keys win over all.
      for (const base of value.kind === 'seq' ? value.items : [value]) if (base.kind === 'map') merged.push(base);
      continue;
    }
    const start = keyNode.kind === 'scalar' ? keyNode.start : value.origin.start;
    own.set(name, { value, origin: { source, start, end: value.origin.end, path: [...path, name] } });
  }
  const here = origin(source, node, path);
  if (merged.length === 0) return { kind: 'map', entries: own, origin: here };
  const entries = new Map<string, CiEntry>();
  for (const base of merged.reverse()) for (const [key, entry] of base.entries) entries.set(key, entry);
  for (const [key, entry] of own) entries.set(key, entry);
  return { kind: 'map', entries, origin: here };
}

/** A node made from a plain value, every part at `origin`: what fleetlint knows of a file it does not read. */
export function syntheticNode(value: unknown, origin: NodeOrigin): CiNode {
  if (Array.isArray(value)) return { kind: 'seq', items: value.map((item) => syntheticNode(item, origin)), origin };
  if (value !== null && typeof value === 'object') {
    const entries = new Map<string, CiEntry>();
    for (const [key, item] of Object.entries(value)) entries.set(key, { value: syntheticNode(item, origin), origin });
    return { kind: 'map', entries, origin };
  }
  return { kind: 'scalar', value: scalarValue(value), origin };
}
