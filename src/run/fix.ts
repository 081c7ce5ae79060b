/**
 * `fleetlint fix`, `lint --fix` and `audit --fix`: the fixes of a run's findings, applied in memory (each whole or
 * not at all), then shown as a diff or written, one file at a time and atomically.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../model/findings.js';
import { planFixes, proposedFixes, writeChanges, type FileChange, type FixOutcome, type ProposedFix, type SkippedFix } from '../engine/fix/apply.js';
import { DIGEST_RULE, withDigestFixes, type DigestFixOptions } from './digests.js';

export interface FixOptions {
  /** Only the fixes of these rules' findings (--rule); all when absent. */
  rules?: ReadonlySet<string>;
  /** Only the findings in these files, as `repo\0file` keys; all when absent. */
  files?: ReadonlySet<string>;
  /** The folder of a repo fixes may be written in; undefined for a repo they may not touch. */
  dirOf: (repo: string) => string | undefined;
  /** Fixes that come from the fleet rather than a finding (the wave plan). */
  extra?: readonly ProposedFix[];
  dryRun: boolean;
  /** --resolve-digests: pin the images of no-latest-tag findings to the digests the registries give. */
  digests?: Omit<DigestFixOptions, 'dirOf'>;
}

export interface FixRun extends FixOutcome {
  /** Files written (none on a dry run). */
  written: FileChange[];
  /** Files that changed on disk while the fixes were computed: left alone. */
  changedMeanwhile: FileChange[];
}

export const fileKey = (repo: string, file: string): string => `${repo}\u0000${file}`;

export async function fixFindings(findings: readonly Finding[], options: FixOptions): Promise<FixRun> {
  let fixable = findings.filter((finding) => !finding.suppression && (!options.files || (finding.file !== undefined && options.files.has(fileKey(finding.repo, finding.file)))));
  let unpinned: SkippedFix[] = [];
  if (options.digests && (!options.rules || options.rules.has(DIGEST_RULE))) {
    ({ findings: fixable, skipped: unpinned } = await withDigestFixes(fixable, { ...options.digests, dirOf: options.dirOf }));
  }
  const fixes = [...proposedFixes(fixable, options.rules), ...(options.extra ?? [])];
  const outside = fixes.filter((proposed) => proposed.fix.edits.some((edit) => options.dirOf(edit.repo) === undefined));
  const outcome = await planFixes(
    fixes.filter((proposed) => !outside.includes(proposed)),
    async (repo, file) => {
      const dir = options.dirOf(repo);
      return dir === undefined ? undefined : readFile(join(dir, file), 'utf8').catch(() => undefined);
    },
  );
  const skipped = [...unpinned, ...outside.map((proposed) => ({ ...proposed, reason: `it edits ${proposed.fix.edits.find((edit) => options.dirOf(edit.repo) === undefined)?.repo ?? ''}, a repository this run does not write` })), ...outcome.skipped];
  if (options.dryRun) return { ...outcome, skipped, written: [], changedMeanwhile: [] };
  const { written, changedMeanwhile } = await writeChanges(outcome.changes, (repo) => options.dirOf(repo) ?? '');
  return { ...outcome, skipped, written, changedMeanwhile };
}
