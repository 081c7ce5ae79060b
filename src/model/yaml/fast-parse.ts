import { loadAll, Schema as JsYamlSchema, Type, type LoadOptions } from 'js-yaml';
import { isScalar, Schema, type ScalarTag } from 'yaml';
import type { TreeAlias, TreeMap, TreeNode, TreePair, TreeScalar, TreeSeq } from './tree.js';

/**
 * A fast path for the common YAML file. The `yaml` package parses in four passes (tokens, a syntax tree, nodes,
 * values) and most of a short audit runs its code cold: the seed fleet's 0.26 MB of YAML took 0.2 s, where
 * js-yaml reads values in one pass in a quarter of that. This reads each document's value with js-yaml and,
 * from its parse events, the tree (tree.ts) with the same offsets the yaml package gives.
 *
 * It gives up, and the caller parses the file with the yaml package as before, on anything it does not model
 * exactly: any error or warning, tags other than `!reference`, keys that are not strings, numbers or booleans,
 * empty sequence entries, empty nodes with an anchor or tag, empty documents, a byte order mark, block scalars
 * that keep trailing lines, set their indentation or start on a line of their own, recursive aliases and aliases
 * that expand far. Values resolve with the yaml package's own core schema tags, so `1.10`, `0o17`, `.inf` or `~`
 * load the same either way. test/model/yaml/fast-parse.test.ts compares both parsers, values and offsets, over
 * the fixtures, the real-world corpus and a generated fleet; a one-off run over the 5,700 YAML files on the
 * development machine (GitHub workflows, Helm and cloud SDK configs) found no difference.
 */

export interface FastDocument {
  value: unknown;
  tree: TreeNode | undefined;
}

/** Thrown inside the listener to stop parsing; the caller falls back to the yaml package. */
class NotModelled extends Error {}

/** The yaml package's core schema scalar tags, wrapped as js-yaml implicit types: the same tests, the same values. */
const coreScalarTypes: Type[] = new Schema({ schema: 'core' }).tags
  .filter((tag): tag is ScalarTag & { test: RegExp } => tag.test instanceof RegExp && tag.default === true)
  .map(
    (tag, index) =>
      new Type(`${tag.tag}#${index}`, {
        kind: 'scalar',
        resolve: (data: unknown) => typeof data === 'string' && tag.test.test(data),
        construct: (data: string) => {
          const onError = (): never => {
            throw new NotModelled();
          };
          const resolved: unknown = tag.resolve(data, onError, { intAsBigInt: false });
          return isScalar(resolved) ? resolved.value : resolved;
        },
      }),
  );

const referenceType = new Type('!reference', { kind: 'sequence', construct: (data: unknown) => data ?? [] });

// The failsafe schema (strings, sequences, maps) plus the core scalars; js-yaml's own int and float differ
// (underscores, `0b`), and its merge and timestamp types are not YAML 1.2 core.
const SCHEMA = new JsYamlSchema({ implicit: coreScalarTypes, explicit: [referenceType] });

const INDENTING_TAB = /^[ ]*\t/m;

/** An alias expansion past this many nodes (and past 10 per node of the document) goes to the yaml package's alias-bomb guard. */
const MAX_EXPANDED_NODES = 10_000;

interface Frame {
  open: number;
  children: Built[];
}

/** A node of the tree and what its parent needs to know about it. */
interface Built {
  node: TreeNode;
  /** Nodes with aliases expanded, for the alias-bomb guard. */
  size: number;
  /** Where the node's line-trailing text ends: what a block collection holding it as its last value runs to. */
  nodeEnd: number;
  /** The collection a js-yaml result came from, to recognise a node composed again inside its own frame. */
  result: unknown;
  /** A flow node: comment lines indented under it join its trailing text (yaml's `atIndentedComment`). */
  flow?: boolean;
}

/**
 * Every document's value and tree, or undefined when the file is one the yaml package must parse (see above).
 * Never throws.
 */
