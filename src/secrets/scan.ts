import type { ParsedYamlFile } from '../model/yaml/parse.js';
import { libraryHits } from './library.js';
import { textHits } from './text-detectors.js';
import type { SecretHit } from './types.js';
import { yamlHits } from './yaml-detectors.js';

/**
 * At most this many secrets are reported for one file: a generated file (a lock file, a dump, a vendored chart)
 * can hold thousands of look-alikes, and the finding that it holds any is what matters.
 */
export const MAX_HITS_PER_FILE = 50;

export interface FileScan {
  hits: SecretHit[];
  /** Hits found beyond MAX_HITS_PER_FILE, not returned. */
  dropped: number;
}

/**
 * Every secret in one file. The text is always scanned line by line, whatever the YAML parse made of it: a
 * template or a file with a syntax error is read as `key: value` text; a parsed YAML file by its structure (which
 * knows `existingSecret` beside `password`, a Secret's decoded `data`, env entries), its block scalars as text.
 *
 * Order decides which detector names a secret two of them see: provider formats (secretlint's, then fleetlint's),
 * then structured YAML, then generic `key = value` assignments.
 */
export async function scanFile(path: string, text: string, parsed: ParsedYamlFile | undefined): Promise<FileScan> {
  const structured = parsed ? yamlHits(parsed) : undefined;
  const broken = parsed?.documents.some((document) => document.broken) ?? false;
  const keyValues = structured === undefined || broken ? 'all' : structured.embeddedLines.size > 0 ? structured.embeddedLines : 'none';
  const { specific, generic } = textHits(path, text, { keyValues });
  const library = await libraryHits(path, text);
  const hits = withKeys(withoutOverlaps([...library, ...specific, ...(structured?.hits ?? []), ...generic]), text);
  return { hits: hits.slice(0, MAX_HITS_PER_FILE), dropped: Math.max(0, hits.length - MAX_HITS_PER_FILE) };
}

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
