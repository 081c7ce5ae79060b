import type { FindingDraft, SourceRange } from './findings.js';
import type { RepoFile } from './types.js';
import { parseYamlFile, type ParsedYamlFile } from './yaml/parse.js';
import { FileReadError, type FileEntry, type FileSource } from '../sources/file-source.js';
import { SymlinkOutsideError } from '../sources/symlink.js';
import { mapLimit } from '../concurrency.js';
import { markTemplates } from './templates.js';

export interface ReadFilesOptions {
  /** Files larger than this are not read. Default 5 MiB: no config file is that large, a dump or an artifact is. */
  maxFileSize?: number;
  /** Reads in flight at once. */
  concurrency?: number;
}

export interface RepoFiles {
  /** Sorted by path. */
  files: RepoFile[];
  /** Every `*.yml`/`*.yaml` file that could be read, parsed once. */
  yaml: Map<string, ParsedYamlFile>;
  diagnostics: FindingDraft[];
}

/** A repo's files read but not parsed yet: the fleet loader parses each repo just before it builds its facts. */
export interface RepoTexts {
  /** Sorted by path. */
  files: RepoFile[];
  /** The problem reading a file, by path. */
  readFindings: Map<string, FindingDraft>;
  /** The listing failed: no files. */
  listFinding?: FindingDraft;
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;
const DEFAULT_CONCURRENCY = 16;
/** Git's own heuristic: a NUL byte in the first 8000-odd bytes means binary. */
const BINARY_SNIFF_BYTES = 8192;
const YAML_FILE = /\.ya?ml$/i;

/**
 * Reads every file of a repo once and parses every YAML file once. Nothing in a file makes this throw: a file
 * that cannot be used is kept in `files` with the reason it was skipped, and with a finding unless skipping it
 * is normal (binary files).
 */
export async function readRepoFiles(repo: string, source: FileSource, options: ReadFilesOptions = {}): Promise<RepoFiles> {
  const texts = await readRepoTexts(repo, source, options);
  return { files: texts.files, ...parseRepoYaml(repo, texts) };
}

/** Reads every file of a repo once, without parsing. */
export async function readRepoTexts(repo: string, source: FileSource, options: ReadFilesOptions = {}): Promise<RepoTexts> {
  const maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const readFindings = new Map<string, FindingDraft>();
  let entries: FileEntry[];
  try {
    entries = await source.listFiles();
  } catch (error) {
    const message = `the files of the ${source.description} cannot be listed: ${causeOf(error)}`;
    return { files: [], readFindings, listFinding: { ruleId: 'crawl-error', severity: 'error', message, repo, subject: 'list-files' } };
  }
  const results = await mapLimit(entries, options.concurrency ?? DEFAULT_CONCURRENCY, (entry) => readOne(repo, source, entry, maxSize));
  // Reads finish in any order; files are kept in path order so the output is deterministic.
  results.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  for (const { file, finding } of results) if (finding) readFindings.set(file.path, finding);
  const files = results.map((result) => result.file);
  markTemplates(files);
  return { files, readFindings };
}

/**
 * Parses every YAML file of a repo read by readRepoTexts, templates aside (RepoFile.template); its problems come
 * file by file, in path order.
 */
export function parseRepoYaml(repo: string, texts: RepoTexts): Omit<RepoFiles, 'files'> {
  const yaml = new Map<string, ParsedYamlFile>();
  const diagnostics: FindingDraft[] = texts.listFinding ? [texts.listFinding] : [];
  for (const file of texts.files) {
    const finding = texts.readFindings.get(file.path);
    if (finding) diagnostics.push(finding);
    if (file.text === undefined || file.template !== undefined || !YAML_FILE.test(file.path)) continue;
    const parsed = parseYamlFile(repo, file.path, file.text);
    diagnostics.push(...parsed.diagnostics);
    yaml.set(file.path, parsed.parsed);
  }
  return { yaml, diagnostics };
}

async function readOne(repo: string, source: FileSource, entry: FileEntry, maxSize: number): Promise<{ file: RepoFile; finding?: FindingDraft }> {
  const { path } = entry;
  const tooLarge = (size: number) => ({
    file: { path, size, skipped: 'too-large' as const },
    finding: fileFinding(repo, path, 'skipped-file', 'note', `not checked: ${formatSize(size)} is over the ${formatSize(maxSize)} size limit`, 'too-large'),
  });
  if (entry.size !== undefined && entry.size > maxSize) return tooLarge(entry.size);

  let bytes: Buffer;
  try {
    bytes = await source.readFile(path);
  } catch (error) {
    if (error instanceof SymlinkOutsideError) {
      return { file: { path, size: entry.size ?? 0, skipped: 'outside-fleet' }, finding: fileFinding(repo, path, 'unreadable-file', 'warning', `not read: ${error.reason}`, 'outside-fleet') };
    }
    return { file: { path, size: entry.size ?? 0, skipped: 'unreadable' }, finding: fileFinding(repo, path, 'unreadable-file', 'error', `cannot be read: ${causeOf(error)}`, 'unreadable') };
  }
  // The listing may not know sizes (a symlink's target, a source without sizes).
  if (bytes.length > maxSize) return tooLarge(bytes.length);

  const size = bytes.length;
  // UTF-16 with its byte order mark (as Windows editors save): its NUL bytes are not a binary file's.
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
  if (utf16 === undefined && bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { file: { path, size, skipped: 'binary' } };
  try {
    // fatal: invalid bytes throw instead of becoming U+FFFD; the decoder drops a leading BOM.
    return { file: { path, size, text: withLineFeeds(new TextDecoder(utf16 ?? 'utf-8', { fatal: true }).decode(bytes)) } };
  } catch {
    const finding = fileFinding(repo, path, 'unreadable-file', 'warning', 'not checked: the file is not valid UTF-8', 'invalid-utf8');
    finding.range = invalidUtf8Range(bytes);
    return { file: { path, size, skipped: 'invalid-utf8' }, finding };
  }
}

function fileFinding(repo: string, file: string, ruleId: string, severity: FindingDraft['severity'], message: string, subject: string): FindingDraft {
  return { ruleId, severity, message, repo, file, subject };
}

/** Where the first invalid byte is: everything before a U+FFFD that is not a genuine EF BF BD decoded fine. */
function invalidUtf8Range(bytes: Buffer): SourceRange {
  const text = bytes.toString('utf8');
  let index = text.indexOf('\uFFFD');
  while (index >= 0) {
    const offset = Buffer.byteLength(text.slice(0, index));
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) break;
    index = text.indexOf('\uFFFD', index + 1);
  }
  const before = index < 0 ? text : text.slice(0, index);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return { startLine: line, startColumn: column, endLine: line, endColumn: column + 1 };
}

function causeOf(error: unknown): string {
  if (error instanceof FileReadError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${bytes} bytes`;
}


/**
 * Lone carriage returns (classic Mac line ends) as line feeds: every line counter downstream counts `\n`, and a
 * file of lone CRs was one line, every finding on line 1. One character for one, so offsets stay as they were.
 */
function withLineFeeds(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}