export function fastParse(text: string): FastDocument[] | undefined {
  // A byte order mark stays in the text only where the caller kept it; the yaml package counts it, js-yaml not.
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  // Tabs in indentation: the yaml package refuses some that js-yaml lets through.
  if (text.includes('\t') && INDENTING_TAB.test(text)) return undefined;
  try {
    return new FastParser(text).parse();
  } catch {
    return undefined;
  }
}

class FastParser {
  readonly #text: string;
  readonly #stack: Frame[] = [];
  #roots: Built[] = [];
  #anchors = new Map<string, Built>();
  #nodes = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parse(): FastDocument[] {
    const values: unknown[] = [];
    const options: LoadOptions = {
      schema: SCHEMA,
      json: false,
      onWarning: () => {
        throw new NotModelled();
      },
      listener: (event, state) => {
        if (event === 'open') this.#stack.push({ open: state.position, children: [] });
        // The typings say `kind: string`; js-yaml leaves null where it read nothing (and for an alias).
        else this.#close(state.position, state.kind, state.result);
      },
    };
    loadAll(this.#text, (value) => values.push(value), options);
    if (this.#stack.length > 0 || this.#roots.length !== values.length) throw new NotModelled();
    if (this.#nodes > 0 && this.#roots.reduce((sum, root) => sum + root.size, 0) > Math.max(MAX_EXPANDED_NODES, 10 * this.#nodes)) throw new NotModelled();
    return values.map((value, index) => {
      const root = this.#roots[index] as Built;
      // An empty document: the yaml package counts one only after a `---`, js-yaml also for a file of comments.
      if (root.node.kind === 'scalar' && root.node.source === '') throw new NotModelled();
      return { value, tree: root.node };
    });
  }

  #close(position: number, kind: string | null, result: unknown): void {
    const frame = this.#stack.pop();
    if (!frame) throw new NotModelled();
    const built = this.#build(frame, position, kind, result);
    this.#nodes++;
    const parent = this.#stack[this.#stack.length - 1];
    if (parent) {
      parent.children.push(built);
    } else {
      this.#roots.push(built);
      this.#anchors = new Map();
    }
  }

  #build(frame: Frame, position: number, kind: string | null, result: unknown): Built {
    const text = this.#text;
    // js-yaml reads a flow collection in block context as the would-be first key of a mapping, then keeps it:
    // the inner node has the exact place. (A scalar's place is found in the text either way.)
    const [only] = frame.children;
    if (frame.children.length === 1 && only && kind !== 'scalar' && kind !== null && only.result === result) return only;

    const props = readProperties(text, frame.open);
    if (props.tag !== undefined && props.tag !== '!reference') throw new NotModelled();
    const start = props.start;
    let built: Built;
    // js-yaml leaves the kind of an alias as it was: null.
    if (text[start] === '*') built = this.#alias(start);
    else if (kind === 'mapping') built = this.#map(frame.children, start, position, result);
    else if (kind === 'sequence') built = this.#seq(frame.children, start, position, result);
    else if (kind === 'scalar') built = this.#scalar(start, position, result);
    else if (kind === null && result === null && props.anchor === undefined && props.tag === undefined) built = emptyNode(text, frame.open);
    else throw new NotModelled();
    if (props.tag !== undefined) built.node.tag = props.tag;
    if (props.anchor !== undefined) this.#anchors.set(props.anchor, built);
    return built;
  }

