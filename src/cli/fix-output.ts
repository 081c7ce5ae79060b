import type { FileChange, ProposedFix } from '../engine/fix/apply.js';
import type { FixRun } from '../run/fix.js';

/** What a fix run did, grouped per repository: each file and the fixes applied to it, then what was skipped. */
export function fixSummary(run: FixRun, options: { dryRun: boolean }): string {
  const lines: string[] = [];
  const changed = options.dryRun ? run.changes : run.written;
  const byRepo = new Map<string, FileChange[]>();
  for (const change of changed) byRepo.set(change.repo, [...(byRepo.get(change.repo) ?? []), change]);
  for (const [repo, changes] of byRepo) {
    lines.push(repo);
    for (const change of changes) {
      for (const proposed of fixesOf(run.applied, change)) lines.push(`  ${change.file}: ${proposed.fix.description} [${proposed.ruleIds.join(', ')}]`);
    }
  }
  for (const change of run.changedMeanwhile) lines.push(`not written: ${change.repo}/${change.file} changed on disk while the fixes were computed; run fleetlint fix again`);
  for (const skipped of run.skipped) lines.push(`skipped: ${skipped.fix.description} [${skipped.ruleIds.join(', ')}]: ${skipped.reason}`);
  const fixes = run.applied.filter((proposed) => changed.some((change) => fixesOf([proposed], change).length > 0)).length;
  const repos = byRepo.size;
  const verb = options.dryRun ? 'would change' : 'changed';
  lines.push(
    fixes === 0 && run.skipped.length === 0
      ? 'nothing to fix'
      : `${fixes} fix${fixes === 1 ? '' : 'es'} ${verb} ${changed.length} file${changed.length === 1 ? '' : 's'} in ${repos} repositor${repos === 1 ? 'y' : 'ies'}${run.skipped.length > 0 ? `; ${run.skipped.length} skipped` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

function fixesOf(applied: readonly ProposedFix[], change: FileChange): ProposedFix[] {
  return applied.filter((proposed) => proposed.fix.edits.some((edit) => edit.repo === change.repo && edit.file === change.file));
}
