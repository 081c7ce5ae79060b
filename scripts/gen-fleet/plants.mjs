// Planted violations: each kind names the repos it fits and exactly which findings it causes, so a generated
// fleet doubles as a recall check (expected.json = the sum of these effects; the clean baseline finds nothing).

export const PLANTS = {
  // no-latest-tag
  'helm-latest-tag': { roles: ['service'], effect: { 'no-latest-tag': 1 } },
  'ci-untagged-image': { roles: ['service', 'infra', 'cicd', 'backup'], effect: { 'no-latest-tag': 1 } },
  'dockerfile-untagged-from': { roles: ['service'], needs: (repo) => repo.app.docker, effect: { 'no-latest-tag': 1 } },
  // required-scans
  'no-secrets-scan': { roles: ['service', 'infra', 'cicd', 'backup'], effect: { 'required-scans': 1 } },
  'scan-allow-failure': { roles: ['service', 'cicd'], effect: { 'required-scans': 1 } },
  'scan-manual': { roles: ['service'], effect: { 'required-scans': 1 } },
  'iac-scan-missing': { roles: ['infra'], effect: { 'required-scans': 1 } },
  // no-secrets
  'gitlab-token-in-script': { roles: ['service', 'infra', 'backup', 'operations'], effect: { 'no-secrets': 1 } },
  'aws-key-in-tfvars': { roles: ['infra'], effect: { 'no-secrets': 1 } },
  // argocd-app-schema
  'app-unknown-field': { roles: ['service'], effect: { 'argocd-app-schema': 1 } },
  // argocd-app-source
  'app-missing-path': { roles: ['service'], effect: { 'argocd-app-source': 1 } },
  'app-unknown-project': { roles: ['service'], effect: { 'argocd-app-source': 1 } },
  // sync-wave-order
  'wave-same-as-dependency': { roles: ['service'], needs: (repo, plan) => repo.group === 'applications' && plan.dependencyTarget() !== undefined, effect: { 'sync-wave-order': 1 } },
  'wave-outside-band': { roles: ['service'], needs: (repo) => repo.group === 'applications', effect: { 'sync-wave-order': 1 } },
  // ci-config
  'ci-undeclared-stage': { roles: ['service', 'infra', 'cicd', 'backup'], effect: { 'ci-config': 1 } },
  // repo-layout
  'service-without-readme': { roles: ['service'], effect: { 'repo-layout': 1 } },
};

const KINDS = Object.keys(PLANTS);

/**
 * Chooses, for a repo that gets a plant, the fitting kind planted least so far (ties in table order), so that
 * every rule gets violations even in a small fleet and the mix does not depend on luck.
 */
export function makePlanter(random, rate) {
  const planted = Object.fromEntries(KINDS.map((kind) => [kind, 0]));
  return (repo, plan) => {
    if (!random.chance(rate)) return undefined;
    let chosen;
    for (const kind of KINDS) {
      const plant = PLANTS[kind];
      if (!plant.roles.includes(repo.role) || (chosen !== undefined && planted[kind] >= planted[chosen])) continue;
      if (plant.needs && !plant.needs(repo, plan)) continue;
      chosen = kind;
    }
    if (chosen !== undefined) planted[chosen]++;
    return chosen;
  };
}

/**
 * A service whose helm/ folder holds only values.yaml, as the seed's third-party services do: ArgoCD reads the
 * folder as a plain directory and applies nothing, one render-error (warning) at its Application
 * (fixtures/homelab/MISTAKES.md, R2). Not a planted violation: the seed's own pattern, kept so the fleet stays
 * shaped like it. A missing path (app-missing-path) is argocd-app-source's finding instead.
 */
export function deploysNothing(repo) {
  return (repo.role === 'service' || repo.role === 'core') && !repo.app.chart && repo.plant !== 'app-missing-path';
}

/** The findings per rule that the planted violations and the values-only services must produce, rules sorted by id. */
export function expectedCounts(repos) {
  const byRule = {};
  for (const repo of repos) {
    if (deploysNothing(repo)) byRule['render-error'] = (byRule['render-error'] ?? 0) + 1;
    if (!repo.plant) continue;
    for (const [rule, count] of Object.entries(PLANTS[repo.plant].effect)) byRule[rule] = (byRule[rule] ?? 0) + count;
  }
  return Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => (a < b ? -1 : 1)));
}
