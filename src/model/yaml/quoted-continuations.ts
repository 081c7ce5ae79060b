import { parseAllDocuments, type Document } from 'yaml';

/**
 * A quoted scalar whose continuation line is not indented past its key:
 *
 *     summary: '{{ $value }} Pods of DaemonSet {{ $labels.daemonset
 *     }} are not scheduled.'
 *
 * YAML 1.2 wants the second line indented further, and the yaml package refuses it ("Missing closing 'quote").
 * go-yaml, which ArgoCD, kubectl, helm and kustomize read YAML with, does not check a quoted scalar's indentation
 * and loads it. So a file the yaml package refuses only for this is read again with those lines indented as YAML
 * 1.2 wants, which changes no value (a quoted scalar's line breaks fold whatever the indentation), and the offsets
 * are mapped back to the file's own.
 */

/** Read again at most this many times per file: a file with more such lines is left as the yaml package sees it. */
const MAX_REPAIRS = 32;

export interface RelaxedParse {
  documents: Document.Parsed[];
  /** The file's own offset of an offset in the text the documents were parsed from. */
  originalOffset(offset: number): number;
}

/** The file's documents read as go-yaml reads them, or undefined when that does not make them parse. */
export function parseWithQuotedContinuations(text: string, documents: readonly Document.Parsed[], options: Parameters<typeof parseAllDocuments>[1]): RelaxedParse | undefined {
  let relaxed = text;
  let current = documents;
  // Insertions as [offset in the relaxed text, spaces inserted there], in the order of the text.
  const insertions: [number, number][] = [];
  for (let repair = 0; repair < MAX_REPAIRS; repair++) {
    const first = firstSyntaxError(current);
    if (!first) {
      return { documents: [...current], originalOffset: (offset) => originalOffset(insertions, offset) };
    }
    const insertion = continuationIndent(relaxed, first);
    if (!insertion) return undefined;
    const [at, spaces] = insertion;
    const previous = insertions.at(-1);
    if (previous && at <= previous[0] + previous[1]) return undefined;
    relaxed = relaxed.slice(0, at) + ' '.repeat(spaces) + relaxed.slice(at);
    insertions.push([at, spaces]);
    current = parseAllDocuments(relaxed, options) as Document.Parsed[];
  }
  return undefined;
}

function firstSyntaxError(documents: readonly Document.Parsed[]): { code: string; message: string; offset: number } | undefined {
  for (const document of documents) {
    const error = document.errors.find((candidate) => candidate.code !== 'DUPLICATE_KEY');
    if (error) return { code: error.code, message: error.message, offset: error.pos[0] };
  }
  return undefined;
}

/**
 * Where to indent, and by how much, for a "Missing closing quote" error at the end of a line whose quoted scalar
 * goes on at too small an indentation on the next line; undefined for any other error.
 */
function continuationIndent(text: string, error: { code: string; message: string; offset: number }): [number, number] | undefined {
  if (error.code !== 'MISSING_CHAR' || !/^Missing closing ['"]quote/.test(error.message)) return undefined;
  const lineEnd = text.indexOf('\n', error.offset);
  if (lineEnd === -1) return undefined;
  const lineStart = text.lastIndexOf('\n', error.offset - 1) + 1;
  const keyColumn = contentColumn(text.slice(lineStart, lineEnd));
  const nextStart = lineEnd + 1;
  const nextIndent = /^ */.exec(text.slice(nextStart))?.[0].length ?? 0;
  const nextLineEnd = text.indexOf('\n', nextStart);
  const nextLine = text.slice(nextStart, nextLineEnd === -1 ? text.length : nextLineEnd);
  // A blank next line or one already indented past the key is not this problem.
  if (nextLine.trim() === '' || nextIndent > keyColumn) return undefined;
  return [nextStart, keyColumn + 1 - nextIndent];
}

/** The column (0-based) where a line's content starts, past its indentation and any `- ` sequence markers. */
function contentColumn(line: string): number {
  return /^(?: *- +)*( *)/.exec(line)?.[0].length ?? 0;
}

function originalOffset(insertions: readonly [number, number][], offset: number): number {
  // Each insertion is further down than the one before, so its offset holds in the final text too.
  let shift = 0;
  for (const [at, spaces] of insertions) {
    if (offset < at) break;
    if (offset < at + spaces) return at - shift;
    shift += spaces;
  }
  return offset - shift;
}