  #scalar(start: number, position: number, value: unknown): Built {
    const text = this.#text;
    const first = text[start];
    let end: number;
    let plain = false;
    if (first === '|' || first === '>') {
      end = blockScalarEnd(text, start);
      const node: TreeScalar = { kind: 'scalar', start, end, value, plain };
      return { node, size: 1, nodeEnd: end, result: value };
    }
    end = trimEnd(text, start, position);
    plain = first !== '"' && first !== "'";
    if (value === null && end === start) throw new NotModelled();
    const node: TreeScalar = { kind: 'scalar', start, end, value, plain };
    if (typeof value !== 'string') node.source = text.slice(start, end);
    return { node, size: 1, nodeEnd: lineTrailEnd(text, end), result: value, flow: true };
  }

  #alias(start: number): Built {
    const text = this.#text;
    let end = start + 1;
    while (end < text.length && !/[\s,[\]{}]/.test(text[end] as string)) end++;
    const target = this.#anchors.get(text.slice(start + 1, end));
    // Not there yet: the alias is inside its own anchor, which js-yaml turns into a cycle.
    if (!target) throw new NotModelled();
    const node: TreeAlias = { kind: 'alias', start, end, target: target.node };
    return { node, size: target.size, nodeEnd: lineTrailEnd(text, end), result: target.result, flow: true };
  }

  #seq(children: Built[], start: number, position: number, result: unknown): Built {
    if (!Array.isArray(result) || children.length !== result.length) throw new NotModelled();
    const node: TreeSeq = { kind: 'seq', start, end: 0, items: children.map((child) => child.node) };
    return this.#collection(node, children, position, result);
  }

  #map(children: Built[], start: number, position: number, result: unknown): Built {
    // js-yaml tries to read one more key where a block mapping ends (at a `---`, say): an empty node.
    const last = children[children.length - 1]?.node;
    if (children.length % 2 === 1 && last?.kind === 'scalar' && last.source === '') children.pop();
    if (result === null || typeof result !== 'object' || children.length !== 2 * Object.keys(result).length) throw new NotModelled();
    const pairs: TreePair[] = [];
    for (let index = 0; index < children.length; index += 2) {
      const key = (children[index] as Built).node;
      if (key.kind !== 'scalar' || !isPlainKey(key.value)) throw new NotModelled();
      pairs.push({ key, value: (children[index + 1] as Built).node });
    }
    const node: TreeMap = { kind: 'map', start, end: 0, pairs };
    return this.#collection(node, children, position, result);
  }

  /**
   * A flow collection ends at its closing bracket, where js-yaml stops. A block collection ends where its last
   * value's line-trailing text does, and its own trailing text takes the comment lines after it.
   */
  #collection(node: TreeSeq | TreeMap, children: Built[], position: number, result: unknown): Built {
    const text = this.#text;
    const size = children.reduce((sum, child) => sum + child.size, 1);
    if (text[node.start] === '[' || text[node.start] === '{') {
      node.end = trimEnd(text, node.start, position);
      return { node, size, nodeEnd: lineTrailEnd(text, node.end), result, flow: true };
    }
    const last = children[children.length - 1];
    const indent = column(text, node.start);
    node.end = !last ? node.start : last.flow ? indentedCommentsEnd(text, last.nodeEnd, indent) : last.nodeEnd;
    return { node, size, nodeEnd: trailingCommentsEnd(text, node.end, indent), result };
  }
}

