import { isCollection, isPair, Lexer, Parser, type Node } from 'yaml';

/**
 * Both parsers (js-yaml on the fast path, the yaml package otherwise) and the walkers over their results are
 * recursive: past some depth they overflow the stack at a point that depends on how much stack is left, so the
 * same file would give different errors from run to run or thread to thread, and V8 can abort the whole process
 * (`RegExpCompiler Allocation failed`) when a regular expression is first compiled near the limit. A file that
 * nests collections deeper than this is refused before either parser sees it. Half of what the main thread's
 * stack takes, with room for the callers.
 */
export const MAX_NESTING = 400;

/**
 * Collections used as mapping keys (`? ? ? x`, `[[a]: b]: c`): the yaml package turns each into a string for a
 * JavaScript object key, and does it again at every level around it, so the time grows with the cube of the depth
 * (400 levels took 30 s). Kubernetes and GitLab YAML never nest them.
 */
export const MAX_KEY_NESTING = 16;

/**
 * The first collection of a parsed document that is inside more than MAX_KEY_NESTING collection keys (counting
 * itself when it is one), or undefined. Walked with a stack, like the rest of this file.
 */
export function excessiveKeyNesting(contents: Node | null): ExcessiveNesting | undefined {
  const pending: { node: unknown; keyDepth: number }[] = [{ node: contents, keyDepth: 0 }];
  while (pending.length > 0) {
    const { node, keyDepth } = pending.pop() as (typeof pending)[number];
    if (!isCollection(node)) continue;
    if (keyDepth > MAX_KEY_NESTING) {
      return {
        offset: node.range?.[0] ?? 0,
        message: `YAML nests collections as mapping keys deeper than ${String(MAX_KEY_NESTING)} levels; the document is not loaded`,
      };
    }
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        pending.push({ node: item.key, keyDepth: keyDepth + 1 }, { node: item.value, keyDepth });
      } else {
        pending.push({ node: item, keyDepth });
      }
    }
  }
  return undefined;
}

export interface ExcessiveNesting {
  /** Where the first collection past the limit starts. */
  readonly offset: number;
  readonly message: string;
}

/**
 * The first place where `text` nests collections deeper than MAX_NESTING, as the yaml package's parser would nest
 * them; undefined when it does not. Never recursive, and cheap for the common file: it measures only where a bound
 * taken in one pass over the characters is over the limit.
 */
export function excessiveNesting(text: string): ExcessiveNesting | undefined {
  const bound = nestingBound(text);
  if (bound.block + 2 * bound.openers <= MAX_NESTING) return undefined;
  // Brackets in quotes, comments and block scalars (a dashboard's JSON) do not nest: the yaml package's lexer knows.
  if (bound.block + 2 * deepestFlowLevel(text) <= MAX_NESTING) return undefined;
  return measuredExcess(text);
}

/**
 * Upper bounds of the depth of block collections and of flow collections, in one pass over the characters. Neither
 * may be below what the parser nests, whatever the text (test/model/yaml/nesting.test.ts checks them against the
 * parser over generated texts).
 *
 * - Block collections: one that contains a line starts at a column no deeper than that line's indentation, and
 *   along a chain of them the column grows at least every second level (only a sequence may sit at its parent
 *   mapping's column), so those open at a line's start are at most 2 × (indentation + 1). Each one that starts
 *   within the line needs an indicator (`-`, `?` or `:` before a space or the line's end).
 * - Flow collections: each needs an opening bracket, wherever it is (a quote or `#` may not start what it seems
 *   to); a sequence entry that is a pair (`[a: b]`) nests one more mapping, so flow depth is at most twice that.
 */
