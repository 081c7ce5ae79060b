import { isDeepStrictEqual } from 'node:util';
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
  else if (edit.op === 'append') result = appendAt(text, doc, edit.path, edit.value);
  else if (edit.op === 'delete') result = deleteAt(text, doc, edit.path);
  else result = renameAt(text, doc, edit.path, edit.to);
  const after = documentAt(result, docIndex);
  const holds =
    edit.op === 'set'
      ? JSON.stringify(after.getIn(edit.path)) === JSON.stringify(edit.value) || JSON.stringify(toJs(after.getIn(edit.path))) === JSON.stringify(edit.value)
      : edit.op === 'append'
        ? appended(doc, after, edit.path, edit.value)
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
  // A new top-level entry (a CI job) is set apart by a blank line where the file's entries are.
  const apart = nodes.length === 1 && at > 0 && !/\n\s*\n$/.test(text.slice(0, at)) && /\n[ \t]*\n[^\s#-]/.test(text);
  const prefix = (at > 0 && text[at - 1] !== '\n' ? '\n' : '') + (apart ? '\n' : '');
  return `${text.slice(0, at)}${prefix}${block}\n${text.slice(at)}`;
}

/**
 * Adds `value` to the list at `path` unless an equal item is there. A block list gets a new last item, indented as
 * its items; a flow list gets it before its `]`. A single value (a scalar, one map) becomes the first item of a new
 * block list under the key. A missing top-level key is created above the document's first key (and the comment
 * lines that belong to it), below a header comment that starts the file.
 */
function appendAt(text: string, doc: Document.Parsed, path: DocPath, value: JsonValue): string {
  const { nodes, pair } = follow(doc, path);
  const target = nodes.length === path.length + 1 ? nodes[nodes.length - 1] : undefined;
  if (!target) return createAtTop(text, doc, path, value);
  if (sameJson(toJs(target), value) || (isSeq(target) && target.items.some((item) => sameJson(toJs(item), value)))) return text;
  if (isSeq(target)) {
    if (!target.range) throw new FixConflict(`${pathText(path)} has no position`);
    if (target.flow === true) {
      const close = target.range[1] - 1;
      if (text[close] !== ']') throw new FixConflict(`${pathText(path)}: the flow list does not end where it was parsed`);
      const item = stringify(value, { lineWidth: 0, collectionStyle: 'flow' }).trim();
      const before = text.slice(0, close).trimEnd();
      return `${before}${target.items.length > 0 ? ', ' : ''}${item}${text.slice(before.length)}`;
    }
    const first = target.items[0];
    const last = target.items[target.items.length - 1];
    const firstStart = isNode(first) ? first.range?.[0] : undefined;
    const lastEnd = isNode(last) ? last.range?.[1] : undefined;
    if (firstStart === undefined || lastEnd === undefined) throw new FixConflict(`${pathText(path)}: its items have no position`);
    const lead = text.slice(lineStart(text, firstStart), firstStart);
    if (!/^ *- +$/.test(lead)) throw new FixConflict(`${pathText(path)}: its first item does not start its line`);
    const at = lineEndAfter(text, lastEnd);
    const prefix = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
    return `${text.slice(0, at)}${prefix}${itemBlock(value, lead.indexOf('-'))}${text.slice(at)}`;
  }
  // One value where a list may be: it becomes the list's first item.
  const parent = nodes[nodes.length - 2];
  const key = pair?.key;
  if (!pair || !isMap(parent) || parent.flow === true || !isScalar(key) || !key.range || !target.range) throw new FixConflict(`${pathText(path)} is not a list or a value of a block map`);
  const keyColumn = key.range[0] - lineStart(text, key.range[0]);
  if (isMap(target) && target.flow !== true) {
    // A block map under the key: each of its lines moves two columns right, and its first key gets the dash.
    const from = lineStart(text, target.range[0]);
    const to = lineEndAfter(text, target.range[1]);
    const column = target.range[0] - from;
    const lines = text.slice(from, to).split('\n');
    const moved = lines.map((line, index) => {
      if (index === 0) return `${line.slice(0, column)}- ${line.slice(column)}`;
      return line.trim() === '' || line.length - line.trimStart().length < column ? line : `  ${line}`;
    });
    const block = moved.join('\n');
    return `${text.slice(0, from)}${block}${block.endsWith('\n') ? '' : '\n'}${itemBlock(value, column)}${text.slice(to)}`;
  }
  const between = text.slice(key.range[1], target.range[0]);
  const old = text.slice(target.range[0], target.range[1]);
  if (!/^ *: *$/.test(between) || old.includes('\n')) throw new FixConflict(`${pathText(path)}: its value is not a one-line value after the key`);
  const column = keyColumn + 2;
  const head = `${text.slice(0, key.range[1])}:${old === '' ? '' : `\n${' '.repeat(column)}- ${old}`}`;
  const at = lineEndAfter(text, target.range[1]);
  const rest = text.slice(target.range[1], at);
  const newline = rest.endsWith('\n') ? '' : '\n';
  return `${head}${rest}${newline}${itemBlock(value, column)}${text.slice(at)}`;
}

/** A top-level key with a one-item list, above the document's first key. */
function createAtTop(text: string, doc: Document.Parsed, path: DocPath, value: JsonValue): string {
  const root = doc.contents;
  const [key] = path;
  if (path.length !== 1 || typeof key !== 'string' || !isMap(root) || root.flow === true) throw new FixConflict(`${pathText(path)}: only a top-level key of a block map is created`);
  const firstKey = root.items[0]?.key;
  if (!isScalar(firstKey)) throw new FixConflict(`${pathText(path)}: the document has no key to put it above`);
  const keyLine = lineStart(text, firstKey.range[0]);
  const column = firstKey.range[0] - keyLine;
  // The comment lines right above the first key are its own, unless they start the file (a header).
  let at = keyLine;
  while (at > 0 && /^\s*#/.test(text.slice(lineStart(text, at - 1), at - 1))) at = lineStart(text, at - 1);
  if (at === 0) at = keyLine;
  const block = stringify({ [key]: [value] }, { indent: 2, lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((line) => ' '.repeat(column) + line)
    .join('\n');
  return `${text.slice(0, at)}${block}\n\n${text.slice(at)}`;
}

/** A list item's lines, its dash at `column`. */
function itemBlock(value: JsonValue, column: number): string {
  return stringify([value], { indent: 2, lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((line) => ' '.repeat(column) + line)
    .join('\n')
    .concat('\n');
}

/** The list at the path holds the value, and every item it held before, in order. */
function appended(before: Document.Parsed, after: Document.Parsed, path: DocPath, value: JsonValue): boolean {
  const now = toJs(after.getIn(path));
  const old = toJs(before.getIn(path));
  if (!Array.isArray(now)) return sameJson(now, value);
  const kept = old === undefined || old === null ? [] : Array.isArray(old) ? old : [old];
  const grew = now.length === kept.length + 1 && kept.every((item, index) => sameJson(item, now[index])) && sameJson(now[now.length - 1], value);
  return grew || (now.length === kept.length && now.some((item) => sameJson(item, value)));
}

/** Equal as data: the same keys and values, in any key order (a policy's objects come with their keys sorted). */
function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
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
