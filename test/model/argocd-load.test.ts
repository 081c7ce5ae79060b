import { describe, expect, it } from 'vitest';
import { parseYamlFile, type ParsedYamlFile } from '../../src/model/yaml/parse.js';
import { loadK8sObjects } from '../../src/model/k8s/load.js';
import { loadArgoFacts } from '../../src/model/argocd/load.js';
import { makeRepoResolver } from '../../src/model/argocd/repo-url.js';
import { parseSyncWave } from '../../src/model/argocd/wave.js';

const REPO = 'core-services/networking/traefik';
const resolver = makeRepoResolver({ group: 'homelab', registries: [], providers: [] }, new Set([REPO, 'kubernetes/argocd-apps', 'applications/media/jellyfin']));

function load(files: Record<string, string>, repo = REPO) {
  const yaml = new Map<string, ParsedYamlFile>(Object.entries(files).map(([file, text]) => [file, parseYamlFile(repo, file, text).parsed]));
  return loadArgoFacts(repo, loadK8sObjects(repo, yaml), resolver);
}

// Verbatim from the seed, section "ArgoCD Integration" (Individual Service).
const SEED_TRAEFIK = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: traefik
  namespace: argocd
spec:
  project: core-services
  source:
    repoURL: https://gitlab.homelab.local/homelab/core-services/networking/traefik.git
    targetRevision: main
    path: helm
  destination:
    server: https://kubernetes.default.svc
    namespace: traefik
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
  syncWaves:
    - wave: 2  # Deploy after MetalLB (wave 1)
`;

// Verbatim from the seed, Appendix B "Complete Service Repository".
const SEED_TRAEFIK_APPENDIX_B = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: traefik
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "2"
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: core-services
  source:
    repoURL: https://gitlab.homelab.local/homelab/core-services/networking/traefik.git
    targetRevision: main
    path: helm
    helm:
      valueFiles:
        - values.yaml
  destination:
    server: https://kubernetes.default.svc
    namespace: traefik
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
    retry:
      limit: 5
      backoff:
        duration: 5s
        factor: 2
        maxDuration: 3m
  ignoreDifferences:
    - group: apps
      kind: Deployment
      jsonPointers:
        - /spec/replicas
`;

