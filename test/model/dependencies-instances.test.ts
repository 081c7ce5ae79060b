import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE, fleetInstances } from '../../src/model/dependencies/instances.js';
import { fleetFromFiles, TEST_SETTINGS } from '../support/fleet.js';

const root = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: root
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://gitlab.homelab.local/homelab/gitops.git
    path: clusters/lab/apps
  destination:
    server: https://kubernetes.default.svc
    namespace: argocd
`;
const project = (name: string): string => `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: ${name}
  namespace: argocd
spec:
  sourceRepos: ['*']
  destinations: [{namespace: '*', server: '*'}]
`;

describe('fleetInstances: the ArgoCD instance of each AppProject', () => {
  it('a static project by its file, like a loose Application; a rendered one by the Application that rendered it', async () => {
    const fleet = await fleetFromFiles({
      gitops: { 'clusters/lab/root.yaml': root, 'clusters/lab/projects/lab.yaml': project('lab'), 'projects/shared.yaml': project('shared') },
    });
    const instances = fleetInstances(fleet.repos, [{ name: 'lab', paths: ['gitops/clusters/lab/**'] }]);
    const projects = fleet.repos.flatMap((repo) => repo.argocd.projects);
    const byName = new Map(projects.map((entry) => [entry.name, entry]));
    const lab = byName.get('lab');
    const shared = byName.get('shared');
    if (!lab || !shared) throw new Error(`projects read: ${projects.map((entry) => entry.name).join(', ')}`);
    expect(instances.project(lab)).toBe('lab');
    expect(instances.project(shared)).toBe(DEFAULT_INSTANCE);
    // Rendered by the lab root: the lab instance syncs it, wherever its template's file is.
    expect(instances.project({ ...shared, renderedBy: { repo: 'gitops', name: 'root' } })).toBe('lab');
    // Rendered by an Application the fleet does not have: its file decides.
    expect(instances.project({ ...shared, renderedBy: { repo: 'gitops', name: 'gone' } })).toBe(DEFAULT_INSTANCE);
  });

  it('without argocd.instances, every project and Application is the default instance\'s', async () => {
    const fleet = await fleetFromFiles({ gitops: { 'clusters/lab/root.yaml': root, 'clusters/lab/projects/lab.yaml': project('lab') } }, TEST_SETTINGS);
    const instances = fleetInstances(fleet.repos, undefined);
    const [repo] = fleet.repos;
    expect(repo?.argocd.projects.map((entry) => instances.project(entry))).toEqual([DEFAULT_INSTANCE]);
    expect(repo?.argocd.applications.map((app) => instances.application(repo.id, app))).toEqual([DEFAULT_INSTANCE]);
  });
});
