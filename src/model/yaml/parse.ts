import { LineCounter, parse, parseAllDocuments, type Document, type ScalarTag, type CollectionTag } from 'yaml';
import type { FindingDraft, SourceRange } from '../findings.js';
import { fastParse } from './fast-parse.js';
import { excessiveKeyNesting, excessiveNesting } from './nesting.js';
import { parseWithQuotedContinuations } from './quoted-continuations.js';
import { mapTreeOffsets, treeFromDocument, type TreeNode } from './tree.js';

/** One document of a YAML file, parsed once and shared by every loader that reads it. */
export interface YamlDocument {
  readonly file: string;
  readonly index: number;
  /**
   * The document's nodes with their offsets, for source positions and for loaders that need tags (`!reference`);
   * undefined for an empty document. After its file is released it is parsed again from the text on first use:
   * the same text gives the same nodes and offsets.
   */
  readonly tree: TreeNode | undefined;
  readonly lineCounter: LineCounter;
  /** The plain JavaScript value of the document; `undefined` for an empty document or one that failed. */
  readonly value: unknown;
  /** True when the document had syntax errors: its value is not trusted by loaders. */
  readonly broken: boolean;
}

export interface ParsedYamlFile {
  readonly file: string;
  readonly documents: YamlDocument[];
  readonly lineCounter: LineCounter;
  /**
   * Drops the trees (the values, line starts and text stay). A tree is several times the size of its text: a
   * 10,000-repo fleet that kept every one had them take a large part of its heap and of its GC time.
   */
  release?(): void;
}

/**
 * GitLab's `!reference [job, key]` tag. It is declared so that the parser keeps the tag on the node
 * (the CI resolver reads it) instead of warning about an unknown tag. Other unknown tags resolve as plain
 * values with a warning that loaders do not report: Kubernetes YAML rarely has them and they are not errors.
 */
const referenceTag: CollectionTag = {
  tag: '!reference',
  collection: 'seq',
  resolve: (seq) => seq,
};

const customTags: (ScalarTag | CollectionTag)[] = [referenceTag];

/** How the yaml package parses every file (exported for the test that compares it with the fast path). */
// logLevel error: the yaml package would print warnings (collection keys stringified, as in an unquoted `{{ .Values.x }}`)
// to stderr through process.emitWarning; what matters of a file reaches the user as a finding, never as a raw warning.
export const PARSE_OPTIONS = { customTags, uniqueKeys: true, prettyErrors: false, strict: true, logLevel: 'error' } as const;

/** Files whose trees were parsed again after a release; the oldest are released again past this many. */
const KEPT_RESTORED_FILES = 64;
const restoredFiles: ReleasableYamlFile[] = [];

/** A parsed file whose trees can be dropped and parsed again from the text when asked for. */
class ReleasableYamlFile implements ParsedYamlFile {
  readonly documents: YamlDocument[] = [];
  #trees: (TreeNode | undefined)[] | undefined;

  constructor(
    readonly file: string,
    readonly lineCounter: LineCounter,
    /** Undefined for a file refused before parsing: its one document is an empty stand-in. */
    readonly text: string | undefined,
    /** Undefined: released already (a file handed over by a worker thread). */
    trees: (TreeNode | undefined)[] | undefined,
  ) {
    this.#trees = trees;
  }

  addDocument(index: number, value: unknown, broken: boolean): void {
    const { file, lineCounter } = this;
    const treeOf = (): TreeNode | undefined => this.treeAt(index);
    this.documents.push({
      file,
      index,
      lineCounter,
      value,
      broken,
      get tree() {
        return treeOf();
      },
    });
  }

  release(): void {
    this.#trees = undefined;
  }