function isPlainKey(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Skips separation (spaces, line breaks, comments) and node properties (`!tag`, `&anchor`) from `from`. */
function readProperties(text: string, from: number): { start: number; tag?: string; anchor?: string } {
  let index = from;
  let tag: string | undefined;
  let anchor: string | undefined;
  for (;;) {
    const char = text[index];
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') index++;
    else if (char === '#') {
      const next = text.indexOf('\n', index);
      index = next === -1 ? text.length : next;
    } else if (char === '!' || char === '&') {
      let end = index + 1;
      while (end < text.length && !/\s/.test(text[end] as string)) end++;
      if (char === '!') tag = text.slice(index, end);
      else anchor = text.slice(index + 1, end);
      index = end;
    } else break;
  }
  return { start: index, ...(tag !== undefined ? { tag } : {}), ...(anchor !== undefined ? { anchor } : {}) };
}

/** The end of a flow scalar: js-yaml stops after the spaces (and line breaks) that follow it. */
function trimEnd(text: string, start: number, position: number): number {
  let end = Math.min(position, text.length);
  while (end > start && /\s/.test(text[end - 1] as string)) end--;
  return end;
}

/** Past the spaces, a comment and the line break that follow a node on its line (yaml's `range[2]`). */
function lineTrailEnd(text: string, end: number): number {
  let index = end;
  while (text[index] === ' ' || text[index] === '\t') index++;
  if (text[index] === '#' && index > end) {
    const next = text.indexOf('\n', index);
    index = next === -1 ? text.length : next;
  }
  if (text[index] === '\r' && text[index + 1] === '\n') return index + 2;
  if (text[index] === '\n') return index + 1;
  return index === text.length ? index : end;
}

/** Past the comment lines (and blank lines before them) indented deeper than the collection a flow node ends. */
function indentedCommentsEnd(text: string, end: number, indent: number): number {
  let index = end;
  let attached = end;
  while (index < text.length) {
    let cursor = index;
    while (text[cursor] === ' ') cursor++;
    const char = text[cursor];
    if (char === '#' && cursor - index <= indent) break;
    if (char !== '#' && char !== '\n' && char !== '\r' && char !== '\t') break;
    const lineEnd = text.indexOf('\n', cursor);
    index = lineEnd === -1 ? text.length : lineEnd + 1;
    if (char === '#') attached = index;
  }
  return attached;
}

/**
 * Where a block collection's trailing text ends (yaml's `range[2]`). The blank and comment lines after its last
 * value, with the next line's indentation, stay with it when one of the comments is indented at least as deep as
 * it, unless it starts at column 0; otherwise they go to the collection around it, which asks the same question.
 */
function trailingCommentsEnd(text: string, end: number, indent: number): number {
  if (indent === 0) return end;
  const run = commentRun(text, end);
  return run.deepestComment >= indent ? run.end : end;
}

/** The blank and comment lines from `from` (a line start) to the next content, and that content's indentation. */
function commentRun(text: string, from: number): { end: number; deepestComment: number } {
  let index = from;
  let deepestComment = -1;
  while (index < text.length) {
    let cursor = index;
    while (text[cursor] === ' ' || text[cursor] === '\t') cursor++;
    const char = text[cursor];
    if (char === '#') deepestComment = Math.max(deepestComment, cursor - index);
    else if (!(char === '\n' || char === '\r' || cursor === text.length)) return { end: cursor, deepestComment };
    const lineEnd = text.indexOf('\n', cursor);
    index = lineEnd === -1 ? text.length : lineEnd + 1;
  }
  return { end: index, deepestComment };
}

/**
 * A missing value (`key:` and nothing): the yaml package places it after the spaces that follow the indicator,
 * and when comments follow, before the next content, its trailing text runs over them.
 */
function emptyNode(text: string, open: number): Built {
  let start = open;
  while (text[start] === ' ' || text[start] === '\t') start++;
  const node: TreeScalar = { kind: 'scalar', start, end: start, value: null, plain: true, source: '' };
  let nodeEnd = start;
  if (text[start] === '#' || text[start] === '\n' || text[start] === '\r') {
    const lineEnd = text.indexOf('\n', start);
    const run = lineEnd === -1 ? { end: text.length, deepestComment: -1 } : commentRun(text, lineEnd + 1);
    if (text[start] === '#' || run.deepestComment >= 0) nodeEnd = run.end;
  }
  return { node, size: 1, nodeEnd, result: null };
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** The end of a `|` or `>` block scalar: past the line break of its last line that is not empty. */
function blockScalarEnd(text: string, start: number): number {
  let headerEnd = text.indexOf('\n', start);
  if (headerEnd === -1) return text.length;
  const header = text.slice(start, headerEnd).replace(/\s+#.*$/, '').trim();
  if (!/^[|>]-?$/.test(header)) throw new NotModelled();
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  // A header on a line of its own belongs to a key on an earlier line, whose indentation is not known here.
  if (text.slice(lineStart, start).trim() === '') throw new NotModelled();
  const parentIndent = column(text, start) - text.slice(lineStart, start).trimStart().length;
  let indent: number | undefined;
  let end = headerEnd + 1;
  let index = headerEnd + 1;
  while (index < text.length) {
    let lineEnd = text.indexOf('\n', index);
    if (lineEnd === -1) lineEnd = text.length;
    let spaces = 0;
    while (text[index + spaces] === ' ') spaces++;
    const blank = /^\s*$/.test(text.slice(index + spaces, lineEnd));
    if (!blank) {
      indent ??= spaces;
      if (indent <= parentIndent || spaces < indent) break;
      end = Math.min(lineEnd + 1, text.length);
    }
    index = lineEnd + 1;
  }
  headerEnd = end;
  return headerEnd;
}
