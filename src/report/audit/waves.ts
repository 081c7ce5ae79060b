/**
 * The sync-wave graph: Applications in one column per wave, the dependencies the model inferred as edges, and the
 * sync-wave-order findings' data on them (`{kind: 'order', from, to}` marks an edge out of order; `cycle`,
 * `invalid-wave`, `spec-sync-waves` and `band` are problems of the apps they name).
 */
import { compareText } from '../../model/finding-order.js';
import type { Finding, Severity } from '../../model/findings.js';
import { appKey, type FleetFacts } from './facts.js';
import { appRef, appRefs, dataKind, type AppRef } from './finding-data.js';

export interface WaveApp {
  key: string;
  repo: string;
  name: string;
  wave: number;
  waveValid: boolean;
  dependsOn: { key: string; repo: string; name: string; wave?: number; capabilities: string[]; violation: boolean }[];
  /** sync-wave-order findings about the app itself: invalid wave, outside its band, cycle, spec.syncWaves. */
  problems: { severity: Severity; message: string; suppressed: boolean }[];
  /** Some dependency order or problem of the app is an unsuppressed finding. */
  flagged: boolean;
}

export interface WaveEdge {
  /** The dependent app: it must sync after `to`. */
  from: string;
  to: string;
  capabilities: string[];
  violation: boolean;
}

export interface WaveGraph {
  columns: { wave: number; apps: WaveApp[] }[];
  edges: WaveEdge[];
  violations: number;
}

/** The sync-wave-order findings that are problems of the apps their data names (`app`, or `apps` for a cycle). */
const APP_PROBLEMS: ReadonlySet<string> = new Set(['cycle', 'invalid-wave', 'spec-sync-waves', 'band']);

const keyOf = (ref: AppRef): string => appKey(ref.repo, ref.name);

export function waveGraph(facts: FleetFacts, findings: readonly Finding[]): WaveGraph {
  const apps = new Map<string, WaveApp>();
  for (const app of facts.applications) {
    const key = appKey(app.repo, app.name);
    // Two Applications with one name in one repo (two files): the first is drawn, as ArgoCD would refuse the second.
    if (!apps.has(key)) apps.set(key, { key, repo: app.repo, name: app.name, wave: app.wave, waveValid: app.waveValid, dependsOn: [], problems: [], flagged: false });
  }
  const violated = new Map<string, boolean>();
  for (const finding of findings) {
    const kind = finding.ruleId === 'sync-wave-order' ? dataKind(finding) : undefined;
    if (kind === undefined) continue;
    const suppressed = finding.suppression !== undefined;
    if (kind === 'order') {
      const from = appRef(finding.data?.from);
      const to = appRef(finding.data?.to);
      if (!from || !to) continue;
      const edge = `${keyOf(from)}\u0000${keyOf(to)}`;
      violated.set(edge, (violated.get(edge) ?? false) || !suppressed);
      const app = apps.get(keyOf(from));
      if (app && !suppressed) app.flagged = true;
      continue;
    }
    if (!APP_PROBLEMS.has(kind)) continue;
    const app = appRef(finding.data?.app);
    const named = kind === 'cycle' ? appRefs(finding.data?.apps) : app ? [app] : [];
    for (const ref of named) {
      const problemApp = apps.get(keyOf(ref));
      if (!problemApp) continue;
      problemApp.problems.push({ severity: finding.severity, message: finding.message, suppressed });
      if (!suppressed) problemApp.flagged = true;
    }
  }

  const edges = new Map<string, WaveEdge>();
  /** Each dependency target by key: it may be an app the facts do not list. */
  const targets = new Map<string, AppRef>();
  for (const dependency of facts.dependencies) {
    const from = appKey(dependency.fromRepo, dependency.from);
    const to = appKey(dependency.toRepo, dependency.to);
    targets.set(to, { repo: dependency.toRepo, name: dependency.to });
    const id = `${from}\u0000${to}`;
    const edge = edges.get(id);
    if (edge) {
      if (!edge.capabilities.includes(dependency.capability)) edge.capabilities.push(dependency.capability);
    } else {
      edges.set(id, { from, to, capabilities: [dependency.capability], violation: violated.get(id) === true });
    }
  }
  for (const edge of edges.values()) {
    edge.capabilities.sort(compareText);
    const app = apps.get(edge.from);
    const target = apps.get(edge.to);
    const ref = target ?? targets.get(edge.to);
    app?.dependsOn.push({
      key: edge.to,
      repo: ref?.repo ?? '',
      name: ref?.name ?? '',
      ...(target ? { wave: target.wave } : {}),
      capabilities: edge.capabilities,
      violation: edge.violation,
    });
  }
  const byWave = new Map<number, WaveApp[]>();
  for (const app of apps.values()) {
    app.dependsOn.sort((a, b) => compareText(a.name, b.name) || compareText(a.repo, b.repo));
    byWave.set(app.wave, [...(byWave.get(app.wave) ?? []), app]);
  }
  const columns = [...byWave]
    .sort(([a], [b]) => a - b)
    .map(([wave, list]) => ({ wave, apps: list.sort((a, b) => compareText(a.name, b.name) || compareText(a.repo, b.repo)) }));
  const sortedEdges = [...edges.values()].sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to));
  return { columns, edges: sortedEdges, violations: sortedEdges.filter((edge) => edge.violation).length };
}