  treeAt(index: number): TreeNode | undefined {
    if (!this.#trees) {
      this.#trees = this.text === undefined ? [undefined] : parseTrees(this.text);
      restoredFiles.push(this);
      if (restoredFiles.length > KEPT_RESTORED_FILES) restoredFiles.shift()?.release();
    }
    if (index >= this.#trees.length) throw new Error(`${this.file}: document ${index + 1} is not there when parsed again`);
    return this.#trees[index];
  }
}

/** The trees of a file's documents, from the fast parser or else the yaml package (the same either way). */
function parseTrees(text: string): (TreeNode | undefined)[] {
  return fastParse(text)?.map((document) => document.tree) ?? treesOf(parseDocuments(text));
}

interface ParsedDocuments {
  documents: Document.Parsed[];
  /** The file's own offset of a document's offset; absent when the documents were parsed from the file's text. */
  originalOffset?: (offset: number) => number;
}

/** The yaml package's documents of a text, read again as go-yaml reads them when only that makes them parse. */
function parseDocuments(text: string): ParsedDocuments {
  // parseAllDocuments returns an EmptyStream (an array subclass) for an empty file.
  const documents = parseAllDocuments(text, PARSE_OPTIONS) as Document.Parsed[];
  if (!documents.some((document) => document.errors.some((error) => error.code === 'MISSING_CHAR'))) return { documents };
  return parseWithQuotedContinuations(text, documents, PARSE_OPTIONS) ?? { documents };
}

function treesOf({ documents, originalOffset }: ParsedDocuments): (TreeNode | undefined)[] {
  return documents.map((document) => {
    const tree = treeFromDocument(document);
    return tree && originalOffset ? mapTreeOffsets(tree, originalOffset) : tree;
  });
}

/** The yaml package's line starts for a text: 0 and the offset after each line feed. */
function lineCounterFor(text: string): LineCounter {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lineCounter.addNewLine(index + 1);
  return lineCounter;
}

/** Aliases beyond this many per document are treated as an alias bomb. */
const MAX_ALIAS_COUNT = 1000;

export function rangeFromOffsets(lineCounter: LineCounter, start: number, end: number): SourceRange {
  const from = lineCounter.linePos(start);
  const to = lineCounter.linePos(Math.max(start, end));
  return { startLine: from.line, startColumn: from.col, endLine: to.line, endColumn: to.col };
}

/**
 * Parses every document of a YAML file. Problems become `parse-error` findings with the line they are on;
 * a file never throws out of here, whatever it contains (alias bombs, deep nesting, invalid syntax).
 */
export function parseYamlFile(repo: string, file: string, text: string): { parsed: ParsedYamlFile; diagnostics: FindingDraft[] } {
  const lineCounter = lineCounterFor(text);
  const diagnostics: FindingDraft[] = [];
  const diagnostic = (message: string, range: SourceRange, severity: 'error' | 'warning' = 'error'): void => {
    diagnostics.push({ ruleId: 'parse-error', severity, message, repo, file, range, subject: message.split('\n')[0] ?? message });
  };
  const fileStart: SourceRange = { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };

  const tooDeep = excessiveNesting(text);
  if (tooDeep) {
    diagnostic(tooDeep.message, rangeFromOffsets(lineCounter, tooDeep.offset, tooDeep.offset));
    // One empty, broken document stands for the file, so loaders see that it exists but cannot be trusted.
    const parsed = new ReleasableYamlFile(file, lineCounter, undefined, [undefined]);
    parsed.addDocument(0, undefined, true);
    return { parsed, diagnostics };
  }

  const fast = fastParse(text);
  if (fast) {
    const parsed = new ReleasableYamlFile(file, lineCounter, text, fast.map((document) => document.tree));
    fast.forEach((document, index) => {
      parsed.addDocument(index, document.value, false);
    });
    return { parsed, diagnostics };
  }

  let parsedDocuments: ParsedDocuments;
  try {
    parsedDocuments = parseDocuments(text);
  } catch (error) {
    diagnostic(`YAML could not be parsed: ${describeError(error)}`, fileStart);
    return { parsed: new ReleasableYamlFile(file, lineCounter, text, []), diagnostics };
  }
  const { documents: parsedDocs, originalOffset = (offset: number) => offset } = parsedDocuments;
  const rangeAt = (start: number, end: number): SourceRange => rangeFromOffsets(lineCounter, originalOffset(start), originalOffset(end));

  const parsed = new ReleasableYamlFile(file, lineCounter, text, treesOf(parsedDocuments));
  parsedDocs.forEach((doc, index) => {
    let broken = false;
    // After the first syntax error of a document the parser recovers as it can, and what it reports next mostly
    // follows from the first (one stray quote gave 521 errors in a real rules file): the first one is reported.
    const syntaxErrors = doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY');
    for (const error of doc.errors) {
      const duplicate = error.code === 'DUPLICATE_KEY';
      if (!duplicate && error !== syntaxErrors[0]) continue;
      if (!duplicate) broken = true;
      const [start, end] = error.pos;
      const more = syntaxErrors.length - 1;
      const message = duplicate
        ? `duplicate key: ${withoutSource(error.message)} (the last value wins in most tools)`
        : `YAML syntax error: ${withoutSource(error.message)}${more > 0 ? `\n${String(more)} more syntax error(s) follow in this document; most follow from this one` : ''}`;
      diagnostic(message, rangeAt(start, end), duplicate ? 'warning' : 'error');
    }
    let value: unknown;
    const keysTooDeep = broken ? undefined : excessiveKeyNesting(doc.contents);
    if (keysTooDeep) {
      broken = true;
      diagnostic(keysTooDeep.message, rangeAt(keysTooDeep.offset, keysTooDeep.offset));
    }
    if (!broken) {
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (error) {
        broken = true;
        const range = doc.contents?.range ? rangeAt(doc.contents.range[0], doc.contents.range[0]) : fileStart;
        diagnostic(`YAML document ${index + 1} could not be loaded: ${describeError(error)}`, range);
      }
    }
    parsed.addDocument(index, value, broken);
  });
  return { parsed, diagnostics };
}

/**
 * The value of a YAML text that is not a file of its own (a generator's `elementsYaml`, a rendered template patch,
 * a git generator's file), guarded as files are: throws on text that nests too deeply, expands too many aliases or
 * does not parse, and prints no warning.
 */
export function parseYamlValue(text: string): unknown {
  const tooDeep = excessiveNesting(text);
  if (tooDeep) throw new Error(tooDeep.message);
  return parse(text, { logLevel: 'error', maxAliasCount: MAX_ALIAS_COUNT });
}

/** A parsed file as plain data: what a worker thread that parsed it hands over (see releasedYamlFile). */
export interface YamlFileData {
  file: string;
  /** False for a file refused before parsing (too deeply nested). */
  parsed: boolean;
  lineStarts: number[];
  documents: { value: unknown; broken: boolean }[];
}

export function yamlFileData(parsed: ParsedYamlFile): YamlFileData {
  return {
    file: parsed.file,
    parsed: !(parsed instanceof ReleasableYamlFile) || parsed.text !== undefined,
    lineStarts: parsed.lineCounter.lineStarts,
    documents: parsed.documents.map((document) => ({ value: document.value, broken: document.broken })),
  };
}

/** The file another thread parsed, released: its trees are parsed here from `text` only if asked for. */
export function releasedYamlFile(data: YamlFileData, text: string): ParsedYamlFile {
  const lineCounter = new LineCounter();
  lineCounter.lineStarts = data.lineStarts;
  const file = new ReleasableYamlFile(data.file, lineCounter, data.parsed ? text : undefined, undefined);
  data.documents.forEach((document, index) => {
    file.addDocument(index, document.value, document.broken);
  });
  return file;
}

/**
 * The yaml package's message without the text it quotes from the file (`Unexpected double-quoted-scalar token in
 * YAML stream: "\"hunter2\""`): the token may be a secret, and the finding's place already points at it.
 */
function withoutSource(message: string): string {
  return firstLine(message)
    .replace(/: ".*"$/, '')
    .replace(/^(Block scalar header includes extra characters|Not a YAML token): .*$/, '$1');
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

function describeError(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'the document is nested too deeply';
  if (error instanceof Error) return firstLine(error.message);
  return String(error);
}
