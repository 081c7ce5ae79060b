/**
 * Expected findings marked in a fixture fleet's own files, next to the line they belong to:
 *
 *     image: nginx:latest  # expect: no-latest-tag
 *     syncWaves:  # expect: argocd-app-schema, sync-wave-order
 *
 * Several rules are separated by commas, and a rule named twice expects two findings. The marker is found by text
 * in any file (YAML, shell, Terraform, Markdown code blocks), so it must go where a comment does not change what
 * the file means. A finding where no comment can go (a Dockerfile instruction, a line inside a YAML block scalar,
 * a finding of the whole repository) is listed in a side file instead, one per line:
 *
 *     backup/velero helm/values.yaml:37 no-secrets      a line inside a block scalar
 *     applications/media/calibre-web - repo-layout     no file
 *
 * (repo, `file:line` or `-`, rule, then free text saying why it is not marked inline).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Finding } from '../../src/model/findings.js';

const MARKER = /#\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/;

/** One expected finding: `repo|file|line|rule`, with `-` for a missing file or line. */
export type ExpectedKey = string;

function key(repo: string, file: string | undefined, line: number | undefined, rule: string): ExpectedKey {
  return `${repo}|${file ?? '-'}|${line === undefined ? '-' : String(line)}|${rule}`;
}

/** The key of an actual finding. */
export function findingKey(finding: Finding): ExpectedKey {
  return key(finding.repo, finding.file, finding.range?.startLine, finding.ruleId);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The `# expect:` markers in the files of the fleet's repos, a repo being the longest repo id a path starts with. */
export function inlineMarkers(root: string, repoIds: readonly string[]): ExpectedKey[] {
  const longestFirst = [...repoIds].sort((a, b) => b.length - a.length);
  const found: ExpectedKey[] = [];
  for (const path of filesUnder(root)) {
    const rel = relative(root, path).split(sep).join('/');
    const repo = longestFirst.find((id) => rel.startsWith(`${id}/`));
    if (repo === undefined) continue;
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const rules = MARKER.exec(line)?.[1]?.split(',') ?? [];
        for (const rule of rules) found.push(key(repo, rel.slice(repo.length + 1), index + 1, rule.trim()));
      });
  }
  return found.sort();
}

/** The expected findings a side file lists (see the module comment); none when there is no such file. */
export function sideFileMarkers(path: string): ExpectedKey[] {
  if (!existsSync(path)) return [];
  const found: ExpectedKey[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '' || text.startsWith('#')) return;
      const match = /^(\S+) (?:(\S+):(\d+)|-) ([a-z0-9-]+)(?:\s|$)/.exec(text);
      if (!match) throw new Error(`${path}:${String(index + 1)}: expected "<repo> <file>:<line> <rule> <why>" or "<repo> - <rule> <why>", got: ${text}`);
      const [, repo = '', file, line, rule = ''] = match;
      found.push(key(repo, file, line === undefined ? undefined : Number(line), rule));
    });
  return found.sort();
}

export interface MarkerComparison {
  /** Expected and not found. */
  missing: ExpectedKey[];
  /** Found on a checked line and not expected. */
  unexpected: ExpectedKey[];
}

/**
 * Compares expected findings with actual ones. `scope: 'all'` checks every finding: one without a marker is a
 * false positive. `scope: 'marked-lines'` checks only the lines (and repo-level places) that some expectation
 * names, each exactly; a fleet whose full findings a golden file pins uses it to mark its planted mistakes alone.
 */
export function compareMarkers(expected: readonly ExpectedKey[], findings: readonly Finding[], scope: 'all' | 'marked-lines'): MarkerComparison {
  const place = (entry: ExpectedKey): string => entry.slice(0, entry.lastIndexOf('|'));
  const markedPlaces = new Set(expected.map(place));
  const actual = findings.map(findingKey).filter((entry) => scope === 'all' || markedPlaces.has(place(entry)));
  return { missing: without(expected, actual), unexpected: without(actual, expected) };
}

/** `from` minus `remove`, as multisets, sorted. */
function without(from: readonly string[], remove: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const entry of remove) left.set(entry, (left.get(entry) ?? 0) + 1);
  const result: string[] = [];
  for (const entry of from) {
    const count = left.get(entry) ?? 0;
    if (count > 0) left.set(entry, count - 1);
    else result.push(entry);
  }
  return result.sort();
}