describe('loadArgoFacts', () => {
  it('reads the seed traefik Application: syncWaves is not a spec field, and the wave is 0', () => {
    const { facts, diagnostics } = load({ 'argocd/application.yaml': SEED_TRAEFIK });
    expect(diagnostics).toEqual([]);
    const [app] = facts.applications;
    expect(app).toMatchObject({
      kind: 'Application',
      name: 'traefik',
      namespace: 'argocd',
      project: 'core-services',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'traefik' },
      automatedSync: true,
      wave: 0,
      waveValid: true,
      declaredDependsOn: [],
      unknownSpecKeys: ['syncWaves'],
    });
    expect(app?.waveAnnotation).toBeUndefined();
    expect(app?.unknownSpecKeyOrigins[0]).toMatchObject({ file: 'argocd/application.yaml', line: 21, path: ['spec', 'syncWaves'] });
    expect(app?.waveOrigin).toMatchObject({ line: 3, path: ['metadata'] });
    expect(app?.origin).toMatchObject({ line: 4, path: ['metadata', 'name'] });
    expect(app?.sources).toEqual([
      expect.objectContaining({
        repoURL: 'https://gitlab.homelab.local/homelab/core-services/networking/traefik.git',
        targetRevision: 'main',
        path: 'helm',
        helmValueFiles: [],
        fleetRepo: REPO,
      }),
    ]);
    expect(app?.sources[0]?.origin.line).toBe(8);
  });

  it('reads the Appendix B traefik Application: wave 2 from the annotation, value files', () => {
    const [app] = load({ 'argocd/application.yaml': SEED_TRAEFIK_APPENDIX_B }).facts.applications;
    expect(app).toMatchObject({ wave: 2, waveAnnotation: '2', waveValid: true, unknownSpecKeys: [] });
    expect(app?.waveOrigin).toMatchObject({ line: 7, path: ['metadata', 'annotations', 'argocd.argoproj.io/sync-wave'] });
    expect(app?.sources[0]?.helmValueFiles).toEqual(['values.yaml']);
  });

  it('finds Applications, AppProjects and ApplicationSets in multi-document files', () => {
    const { facts } = load({
      'apps.yaml': `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: core-services, namespace: argocd}
spec:
  sourceRepos: ['https://gitlab.homelab.local/homelab/core-services/*']
  destinations:
    - namespace: '*'
      server: https://kubernetes.default.svc
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: media}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: jellyfin
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
    fleetlint.dev/depends-on: " traefik, longhorn,,traefik "
spec:
  project: applications
  sources:
    - repoURL: https://jellyfin.github.io/jellyfin-helm
      chart: jellyfin
      targetRevision: 2.1
      helm:
        valueFiles: [$values/helm/values.yaml]
        valuesObject:
          ingress: {className: traefik}
    - repoURL: git@gitlab.homelab.local:homelab/applications/media/jellyfin.git
      targetRevision: main
      ref: values
      path: manifests
      directory: {recurse: true}
  syncPolicy:
    automated: {enabled: false}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-argo}
`,
    });
    expect(facts.projects).toEqual([
      expect.objectContaining({ name: 'core-services', sourceRepos: ['https://gitlab.homelab.local/homelab/core-services/*'], destinations: [{ namespace: '*', server: 'https://kubernetes.default.svc' }] }),
    ]);
    expect(facts.applicationSets.map((set) => set.name)).toEqual(['media']);
    const [app] = facts.applications;
    expect(app).toMatchObject({ name: 'jellyfin', wave: -1, waveValid: true, automatedSync: false, declaredDependsOn: ['traefik', 'longhorn'] });
    expect(app?.dependsOnOrigin?.line).toBe(20);
    expect(app?.sources).toHaveLength(2);
    expect(app?.sources[0]).toMatchObject({ chart: 'jellyfin', targetRevision: '2.1', helmValueFiles: ['$values/helm/values.yaml'], helmValuesObjectPath: ['spec', 'sources', 0, 'helm', 'valuesObject'] });
    expect(app?.sources[0]?.fleetRepo).toBeUndefined();
    expect(app?.sources[1]).toMatchObject({ ref: 'values', fleetRepo: 'applications/media/jellyfin', path: 'manifests', directoryRecurse: true });
  });

  it('keeps a non-integer wave at 0 and marks it invalid, without a diagnostic', () => {
    for (const [written, wave, problem] of [
      ['"two"', 0, 'not-an-integer'],
      ['"1.5"', 0, 'not-an-integer'],
      ['" 2"', 0, 'not-an-integer'],
      ['3', 3, 'not-a-string'],
    ] as const) {
      const { facts, diagnostics } = load({
        'app.yaml': `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: ${written}\nspec: {}\n`,
      });
      expect(diagnostics).toEqual([]);
      expect(facts.applications[0]).toMatchObject({ wave, waveValid: false, waveProblem: problem });
      expect(facts.applications[0]?.waveOrigin.line).toBe(6);
    }
  });

  it('takes a placeholder wave as unknown, not invalid', () => {
    for (const written of ['"${ARGOCD_ENV_wave}"', '"$WAVE"', '"{{ .wave }}"', '"<WAVE>"']) {
      const { facts } = load({
        'app.yaml': `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: ${written}\nspec: {}\n`,
      });
      expect(facts.applications[0]).toMatchObject({ wave: 0, waveValid: true, waveUnknown: true, waveAnnotation: JSON.parse(written) as string });
      expect(facts.applications[0]?.waveProblem).toBeUndefined();
    }
  });

  it('reports a nameless Application and skips it', () => {
    const { facts, diagnostics } = load({ 'app.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec: {}\n' });
    expect(facts.applications).toEqual([]);
    expect(diagnostics).toEqual([expect.objectContaining({ ruleId: 'parse-error', severity: 'warning', file: 'app.yaml' })]);
  });

  it('survives odd shapes', () => {
    const { facts } = load({ 'app.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: odd, annotations: [x]}\nspec:\n  source: [1]\n  sources: {a: 1}\n  destination: 3\n  syncPolicy: {automated: null}\n' });
    expect(facts.applications[0]).toMatchObject({ name: 'odd', sources: [], destination: {}, automatedSync: false, wave: 0, waveValid: true });
  });
});

describe('parseSyncWave', () => {
  it('reads integers as strconv.Atoi does', () => {
    expect(parseSyncWave('+5')).toEqual({ wave: 5, text: '+5', valid: true });
    expect(parseSyncWave('007')).toEqual({ wave: 7, text: '007', valid: true });
    expect(parseSyncWave(undefined)).toEqual({ wave: 0, valid: true });
    expect(parseSyncWave('99999999999999999999').valid).toBe(false);
  });
});