export function nestingBound(text: string): { block: number; openers: number } {
  let block = 0;
  let openers = 0;
  let indent = 0;
  let deepestIndent = 0;
  let indicators = 0;
  let atLineStart = true;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (atLineStart) {
      if (code === 0x20 || code === 0x09) {
        indent++;
        continue;
      }
      atLineStart = false;
      if (indent > deepestIndent) deepestIndent = indent;
    }
    switch (code) {
      case 0x0a: // \n ends the line for both parsers.
        block = Math.max(block, 2 * (deepestIndent + 1) + indicators);
        indicators = 0;
        deepestIndent = 0;
        indent = 0;
        atLineStart = true;
        break;
      case 0x0d: // A lone \r ends a line for js-yaml, not for the yaml package: its indentation counts, the line goes on.
        indent = 0;
        atLineStart = true;
        break;
      case 0x5b: // [
      case 0x7b: // {
        openers++;
        break;
      case 0x2d: // -
      case 0x3a: // :
      case 0x3f: // ?
        if (isSeparator(text.charCodeAt(index + 1))) indicators++;
        break;
    }
  }
  deepestIndent = Math.max(deepestIndent, indent);
  block = Math.max(block, 2 * (deepestIndent + 1) + indicators);
  return { block, openers };
}

function isSeparator(code: number): boolean {
  // NaN past the end of the text: the line's end.
  return Number.isNaN(code) || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** The deepest flow level the yaml package's lexer reaches (it tokenizes without recursion). */
export function deepestFlowLevel(text: string): number {
  let level = 0;
  let deepest = 0;
  for (const token of new Lexer().lex(text)) {
    const first = token[0];
    if (first === '[' || first === '{') deepest = Math.max(deepest, ++level);
    else if (first === ']' || first === '}') level--;
  }
  return deepest;
}

type CstToken = ReturnType<Parser['parse']> extends Generator<infer T> ? T : never;

interface CstItem {
  start: { type: string }[];
  key?: CstToken | null;
  sep?: { type: string }[];
  value?: CstToken | null;
}

function measuredExcess(text: string): ExcessiveNesting | undefined {
  let excess: ExcessiveNesting | undefined;
  walkCollections(text, (offset, depth) => {
    if (depth > MAX_NESTING) excess = { offset, message: `YAML nests deeper than ${String(MAX_NESTING)} levels; the file is not loaded` };
    return excess !== undefined;
  });
  return excess;
}

/** How deep the parser nests collections, and collections used as keys (for the test of nestingBound). */
export function measuredNesting(text: string): { depth: number; keyDepth: number } {
  const deepest = { depth: 0, keyDepth: 0 };
  walkCollections(text, (_offset, depth, keyDepth) => {
    deepest.depth = Math.max(deepest.depth, depth);
    deepest.keyDepth = Math.max(deepest.keyDepth, keyDepth);
    return false;
  });
  return deepest;
}

/**
 * Visits every collection of the yaml package's concrete syntax tree (which its parser builds without recursion)
 * with its depth and the number of collection keys it is or is inside, with a stack, until `visit` returns true.
 */
function walkCollections(text: string, visit: (offset: number, depth: number, keyDepth: number) => boolean): void {
  const pending: { token: CstToken; depth: number; keyDepth: number }[] = [];
  for (const token of new Parser().parse(text)) {
    pending.push({ token, depth: 0, keyDepth: 0 });
    while (pending.length > 0) {
      const { token: node, depth, keyDepth } = pending.pop() as (typeof pending)[number];
      if (node.type === 'document') {
        if (node.value) pending.push({ token: node.value, depth, keyDepth });
        continue;
      }
      if (node.type !== 'block-map' && node.type !== 'block-seq' && node.type !== 'flow-collection') continue;
      const inner = depth + 1;
      if (visit(node.offset, inner, keyDepth)) return;
      const flowSequence = node.type === 'flow-collection' && node.start.source === '[';
      for (const item of node.items as CstItem[]) {
        // A pair in a flow sequence is composed as a mapping of its own.
        const pair = flowSequence && item.sep?.some((source) => source.type === 'map-value-ind') === true;
        if (pair && visit(item.key?.offset ?? node.offset, inner + 1, keyDepth)) return;
        const pairDepth = pair ? inner + 1 : inner;
        // Every key holding a collection is itself one: keyDepth counts the collection keys on the way.
        if (item.key) pending.push({ token: item.key, depth: pairDepth, keyDepth: keyDepth + 1 });
        if (item.value) pending.push({ token: item.value, depth: pairDepth, keyDepth });
      }
    }
  }
}
