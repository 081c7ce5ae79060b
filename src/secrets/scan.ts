import type { ParsedYamlFile } from '../model/yaml/parse.js';
import { CREDENTIAL_HINT, isCodePath, isDocumentationPath, isNotALiteral, isPlaceholder, isRandomLooking, isTestOrExamplePath, looksLikeWords } from './classify.js';
import { libraryHits, mayHoldProviderToken, PRESET_MARKER_SOURCES } from './library.js';
import { markerTest } from './marker-scan.js';
import { SPECIFIC_MARKERS, textHits } from './text-detectors.js';
import type { SecretHit } from './types.js';
import { yamlHits } from './yaml-detectors.js';

/**
 * Every secret in one file. The text is always scanned line by line, whatever the YAML parse made of it: a
 * template or a file with a syntax error is read as `key: value` text; a parsed YAML file by its structure (which
 * knows `existingSecret` beside `password`, a Secret's decoded `data`, env entries), its block scalars as text.
 *
 * Order decides which detector names a secret two of them see: provider formats (secretlint's, then fleetlint's),
 * then structured YAML, then generic `key = value` assignments.
 */
export async function scanFile(path: string, text: string, parsed: ParsedYamlFile | undefined): Promise<SecretHit[]> {
  // Each test reads the whole text, and most files pass none: the credential word once, and both marker sets in one.
  const hint = CREDENTIAL_HINT.test(text);
  const anyMarker = ANY_MARKER?.(text) ?? true;
  const structured = parsed ? yamlHits(parsed, hint, text) : undefined;
  const broken = parsed?.documents.some((document) => document.broken) ?? false;
  const keyValues = structured === undefined || broken ? 'all' : structured.embeddedLines.size > 0 ? structured.embeddedLines : 'none';
  const { specific, generic } = textHits(path, text, { keyValues, hint, ...(anyMarker ? {} : { specificMarker: false }) });
  // Most files: no promise to wait for.
  const library = anyMarker && mayHoldProviderToken(text) ? await libraryHits(path, text, true) : [];
  return judged(withKeys(withoutOverlaps([...library, ...specific, ...(structured?.hits ?? []), ...generic]), text), path, text);
}

/** A marker of fleetlint's format detectors or of secretlint's rules: undefined when secretlint's are not filtered. */
const ANY_MARKER = PRESET_MARKER_SOURCES && markerTest([...SPECIFIC_MARKERS, ...PRESET_MARKER_SOURCES], false);

/**
 * Two detectors finding overlapping text on one line is one finding; the first (more specific) wins. A Secret's
 * entry whose value spans lines (`tls.key: |`) already names what it holds: hits inside it are the same secret.
 */
export function withoutOverlaps(hits: readonly SecretHit[]): SecretHit[] {
  const kept: SecretHit[] = [];
  const byLine = new Map<number, SecretHit[]>();
  for (const hit of hits) {
    const others = byLine.get(hit.range.startLine) ?? [];
    if (others.some((other) => other.range.startColumn < hit.range.endColumn && hit.range.startColumn < other.range.endColumn)) continue;
    others.push(hit);
    byLine.set(hit.range.startLine, others);
    kept.push(hit);
  }
  const blocks = kept.filter((hit) => hit.path !== undefined && hit.range.endLine > hit.range.startLine);
  const inBlock = (hit: SecretHit): boolean => blocks.some((block) => hit.range.startLine > block.range.startLine && hit.range.startLine <= block.range.endLine);
  return kept.filter((hit) => blocks.length === 0 || !inBlock(hit)).sort((a, b) => a.range.startLine - b.range.startLine || a.range.startColumn - b.range.startColumn);
}

/** Detectors that go by a key's name or a URL's shape, not by a provider's token format. */
const GENERIC_DETECTOR = /^fleetlint\/(?:assignment|dotenv|key-value|xml-element|yaml-key|yaml-env|url-credentials|kubernetes-secret|netrc|curl-user|mysql-password|sshpass|docker-login)$|^secretlint\/(?:basicauth|database-connection-string)$/;

/**
 * Where and what a value is says how likely it is to be live. Values that are not literals at all are dropped. In
 * tests and source code, placeholders and what a key's name found but which is a word or a name rather than a random
 * value are dropped (a test's `Token: "abc123"`), the rest of tests and examples are notes; in documentation such
 * values are notes, as are words, names and commented-out lines anywhere.
 */
export function judged(hits: readonly SecretHit[], path: string, text: string): SecretHit[] {
  if (hits.length === 0) return [];
  const lines = text.split('\n');
  const test = isTestOrExamplePath(path);
  const prose = isDocumentationPath(path);
  const code = isCodePath(path);
  const kept: SecretHit[] = [];
  for (const hit of hits) {
    const generic = GENERIC_DETECTOR.test(hit.detector);
    // A credentialed URL (secretlint reports it whole) is judged by its password.
    // A base64 value (a Secret's data in a README) is judged by what it says: `ZXhhbXBsZS1hcHAtc2VjcmV0` is example-app-secret.
    const value = decodedText(/^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@]*)@/i.exec(hit.value)?.[1] ?? hit.value);
    if (generic && isNotALiteral(value)) continue;
    const placeholder = hit.placeholder || (hit.detector.startsWith('secretlint/') && isPlaceholder(value));
    const random = !generic || isRandomLooking(value);
    if ((test || code) && (placeholder || !random)) continue;
    if (placeholder) kept.push({ ...hit, placeholder });
    else if (test) kept.push({ ...hit, doubt: 'in a test or example file' });
    else if (prose && !random) kept.push({ ...hit, doubt: 'an example in documentation' });
    else if (generic && looksLikeWords(value)) kept.push({ ...hit, doubt: 'a word or a name, not a random value' });
    else if (generic && isCommentLine(hit, lines)) kept.push({ ...hit, doubt: 'in a comment' });
    else kept.push(hit);
  }
  return kept;
}

/** The text a base64 value encodes, when it encodes printable text; else the value. */
function decodedText(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (compact.length < 8 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || !/[=+/\d]/.test(compact)) return value;
  const decoded = Buffer.from(compact, 'base64').toString('utf8').trim();
  return decoded !== '' && /^[\x20-\x7e]+$/.test(decoded) ? decoded : value;
}

/** A line commented out (`#`, `//`, `;`, `--`, `<!--`) before the hit. */
function isCommentLine(hit: SecretHit, lines: readonly string[]): boolean {
  const before = (lines[hit.range.startLine - 1] ?? '').slice(0, hit.range.startColumn - 1);
  // `//nas/share` at a line's start (fstab, a UNC path) is not a comment.
  return /^\s*(?:#|\/\/(?![\w.-]+\/)|;|--|<!--|\*|\/\*)/.test(before);
}

/**
 * Gives a token found on its own the key it is assigned to on its line (`GITLAB_TOKEN="glpat-…"` -> GITLAB_TOKEN),
 * so its finding's fingerprint names its place, never its value.
 */
function withKeys(hits: SecretHit[], text: string): SecretHit[] {
  let lines: string[] | undefined;
  return hits.map((hit) => {
    if (hit.key !== undefined) return hit;
    lines ??= text.split('\n');
    const before = (lines[hit.range.startLine - 1] ?? '').slice(0, hit.range.startColumn - 1);
    const key = /([A-Za-z_][\w.-]*)["']?\s*(?::|=|:=)\s*["']?$/.exec(before)?.[1];
    return key === undefined ? hit : { ...hit, key };
  });
}
