// Turns runs into the numbers the results table shows.

/** The run with the median wall time: its CPU, RSS and phases belong together. */
export function medianRun(runs) {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Phases from the JSON report's timings; checks split by implementation, the secret scan on its own. */
export function phasesOf(run, startupMs) {
  const timings = run.report?.timings;
  if (!timings) return undefined;
  const implementation = new Map(run.report.rules.map((rule) => [rule.id, rule.implementation]));
  const checks = { typescript: 0, rego: 0, secrets: 0 };
  for (const [id, ms] of Object.entries(timings.checks ?? {})) {
    if (id === 'no-secrets') checks.secrets += ms;
    else if (implementation.get(id) === 'rego') checks.rego += ms;
    else checks.typescript += ms;
  }
  const phases = timings.phases ?? {};
  const { discover = 0, model = 0, render = 0, checks: checksMs = 0 } = phases;
  return {
    // Node start and module loading: `fleetlint --version` measured on its own.
    startup: startupMs,
    // Config, rule loading and WASM compilation: what the audit did before it looked at the fleet.
    configure: Math.max(0, timings.durationMs - discover - model - render - checksMs),
    discover,
    read: phases['model.read'] ?? 0,
    // Parsing each repo's YAML, then building its facts (in worker threads for large fleets); all of the model
    // phase for a command that does not split it.
    parse: phases['model.parse'],
    build: Math.max(0, (phases['model.build'] ?? Math.max(0, model - (phases['model.read'] ?? 0) - (phases['model.fleet'] ?? 0))) - (phases['model.parse'] ?? 0)),
    fleet: phases['model.fleet'] ?? 0,
    // What each Application would apply: helm and kustomize (or their cached output) and the facts drawn from it;
    // not part of "model" (see src/run/render-phase.ts). Undefined: the command does not render.
    render: phases.render,
    typescript: checks.typescript,
    rego: checks.rego,
    secrets: checks.secrets,
    // Writing the reports, from --stats (written after them); the JSON report's own timings end before it.
    reports: run.stats?.phases?.reports,
    // The rest of the wall time: modules the command loads lazily before its clock starts, exit.
    rest: Math.max(0, run.wallMs - startupMs - timings.durationMs - (run.stats?.phases?.reports ?? 0)),
  };
}

export const seconds = (ms) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
export const mib = (kib) => (kib / 1024).toFixed(0);
