import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Fix } from '../../model/findings.js';
import { applyEdit, FixConflict } from './edit-file.js';

/** A fix and the rules whose findings carry it (several rules may propose the same repair). */
export interface ProposedFix {
  fix: Fix;
  ruleIds: string[];
}

/** One file's text before and after the fixes of a run. */
export interface FileChange {
  repo: string;
  file: string;
  before: string;
  after: string;
}

export interface SkippedFix extends ProposedFix {
  /** Why it was not applied, in a line. */
  reason: string;
}

export interface FixOutcome {
  /** Changed files, sorted by repo then file: the fixes grouped per repository. */
  changes: FileChange[];
  applied: ProposedFix[];
  skipped: SkippedFix[];
}

/** Reads a repo's file; undefined when it is not there. */
export type ReadRepoFile = (repo: string, file: string) => Promise<string | undefined>;

/** The fixes of a run's findings, each once: two rules proposing the same edits make one fix. */
export function proposedFixes(findings: readonly { ruleId: string; fix?: Fix }[], rules?: ReadonlySet<string>): ProposedFix[] {
  const byEdits = new Map<string, ProposedFix>();
  for (const finding of findings) {
    if (!finding.fix || (rules && !rules.has(finding.ruleId))) continue;
    const key = JSON.stringify(finding.fix.edits);
    const known = byEdits.get(key);
    if (!known) byEdits.set(key, { fix: finding.fix, ruleIds: [finding.ruleId] });
    else if (!known.ruleIds.includes(finding.ruleId)) known.ruleIds.push(finding.ruleId);
  }
  return [...byEdits.values()];
}

/**
 * Applies the fixes in memory, each whole or not at all: a fix whose edit does not fit the file as the earlier
 * fixes left it is skipped with the reason. Text edits go first, bottom of the file up, so that one does not move
 * the lines of the next; YAML edits follow the path, wherever the lines went.
 */
export async function planFixes(fixes: readonly ProposedFix[], read: ReadRepoFile): Promise<FixOutcome> {
  const original = new Map<string, FileChange>();
  const keyOf = (repo: string, file: string): string => `${repo}\u0000${file}`;
  const applied: ProposedFix[] = [];
  const skipped: SkippedFix[] = [];
  for (const proposed of orderForApplying(fixes)) {
    const working = new Map<string, string>();
    try {
      for (const edit of proposed.fix.edits) {
        const key = keyOf(edit.repo, edit.file);
        let text = working.get(key) ?? original.get(key)?.after;
        if (text === undefined) {
          const read_ = await read(edit.repo, edit.file);
          if (read_ === undefined) throw new FixConflict(`${edit.repo}/${edit.file} cannot be read`);
          original.set(key, { repo: edit.repo, file: edit.file, before: read_, after: read_ });
          text = read_;
        }
        working.set(key, applyEdit(text, edit));
      }
    } catch (error) {
      if (!(error instanceof FixConflict)) throw error;
      skipped.push({ ...proposed, reason: error.message });
      continue;
    }
    for (const [key, text] of working) {
      const change = original.get(key);
      if (change) change.after = text;
    }
    applied.push(proposed);
  }
  const changes = [...original.values()].filter((change) => change.after !== change.before).sort((a, b) => (a.repo === b.repo ? compare(a.file, b.file) : compare(a.repo, b.repo)));
  return { changes, applied, skipped };
}

function orderForApplying(fixes: readonly ProposedFix[]): ProposedFix[] {
  const lastLine = (proposed: ProposedFix): number => Math.max(0, ...proposed.fix.edits.map((edit) => (edit.kind === 'text' ? edit.range.startLine : 0)));
  const text = fixes.filter((proposed) => proposed.fix.edits.some((edit) => edit.kind === 'text')).sort((a, b) => lastLine(b) - lastLine(a));
  return [...text, ...fixes.filter((proposed) => !text.includes(proposed))];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The changes as one unified diff, a repository after another (paths `a/<repo>/<file>`). */
export function unifiedDiff(changes: readonly FileChange[]): string {
  return changes
    .map((change) => {
      const path = change.repo === '.' ? change.file : `${change.repo}/${change.file}`;
      return createTwoFilesPatch(`a/${path}`, `b/${path}`, change.before, change.after, undefined, undefined, { context: 3 }).replace(/^=+\n/, '');
    })
    .join('');
}

/**
 * Writes the changed files, each atomically (a temporary file in the same folder, renamed over it): a reader sees
 * the old text or the new, never half. A file that changed on disk since it was read is left alone and named.
 */
export async function writeChanges(changes: readonly FileChange[], dirOf: (repo: string) => string): Promise<{ written: FileChange[]; changedMeanwhile: FileChange[] }> {
  const written: FileChange[] = [];
  const changedMeanwhile: FileChange[] = [];
  for (const change of changes) {
    const path = join(dirOf(change.repo), change.file);
    const now = await readFile(path, 'utf8').catch(() => undefined);
    if (now !== change.before) {
      changedMeanwhile.push(change);
      continue;
    }
    const temporary = `${path}.fleetlint-${randomBytes(4).toString('hex')}.tmp`;
    const mode = (await stat(path)).mode;
    try {
      await writeFile(temporary, change.after, { mode });
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    written.push(change);
  }
  return { written, changedMeanwhile };
}
