import type { ParsedYamlFile } from '../model/yaml/parse.js';
import { isReference } from './classify.js';
import { libraryHits } from './library.js';
import { scrubCredentials } from './redact.js';
import { textHits } from './text-detectors.js';
import type { SecretHit } from './types.js';
import { yamlHits } from './yaml-detectors.js';

/**
 * The two ways text leaves fleetlint without the secrets in it, both through the detectors no-secrets reports with.
 * Every caller outside this folder goes through these two functions, so a change to the detectors reaches every
 * output at once.
 */

/**
 * A text to print (a message, a model field, a log line) with its credentials replaced by `***`: URL userinfo,
 * secret query parameters, provider token formats (scrubCredentials), and what the line detectors find (`docker
 * login -p`, `export AWS_SECRET_ACCESS_KEY=…`, `password = "…"`).
 */
export function redactSecrets(text: string): string {
  const scrubbed = scrubCredentials(text);
  const { specific, generic } = textHits('', scrubbed, { keyValues: 'all' });
  const hits = [...specific, ...generic];
  if (hits.length === 0) return scrubbed;
  const lines = scrubbed.split('\n');
  // From the last hit on a line to the first, so earlier columns stay valid.
  for (const hit of hits.sort((a, b) => b.range.startLine - a.range.startLine || b.range.startColumn - a.range.startColumn)) {
    const index = hit.range.startLine - 1;
    const line = lines[index];
    if (line === undefined) continue;
    const start = hit.range.startColumn - 1;
    if (line.slice(start, start + hit.value.length) !== hit.value) continue;
    lines[index] = `${line.slice(0, start)}***${line.slice(start + hit.value.length)}`;
  }
  return lines.join('\n');
}

/**
 * A file's text to store (a snapshot, a shard's fragment) with the letters and digits of every secret the
 * detectors find replaced by `x`, and whole private-key blocks and YAML files that do not parse likewise. Lengths, line breaks, quotes and YAML
 * indicators stay, so the text parses to the same structure at the same positions; only the secret values change.
 */
export async function maskFileSecrets(file: string, text: string, parsed?: ParsedYamlFile): Promise<string> {
  // A YAML file that does not parse cannot be read for secrets by its structure: all of its values are masked.
  if (parsed?.documents.some((document) => document.broken) === true) return maskUnparsedYaml(text);
  // Every detector's hits, before any is judged a placeholder: masking more than no-secrets reports is harmless.
  const { specific, generic } = textHits(file, text, { keyValues: 'all' });
  const hits: SecretHit[] = [...(await libraryHits(file, text)), ...specific, ...generic, ...(parsed ? yamlHits(parsed, true).hits : [])];
  const spans: [number, number][] = hits.map((hit) => [offsetOf(text, hit.range.startLine, hit.range.startColumn), offsetOf(text, hit.range.endLine, hit.range.endColumn)]);
  for (const block of text.matchAll(/-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(-----END ([A-Z0-9]+ )*PRIVATE KEY-----|$)/g)) spans.push([block.index, block.index + block[0].length]);
  spans.push(...scrubbedSpans(text));
  return spans.reduce((masked, [start, end]) => maskRange(masked, start, end), text);
}

/**
 * A YAML text that does not parse, with every letter and digit masked but those of plain keys at the start of a line
 * (`  name:`, `- image:`), anchors, aliases and tags: they make its structure, its duplicate keys and its alias
 * errors, so it fails to parse in the same places.
 */
function maskUnparsedYaml(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const key = /^\s*(?:-\s+)*(?:[\w./-]+\s*:(?=\s|$))?/.exec(line)?.[0] ?? '';
      const rest = line.slice(key.length).replace(/(^|[\s[\]{},])([&*!][^\s[\]{},]*)|[A-Za-z0-9]/g, (whole, before: string | undefined, name: string | undefined) => (name !== undefined ? `${before ?? ''}${name}` : 'x'));
      return key + rest;
    })
    .join('\n');
}

/** The text with the letters and digits between two offsets (UTF-16 units) replaced by `x`. */
function maskRange(text: string, start: number, end: number): string {
  const from = Math.max(0, start);
  const to = Math.min(end, text.length);
  if (to <= from) return text;
  return text.slice(0, from) + text.slice(from, to).replace(/[A-Za-z0-9]/g, 'x') + text.slice(to);
}

/** The offset of a 1-based line and column. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset + column - 1;
}

/**
 * What scrubCredentials would replace (a password in a URL or an image reference, a token in a query string), as
 * spans of the text: it puts `***` where each value was, so the text between the stars is found again in the line.
 */
function scrubbedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  if (scrubCredentials(text) === text) return spans;
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const scrubbed = scrubCredentials(line);
    if (scrubbed !== line) {
      // `https://oauth2:${CI_JOB_TOKEN}@…` names a variable, not a value: kept, as no-secrets does.
      const kept = replacedSpans(line, scrubbed).filter(([from, to]) => !isReference(line.slice(from, to)));
      spans.push(...kept.map(([from, to]): [number, number] => [lineStart + from, lineStart + to]));
    }
    lineStart += line.length + 1;
  }
  return spans;
}

/** The spans of `line` that `***` stands for in `scrubbed`; the whole line when they cannot be told apart. */
function replacedSpans(line: string, scrubbed: string): [number, number][] {
  const parts = scrubbed.split('***');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (line.includes('***') || !line.startsWith(first) || !line.endsWith(last)) return [[0, line.length]];
  const spans: [number, number][] = [];
  let at = first.length;
  for (let index = 1; index < parts.length; index++) {
    const next = parts[index] ?? '';
    const end = index === parts.length - 1 ? line.length - next.length : line.indexOf(next, at);
    if (end < at) return [[0, line.length]];
    spans.push([at, end]);
    at = end + next.length;
  }
  return spans;
}
