import type { Fleet } from '../model/types.js';
import { REPO_KINDS } from '../model/types.js';
import type { FindingDraft } from '../model/findings.js';

/** Input diagnostics named one per line under the summary; the rest are counted (all are findings in the reports). */
const LISTED_DIAGNOSTICS = 5;

/** The model at a glance: what fleetlint understood of the fleet, before any finding. */
export function modelSummary(fleet: Fleet): string {
  const byKind = REPO_KINDS.map((kind) => `${kind} ${fleet.repos.filter((repo) => repo.kinds.includes(kind)).length}`).join(', ');
  const count = (pick: (repo: Fleet['repos'][number]) => number): number => fleet.repos.reduce((sum, repo) => sum + pick(repo), 0);
  const diagnostics: FindingDraft[] = [...fleet.diagnostics, ...fleet.repos.flatMap((repo) => repo.diagnostics)];
  return [
    `fleet ${fleet.root}: ${fleet.repos.length} repositories (${byKind})`,
    `  files ${count((repo) => repo.files.length)} (templates ${count((repo) => repo.files.filter((file) => file.template !== undefined).length)}), pipelines ${count((repo) => (repo.ci ? 1 : 0))}, jobs ${count((repo) => repo.ci?.jobs.length ?? 0)}`,
    `  applications ${count((repo) => repo.argocd.applications.length)}, dependencies ${fleet.dependencies.length}, images ${count((repo) => repo.images.length)}`,
    ...diagnosticLines(diagnostics),
  ].join('\n');
}

/** "input diagnostics N" with the count per rule and the first few, so the number can be followed up. */
function diagnosticLines(diagnostics: readonly FindingDraft[]): string[] {
  if (diagnostics.length === 0) return ['  input diagnostics 0'];
  const byRule = new Map<string, number>();
  for (const diagnostic of diagnostics) byRule.set(diagnostic.ruleId, (byRule.get(diagnostic.ruleId) ?? 0) + 1);
  const rules = [...byRule].sort(([a], [b]) => (a < b ? -1 : 1)).map(([rule, n]) => `${rule} ${n}`).join(', ');
  const listed = diagnostics.slice(0, LISTED_DIAGNOSTICS).map((diagnostic) => {
    const where = diagnostic.file === undefined ? diagnostic.repo : `${diagnostic.repo}/${diagnostic.file}${diagnostic.range ? `:${diagnostic.range.startLine}` : ''}`;
    return `    ${where}: ${diagnostic.ruleId}: ${firstLine(diagnostic.message)}`;
  });
  const more = diagnostics.length > LISTED_DIAGNOSTICS ? [`    and ${diagnostics.length - LISTED_DIAGNOSTICS} more (in the reports, by these rule ids)`] : [];
  return [`  input diagnostics ${diagnostics.length} (${rules}):`, ...listed, ...more];
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  // A file's content must not send escape sequences to the terminal.
  return line.replace(/[\u0000-\u001F\u007F-\u009F]/g, '?');
}
