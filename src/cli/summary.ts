import type { Fleet } from '../model/types.js';
import { REPO_KINDS } from '../model/types.js';
import type { DesiredState } from '../model/desired.js';
import { renderingSummary } from '../run/render-phase.js';

/** The model at a glance: what fleetlint understood of the fleet, before any finding. */
export function modelSummary(fleet: Fleet): string {
  const byKind = REPO_KINDS.map((kind) => `${kind} ${fleet.repos.filter((repo) => repo.kinds.includes(kind)).length}`).join(', ');
  const count = (pick: (repo: Fleet['repos'][number]) => number): number => fleet.repos.reduce((sum, repo) => sum + pick(repo), 0);
  const diagnostics = fleet.diagnostics.length + count((repo) => repo.diagnostics.length);
  return [
    `fleet ${fleet.root}: ${fleet.repos.length} repositories (${byKind})`,
    `  files ${count((repo) => repo.files.length)} (templates ${count((repo) => repo.files.filter((file) => file.template !== undefined).length)}), pipelines ${count((repo) => (repo.ci ? 1 : 0))}, jobs ${count((repo) => repo.ci?.jobs.length ?? 0)}`,
    `  applications ${count((repo) => repo.argocd.applications.length)}, dependencies ${fleet.dependencies.length}, images ${count((repo) => repo.images.length)}`,
    ...(fleet.desired ? [renderedLine(fleet.desired)] : []),
    `  input diagnostics ${diagnostics}`,
  ].join('\n');
}

/** What the render phase did, or why it did not: never silent. */
function renderedLine(desired: DesiredState): string {
  const summary = renderingSummary(desired);
  if (!desired.rendering.ran) return `  ${summary ?? 'rendering off'}`;
  const objects = desired.apps.reduce((sum, app) => sum + app.objects.length, 0);
  const complete = desired.apps.filter((app) => app.complete).length;
  return `  rendered ${desired.apps.length} applications (${complete} in full), ${objects} objects${summary !== undefined ? `; ${summary}` : ''}`;
}
