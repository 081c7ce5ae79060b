import { isMap, isNode, isScalar, isSeq, parseAllDocuments, stringify, Scalar, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { DocPath, FileEdit, JsonValue, SourceRange, YamlEdit } from '../../model/findings.js';

/** An edit that cannot be applied cleanly to the text as it is now: the fix is skipped with this reason. */
export class FixConflict extends Error {
  override name = 'FixConflict';
}

/** The text with one edit applied. Throws FixConflict when the edit does not fit the text. */
export function applyEdit(text: string, edit: FileEdit): string {
  if (edit.kind === 'text') return applyTextEdit(text, edit.range, edit.text, edit.expected);
  return applyYamlEdit(text, edit.docIndex ?? 0, edit);
}

function applyTextEdit(text: string, range: SourceRange, replacement: string, expected: string): string {
  const start = offsetOf(text, range.startLine, range.startColumn);
  const end = offsetOf(text, range.endLine, range.endColumn);
  if (start === undefined || end === undefined || end < start) throw new FixConflict(`lines ${range.startLine}-${range.endLine} are not in the file any more`);
  if (text.slice(start, end) !== expected) throw new FixConflict(`line ${range.startLine} changed since it was checked`);
  return text.slice(0, start) + replacement + text.slice(end);
}

/** The offset of a 1-based line and column; undefined when the file has no such place. */
function offsetOf(text: string, line: number, column: number): number | undefined {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return undefined;
    offset = next + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  const target = offset + column - 1;
  return target > (lineEnd < 0 ? text.length : lineEnd) ? undefined : target;
}

/**
 * Applies a YAML edit by splicing the text at the node ranges the `yaml` package's Document gives: only the
 * edited lines change, so comments, quoting, key order and indentation elsewhere stay byte for byte. The result is
 * parsed again and must hold the edit; otherwise nothing is written.
 */
function applyYamlEdit(text: string, docIndex: number, edit: YamlEdit): string {
  const doc = documentAt(text, docIndex);
  const where = pathText(edit.path);
  let result: string;
  if (edit.op === 'set') result = setAt(text, doc, edit.path, edit.value);
  else if (edit.op === 'delete') result = deleteAt(text, doc, edit.path);
  else result = renameAt(text, doc, edit.path, edit.to);
  const after = documentAt(result, docIndex);
  const holds =
    edit.op === 'set'
      ? JSON.stringify(after.getIn(edit.path)) === JSON.stringify(edit.value) || JSON.stringify(toJs(after.getIn(edit.path))) === JSON.stringify(edit.value)
      : edit.op === 'delete'
        ? !after.hasIn(edit.path)
        : after.hasIn([...edit.path.slice(0, -1), edit.to]) && !after.hasIn(edit.path);
  if (!holds) throw new FixConflict(`${where}: the edit did not apply cleanly`);
  return result;
}

function toJs(value: unknown): unknown {
  return value !== null && typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function' ? (value.toJSON as () => unknown)() : value;
}

function documentAt(text: string, docIndex: number): Document.Parsed {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new FixConflict('the file holds no YAML document');
  const doc = docs[docIndex];
  if (!doc) throw new FixConflict(`the file has no document ${docIndex + 1}`);
  if (doc.errors.length > 0) throw new FixConflict(`document ${docIndex + 1} does not parse: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  return doc;
}

function pathText(path: DocPath): string {
  return path.map(String).join('.') || '(document)';
}

/** The pair of `key` in a map, when the map has it. */
function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
}

interface Located {
  /** The nodes along the path that exist, from the document's root. */
  nodes: Node[];
  /** The pair holding the last node found, when it is a map value. */
  pair?: Pair;
}

/** Follows the path as far as it exists. */
function follow(doc: Document.Parsed, path: DocPath): Located {
  const root = doc.contents;
  if (!root) return { nodes: [] };
  const nodes: Node[] = [root];
  let pair: Pair | undefined;
  for (const segment of path) {
    const current = nodes[nodes.length - 1];
    let next: Node | undefined;
    if (isMap(current) && typeof segment === 'string') {
      pair = pairOf(current, segment);
      next = pair?.value as Node | undefined;
    } else if (isSeq(current) && typeof segment === 'number') {
      next = current.items[segment] as Node | undefined;
      pair = undefined;
    }
    if (!next) break;
    nodes.push(next);
  }
  return pair ? { nodes, pair } : { nodes };
}

function setAt(text: string, doc: Document.Parsed, path: DocPath, value: JsonValue): string {
  const { nodes } = follow(doc, path);
  const last = nodes[nodes.length - 1];
  if (nodes.length === path.length + 1 && last) {
    if (!isScalar(last) || !last.range) throw new FixConflict(`${pathText(path)} holds a collection; only a scalar is replaced in place`);
    if (value !== null && typeof value === 'object') throw new FixConflict(`${pathText(path)}: a collection cannot replace a scalar in place`);
    return text.slice(0, last.range[0]) + scalarText(value, last) + text.slice(last.range[1]);
  }
  // Missing keys are added at the end of the deepest map that exists, indented as its keys are.
  const map = last;
  const rest = path.slice(nodes.length - 1);
  if (!isMap(map) || map.flow === true || map.items.length === 0 || !map.range) throw new FixConflict(`${pathText(path.slice(0, nodes.length - 1))} is not a block map to add ${pathText(rest)} to`);
  if (rest.some((segment) => typeof segment !== 'string')) throw new FixConflict(`${pathText(path)}: a sequence item cannot be created`);
  const firstKey = map.items[0]?.key;
  if (!isScalar(firstKey) || !firstKey.range) throw new FixConflict(`${pathText(path)}: the map's keys have no position`);
  const indent = firstKey.range[0] - lineStart(text, firstKey.range[0]);
  let nested: JsonValue = value;
  for (const key of [...rest].reverse()) nested = { [String(key)]: nested };
  const block = stringify(nested, { indent: 2, lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((line) => ' '.repeat(indent) + line)
    .join('\n');
  const at = lineEndAfter(text, map.range[1]);
  const prefix = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
  return `${text.slice(0, at)}${prefix}${block}\n${text.slice(at)}`;
}

function deleteAt(text: string, doc: Document.Parsed, path: DocPath): string {
  const { nodes, pair } = follow(doc, path);
  if (nodes.length !== path.length + 1 || path.length === 0) throw new FixConflict(`${pathText(path)} is not in the document any more`);
  const parent = nodes[nodes.length - 2];
  const target = nodes[nodes.length - 1];
  if (!(isMap(parent) || isSeq(parent)) || parent.flow === true) throw new FixConflict(`${pathText(path)} is in a flow collection; it is left as written`);
  if (parent.items.length < 2) throw new FixConflict(`deleting ${pathText(path)} would leave its parent empty`);
  const startNode: unknown = isMap(parent) ? pair?.key : target;
  const start = isNode(startNode) ? startNode.range?.[0] : undefined;
  const end = target?.range?.[1];
  if (start === undefined || end === undefined) throw new FixConflict(`${pathText(path)} has no position`);
  // A sequence item starts at its dash; a map pair at its key, alone on its line.
  const from = lineStart(text, start);
  const lead = text.slice(from, start);
  if (isMap(parent) ? lead.trim() !== '' : lead.trim() !== '-') throw new FixConflict(`${pathText(path)} shares its line with another entry; it is left as written`);
  return text.slice(0, from) + text.slice(lineEndAfter(text, end));
}

function renameAt(text: string, doc: Document.Parsed, path: DocPath, to: string): string {
  const { nodes, pair } = follow(doc, path);
  const parent = nodes[nodes.length - 2];
  if (nodes.length !== path.length + 1 || !pair || !isMap(parent)) throw new FixConflict(`${pathText(path)} is not in the document any more`);
  if (pairOf(parent, to)) throw new FixConflict(`${pathText([...path.slice(0, -1), to])} exists already`);
  const key = pair.key;
  if (!isScalar(key) || !key.range) throw new FixConflict(`${pathText(path)}: its key has no position`);
  return text.slice(0, key.range[0]) + scalarText(to, key) + text.slice(key.range[1]);
}

/** A scalar as YAML text, in the quoting style of the scalar it replaces when that style can hold it. */
function scalarText(value: string | number | boolean | null, old: Scalar): string {
  if (typeof value === 'string' && old.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (typeof value === 'string' && old.type === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset after the newline that ends the line holding `offset - 1` (a node's end), or the text's end. */
function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}
