/**
 * `fleetlint waves plan` and the wave part of `fleetlint fix`: the fleet's Applications and dependencies as a plan
 * problem (src/model/waves/plan.ts), and the plan as annotation edits.
 */
import { dependencyWaveOrders } from '../model/dependencies/ordering.js';
import type { AppRef } from '../model/argocd/types.js';
import type { Fix } from '../model/findings.js';
import type { Fleet } from '../model/types.js';
import { planWaves, type PlanEdge, type PlanNode, type WaveBand, type WavePlan } from '../model/waves/plan.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import type { ProposedFix } from '../engine/fix/apply.js';
import { globMatcher } from '../glob-matcher.js';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** An app's plan id: `repo#name`. */
export const appId = (app: AppRef): string => `${app.repo}#${app.name}`;

/**
 * The wave orderings of the fleet: `from` must sync after `to`. The one place that reads the model's dependency
 * facts (AppDependency and their app-of-apps ordering, as sync-wave-order compares them), so that a new inference
 * changes only this function.
 */
export function waveEdges(fleet: Fleet): PlanEdge[] {
  const orders = dependencyWaveOrders(fleet.dependencies, fleet.repos);
  return fleet.dependencies.flatMap((dependency, index) => {
    const order = orders[index];
    if (!order) return [];
    const branch = order.from.name !== dependency.from || order.to.name !== dependency.to ? ` (its app-of-apps branch ${order.from.name} after ${order.to.name})` : '';
    return [{ from: appId(order.from), to: appId(order.to), reason: `${dependency.from} uses ${dependency.capability} of ${dependency.to}${branch}` }];
  });
}

interface BandSetting extends WaveBand {
  apps?: string[];
  repos?: string[];
}

/** The fleet's deployment order: sync-wave-order's `waveBands` option (validated with the config). */
function bandsOf(config: FleetlintConfig): BandSetting[] {
  const bands = config.rules['sync-wave-order']?.options?.waveBands;
  return Array.isArray(bands) ? (bands as BandSetting[]) : [];
}

/** An app's band: the first that names it or whose repo globs match its repo, as sync-wave-order decides. */
function bandFor(bands: readonly BandSetting[], app: AppRef): WaveBand | undefined {
  const band = bands.find((candidate) => candidate.apps?.includes(app.name) === true || (candidate.repos !== undefined && globMatcher(candidate.repos)(app.repo)));
  return band ? { min: band.min, ...(band.max !== undefined ? { max: band.max } : {}) } : undefined;
}

export interface FleetWavePlan {
  plan: WavePlan;
  /** Where each movable app's annotation is written. */
  places: Map<string, { repo: string; file: string; docIndex: number; path: string[] }>;
}

export function fleetWavePlan(fleet: Fleet, config: FleetlintConfig): FleetWavePlan {
  const bands = bandsOf(config);
  const nodes: PlanNode[] = [];
  const places: FleetWavePlan['places'] = new Map();
  for (const repo of fleet.repos) {
    const seen = new Set<string>();
    for (const app of repo.argocd.applications) {
      // Of several apps of one name in a repo, the first: the dependency facts name that one.
      if (seen.has(app.name)) continue;
      seen.add(app.name);
      const ref = { repo: repo.id, name: app.name };
      // A generated app's wave is in its ApplicationSet's template, a placeholder's in whatever substitutes it.
      const movable = app.generatedBy === undefined && app.waveUnknown !== true;
      const band = bandFor(bands, ref);
      nodes.push({ id: appId(ref), wave: app.wave, movable, ...(band ? { band } : {}) });
      if (movable) places.set(appId(ref), { repo: repo.id, file: app.origin.file, docIndex: app.origin.docIndex ?? 0, path: ['metadata', 'annotations', SYNC_WAVE_ANNOTATION] });
    }
  }
  return { plan: planWaves(nodes, waveEdges(fleet), { label }), places };
}

/** The plan as fixes, one per app whose wave changes: the annotation set to the new wave, quoted. */
export function wavePlanFixes(fleet: Fleet, config: FleetlintConfig): { plan: WavePlan; fixes: ProposedFix[] } {
  const { plan, places } = fleetWavePlan(fleet, config);
  if (plan.kind !== 'plan') return { plan, fixes: [] };
  const fixes = plan.changes.flatMap((change): ProposedFix[] => {
    const place = places.get(change.id);
    if (!place) return [];
    const fix: Fix = {
      description: `sync wave ${change.from} → ${change.to} (${change.reasons[0] ?? ''})`,
      edits: [{ kind: 'yaml', repo: place.repo, file: place.file, docIndex: place.docIndex, op: 'set', path: place.path, value: String(change.to) }],
    };
    return [{ fix, ruleIds: ['sync-wave-order'] }];
  });
  return { plan, fixes };
}

/** The plan as a table: app, repo, old → new wave, and why. */
export function wavePlanTable(plan: WavePlan): string {
  if (plan.kind === 'cycle') return `no plan: the dependencies form a cycle: ${[...plan.cycle, plan.cycle[0] ?? ''].map(label).join(' → ')}\n`;
  if (plan.kind === 'infeasible') return `no plan: ${plan.reason}\n`;
  if (plan.changes.length === 0 && plan.outsideBand.length === 0) return 'every Application syncs after its dependencies and within its band: no wave changes\n';
  const rows = plan.changes.map((change) => [label(change.id), `${change.from} → ${change.to}`, change.reasons.join('; ')]);
  const header = ['APPLICATION', 'WAVE', 'REASON'];
  const widths = [0, 1].map((column) => Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  ').trimEnd();
  const total = `${plan.changes.length} Application${plan.changes.length === 1 ? '' : 's'} change wave, ${plan.moved} wave${plan.moved === 1 ? '' : 's'} moved in all${plan.optimal ? '' : ' (the search ran out of budget: valid, but maybe not the fewest changes)'}`;
  const outside = plan.outsideBand.length === 0 ? '' : `left outside their band, as their dependencies require: ${plan.outsideBand.map(label).join(', ')}\n`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n${total}\n${outside}`;
}

/** `repo#name` as `name (repo)`. */
function label(id: string): string {
  const at = id.lastIndexOf('#');
  return `${id.slice(at + 1)} (${id.slice(0, at)})`;
}
