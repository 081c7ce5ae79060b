import { describe, expect, it } from 'vitest';
import { fleetFromFiles } from '../support/fleet.js';
import { appNamed, at, objectNamed, render } from '../support/render.js';

const OVERLAYS = {
  'base/kustomization.yaml': `resources:
  - deployment.yaml
  - service.yaml
configMapGenerator:
  - name: settings
    literals:
      - mode=base
`,
  'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
`,
  'base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
`,
  'overlays/prod/kustomization.yaml': `namespace: prod
resources:
  - ../../base
patches:
  - path: resources.yaml
images:
  - name: ghcr.io/acme/web
    newTag: 1.4.2
`,
  'overlays/prod/resources.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          resources:
            limits:
              memory: 256Mi
`,
};

function application(name: string, path: string, kustomize = ''): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://gitlab.homelab.local/homelab/apps/web.git
    targetRevision: main
    path: ${path}
${kustomize}  destination:
    server: https://kubernetes.default.svc
    namespace: prod
`;
}

describe('kustomize sources', () => {
  it('builds an overlay: a patch adds a field, images set the tag, origin annotations are read and removed', async () => {
    const fleet = await fleetFromFiles({ 'apps/web': OVERLAYS, 'kubernetes/argocd-apps': { 'apps/web.yaml': application('web', 'overlays/prod') } });
    const result = await render(fleet);
    const app = appNamed(result, 'web');
    expect(app.errors).toEqual([]);
    expect(app.sources).toEqual([{ index: 0, kind: 'kustomize', repo: 'apps/web', path: 'overlays/prod', status: 'rendered' }]);
    const deployment = objectNamed(app, 'Deployment', 'web');
    expect(deployment.namespace).toBe('prod');
    expect(deployment.value).toMatchObject({ spec: { template: { spec: { containers: [{ image: 'ghcr.io/acme/web:1.4.2', resources: { limits: { memory: '256Mi' } } }] } } } });
    expect(deployment.value.metadata).toEqual({ name: 'web', namespace: 'prod' });
    expect(deployment.provenance.file).toEqual({ repo: 'apps/web', file: 'base/deployment.yaml', owned: true });
    const container = ['spec', 'template', 'spec', 'containers', 0];
    // The tag came from the overlay's images entry; the limit from the patch; the replicas from the base.
    expect(result.locate(deployment, [...container, 'image'])).toMatchObject({ file: 'overlays/prod/kustomization.yaml', path: ['images', 0, 'newTag'], via: 'values' });
    expect(at(result.locate(deployment, [...container, 'resources', 'limits', 'memory']))).toBe('overlays/prod/resources.yaml:12');
    expect(result.locate(deployment, ['spec', 'replicas'])).toMatchObject({ file: 'base/deployment.yaml', range: { startLine: 6 }, via: 'manifest' });
    // A field the patch added, asked for as a whole: the closest ancestor in the base.
    expect(result.locate(deployment, [...container, 'resources'])).toMatchObject({ file: 'base/deployment.yaml', path: [...container], via: 'manifest' });
    const generated = app.objects.find((object) => object.kind === 'ConfigMap');
    expect(generated?.name).toMatch(/^settings-/);
    expect(generated?.provenance.configuredIn).toEqual({ repo: 'apps/web', file: 'base/kustomization.yaml' });
    expect(generated && result.locate(generated, ['data', 'mode'])).toMatchObject({ file: 'base/kustomization.yaml', path: ['configMapGenerator', 0], via: 'manifest' });
  });

  it('applies the Application\'s kustomize options with kustomize edit, as ArgoCD does', async () => {
    const kustomize = `    kustomize:
      namePrefix: blue-
      images:
        - ghcr.io/acme/web:2.0.0
      commonLabels:
        team: payments
      patches:
        - target:
            kind: Deployment
          patch: |-
            - op: replace
              path: /spec/replicas
              value: 4
`;
    const fleet = await fleetFromFiles({ 'apps/web': OVERLAYS, 'kubernetes/argocd-apps': { 'apps/web.yaml': application('web', 'overlays/prod', kustomize) } });
    const result = await render(fleet);
    const app = appNamed(result, 'web');
    expect(app.errors).toEqual([]);
    const deployment = objectNamed(app, 'Deployment', 'blue-web');
    expect(deployment.value).toMatchObject({ metadata: { labels: { team: 'payments' } }, spec: { replicas: 4, template: { spec: { containers: [{ image: 'ghcr.io/acme/web:2.0.0' }] } } } });
    // The Application's images entry set the tag.
    expect(result.locate(deployment, ['spec', 'template', 'spec', 'containers', 0, 'image'])).toMatchObject({ file: 'apps/web.yaml', path: ['spec', 'source', 'kustomize', 'images', 0], via: 'values' });
    expect(objectNamed(app, 'Service', 'blue-web').value).toMatchObject({ metadata: { labels: { team: 'payments' } } });
  });

  it('reports an overlay that fails as a render-error with kustomize\'s message', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': { ...OVERLAYS, 'overlays/broken/kustomization.yaml': 'resources:\n  - ../missing\n' },
      'kubernetes/argocd-apps': { 'apps/web.yaml': application('broken', 'overlays/broken') },
    });
    const app = appNamed(await render(fleet), 'broken');
    expect(app.sources[0]?.status).toBe('error');
    expect(app.errors).toHaveLength(1);
    expect(app.errors[0]?.message).toMatch(/^Application broken: kustomize build failed: Error: .*apps\/web\/overlays\/missing/s);
    expect(app.errors[0]?.message).not.toMatch(/fleetlint-render-/);
  });

  it('says in a note, not a render-error, that this kustomize cannot apply images: to a PodSecurityPolicy', async () => {
    // cybozu-go/neco-apps: kustomize 5.5+ walks spec/volumes[]/image/reference in every kind; a PSP's volumes are names.
    const psp = 'apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: controller\nspec:\n  volumes:\n    - configMap\n    - secret\n';
    const fleet = await fleetFromFiles({
      'apps/web': { ...OVERLAYS, 'overlays/psp/kustomization.yaml': 'resources:\n  - ../prod\n  - psp.yaml\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.5.0\n', 'overlays/psp/psp.yaml': psp },
      'kubernetes/argocd-apps': { 'apps/web.yaml': application('psp', 'overlays/psp') },
    });
    const app = appNamed(await render(fleet), 'psp');
    expect(app.errors).toEqual([]);
    expect(app.sources[0]?.status).toBe('not-rendered');
    expect(app.notes.map((note) => [note.ruleId, note.message])).toEqual([
      ['render-skipped', expect.stringMatching(/^Application psp: kustomize \S+ cannot build this source: .*PodSecurityPolicy controller.*read statically, not rendered$/)],
    ]);
  });

  it('leaves an empty kustomization empty, so kustomize refuses it as in ArgoCD', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': { 'empty/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' },
      'kubernetes/argocd-apps': { 'apps/web.yaml': application('empty', 'empty') },
    });
    const app = appNamed(await render(fleet), 'empty');
    expect(app.errors.map((error) => error.message)).toEqual(['Application empty: kustomize build failed: Error: kustomization.yaml is empty']);
  });

  it('notes an overlay with remote bases instead of fetching them', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': { 'remote/kustomization.yaml': 'resources:\n  - https://github.com/argoproj/argo-cd//manifests/cluster-install?ref=v2.9.0\n' },
      'kubernetes/argocd-apps': { 'apps/web.yaml': application('remote', 'remote') },
    });
    const app = appNamed(await render(fleet), 'remote');
    expect(app.sources[0]?.status).toBe('not-rendered');
    expect(app.errors).toEqual([]);
    expect(app.notes.map((note) => [note.ruleId, note.severity, note.message])).toEqual([
      ['render-skipped', 'note', 'Application remote: kustomization apps/web/remote uses remote bases (https://github.com/argoproj/argo-cd//manifests/cluster-install?ref=v2.9.0): rendered only with --render-remote'],
    ]);
  });

  describe('helmCharts', () => {
    const INFLATED = {
      'inflate/kustomization.yaml': `helmCharts:
  - name: mini
    releaseName: rel
    valuesInline:
      greeting: two
`,
      'inflate/charts/mini/Chart.yaml': 'apiVersion: v2\nname: mini\nversion: 0.1.0\n',
      'inflate/charts/mini/values.yaml': 'greeting: one\n',
      'inflate/charts/mini/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-mini\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
    };
    const ARGOCD_CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
data:
  kustomize.buildOptions: --enable-helm --load-restrictor LoadRestrictionsNone
`;

    it('notes charts inflated by kustomize when no --enable-helm setting is known', async () => {
      const fleet = await fleetFromFiles({ 'apps/web': INFLATED, 'kubernetes/argocd-apps': { 'apps/web.yaml': application('inflate', 'inflate') } });
      const result = await render(fleet);
      expect(result.settings).toEqual({ kustomizeBuildOptions: [] });
      const app = appNamed(result, 'inflate');
      expect(app.errors).toEqual([]);
      expect(app.notes.map((note) => note.message)).toEqual([
        'Application inflate: kustomization apps/web/inflate inflates Helm charts (mini), which ArgoCD builds only with --enable-helm in kustomize.buildOptions; no such setting was found in the fleet or given',
      ]);
    });

    it('reads kustomize.buildOptions from the fleet\'s argocd-cm and inflates a vendored chart with Helm 3', async () => {
      const fleet = await fleetFromFiles({
        'apps/web': INFLATED,
        'kubernetes/argocd-apps': { 'apps/web.yaml': application('inflate', 'inflate') },
        'kubernetes/argocd': { 'config/argocd-cm.yaml': ARGOCD_CM },
      });
      const result = await render(fleet);
      expect(result.settings).toEqual({ kustomizeBuildOptions: ['--enable-helm', '--load-restrictor', 'LoadRestrictionsNone'], foundIn: { repo: 'kubernetes/argocd', file: 'config/argocd-cm.yaml' } });
      const app = appNamed(result, 'inflate');
      expect(app.errors).toEqual([]);
      const config = objectNamed(app, 'ConfigMap', 'rel-mini');
      expect(config.value).toMatchObject({ data: { greeting: 'two' } });
      // The value came from the kustomization's valuesInline.
      expect(result.locate(config, ['data', 'greeting'])).toMatchObject({ file: 'inflate/kustomization.yaml', range: { startLine: 5 }, path: ['helmCharts', 0, 'valuesInline', 'greeting'], via: 'values' });
    });

    it('reads the setting from the argo-cd chart\'s values too', async () => {
      const fleet = await fleetFromFiles({
        'apps/web': INFLATED,
        'kubernetes/argocd-apps': { 'apps/web.yaml': application('inflate', 'inflate') },
        'kubernetes/argocd': { 'values.yaml': 'argo-cd:\n  configs:\n    cm:\n      kustomize.buildOptions: --enable-helm\n' },
      });
      const result = await render(fleet);
      expect(result.settings).toEqual({ kustomizeBuildOptions: ['--enable-helm'], foundIn: { repo: 'kubernetes/argocd', file: 'values.yaml' } });
      expect(appNamed(result, 'inflate').objects.map((object) => object.name)).toEqual(['rel-mini']);
    });
  });
});
