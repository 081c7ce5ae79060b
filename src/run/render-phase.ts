/**
 * The render phase of every run: once the fleet's facts are built (ApplicationSets expanded), render what each
 * Application would apply (src/render/) and turn it into model facts, before app-of-apps ancestry, dependencies
 * and the checks. See docs/rendering.md.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { makeRepoResolver } from '../model/argocd/repo-url.js';
import { notRendered, type DesiredState } from '../model/desired.js';
import type { FindingDraft } from '../model/findings.js';
import type { Fleet, FleetSettings, Repo } from '../model/types.js';
import { RenderFacts } from '../render/facts.js';
import { renderFleet } from '../render/render-fleet.js';
import type { RenderOptions } from '../render/types.js';
import { scrubCredentials } from '../secrets/redact.js';

/** How a run renders: the render stage's options, or why it does not render at all. */
export type RenderSetting = RenderOptions | { off: string };

export interface RenderPhaseResult {
  /** The render as facts, to finish once app-of-apps ancestry is assigned; absent when rendering is off. */
  facts?: RenderFacts;
  /** Set when rendering is off (the desired state says why). */
  desired?: DesiredState;
  /** Fleet-level notes: rendering off or partly static. */
  fleetDiagnostics: FindingDraft[];
}

/**
 * The render cache's folder unless a run names one: beside the CLI's code cache, under `$FLEETLINT_CACHE_DIR`,
 * else `$XDG_CACHE_HOME/fleetlint`, else `~/.cache/fleetlint`: never in the repository a hook runs in.
 */
export function defaultRenderCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.FLEETLINT_CACHE_DIR !== undefined && env.FLEETLINT_CACHE_DIR !== '' ? env.FLEETLINT_CACHE_DIR : join(env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache'), 'fleetlint');
  return join(root, 'render');
}

/**
 * Renders the fleet's Applications and adds what they would apply to the repos' facts (see render/facts.ts).
 * Never throws on a user's repository: what cannot be rendered is a finding. Milliseconds go to `timings`:
 * `render` (all of it), and the render stage's own `render.total` and `render.tools`.
 */
export async function renderPhase(root: string, settings: FleetSettings, repos: readonly Repo[], setting: RenderSetting, timings?: Record<string, number>): Promise<RenderPhaseResult> {
  if ('off' in setting) {
    const desired = notRendered(setting.off);
    return { desired, fleetDiagnostics: [renderingNote(desired)].filter((note) => note !== undefined) };
  }
  const started = performance.now();
  const fleet: Fleet = { root, settings, repos: [...repos], dependencies: [], unprovided: [], diagnostics: [] };
  const render = await renderFleet(fleet, { scrub: scrubCredentials, cacheDir: defaultRenderCacheDir(), ...setting, ...(timings ? { timings } : {}) });
  const facts = new RenderFacts(repos, settings, render, makeRepoResolver(settings, new Set(repos.map((repo) => repo.id))));
  if (timings) timings.render = (timings.render ?? 0) + performance.now() - started;
  return { facts, fleetDiagnostics: [] };
}

/** The fleet-level note that says, in every report, that rendering was off or partly static, and why. */
export function renderingNote(desired: DesiredState): FindingDraft | undefined {
  const summary = renderingSummary(desired);
  if (summary === undefined) return undefined;
  return { ruleId: 'render-skipped', severity: 'note', message: summary, repo: '.', subject: desired.rendering.ran ? 'rendering:partial' : 'rendering:off', data: { kind: 'rendering' } };
}

/** The line the run's summary says about rendering, when there is something to say: off, or partly static. */
export function renderingSummary(desired: DesiredState | undefined): string | undefined {
  if (!desired) return undefined;
  if (!desired.rendering.ran) return `rendering off (${desired.rendering.reason}): Applications are read statically, as written`;
  return desired.rendering.fallback !== undefined ? `rendering partly off: ${desired.rendering.fallback}` : undefined;
}
