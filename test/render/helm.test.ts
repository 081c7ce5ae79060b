import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { fleetFromFiles } from '../support/fleet.js';
import { appNamed, at, objectNamed, realTools, render, tempFolder } from '../support/render.js';

const run = promisify(execFile);

const CHART = {
  'chart/Chart.yaml': `apiVersion: v2
name: web
version: 0.1.0
dependencies:
  - name: sub
    version: 0.1.0
  - name: packaged
    version: 0.2.0
`,
  'chart/values.yaml': `image:
  repository: nginx
  tag: "1.25"
replicaCount: 1
debug: false
service:
  enabled: false
`,
  'chart/values-prod.yaml': `image:
  tag: "1.27"
service:
  enabled: true
`,
  'chart/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    app: web
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          {{- if .Values.debug }}
          args: ["--debug"]
          {{- end }}
`,
  'chart/templates/service.yaml': `{{- if .Values.service.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
  namespace: {{ .Release.Namespace }}
spec:
  ports:
    - port: 80
{{- end }}
`,
  'chart/charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
  'chart/charts/sub/templates/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-sub
data:
  greeting: hello
`,
};

function application(name: string, source: string, extra = ''): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
${source}
  destination:
    server: https://kubernetes.default.svc
    namespace: web
${extra}`;
}

/** A chart packaged by the real helm, vendored as `charts/packaged-0.2.0.tgz` (a binary file of the repo). */
let packaged: Buffer;

beforeAll(async () => {
  const { helm } = await realTools();
  const folder = await tempFolder();
  await mkdir(join(folder, 'packaged', 'templates'), { recursive: true });
  await writeFile(join(folder, 'packaged', 'Chart.yaml'), 'apiVersion: v2\nname: packaged\nversion: 0.2.0\n');
  await writeFile(join(folder, 'packaged', 'templates', 'secret.yaml'), 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}-packaged\n');
  await run(helm.path, ['package', join(folder, 'packaged'), '--destination', folder]);
  packaged = await readFile(join(folder, 'packaged-0.2.0.tgz'));
});

describe('helm sources', () => {
  it('renders a chart with value files, valuesObject, parameters and vendored dependencies, as ArgoCD does', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': { ...CHART, 'chart/charts/packaged-0.2.0.tgz': packaged },
      'kubernetes/argocd-apps': {
        'apps/web.yaml': application(
          'web',
          `  source:
    repoURL: https://gitlab.homelab.local/homelab/apps/web.git
    targetRevision: main
    path: chart
    helm:
      releaseName: webrel
      valueFiles:
        - values-prod.yaml
      valuesObject:
        debug: true
      parameters:
        - name: replicaCount
          value: "3"`,
        ),
      },
    });
    const result = await render(fleet);
    const app = appNamed(result, 'web');
    expect(app.errors).toEqual([]);
    expect(app.sources).toEqual([{ index: 0, kind: 'helm', repo: 'apps/web', path: 'chart', status: 'rendered' }]);
    const deployment = objectNamed(app, 'Deployment', 'webrel-web');
    expect(deployment.value).toMatchObject({
      spec: { replicas: 3, template: { spec: { containers: [{ image: 'nginx:1.27', args: ['--debug'] }] } } },
    });
    // values-prod.yaml enables the Service; the release namespace is the destination's.
    expect(objectNamed(app, 'Service', 'webrel-web').namespace).toBe('web');
    expect(objectNamed(app, 'ConfigMap', 'webrel-sub').provenance.file).toEqual({ repo: 'apps/web', file: 'chart/charts/sub/templates/cm.yaml', owned: true });
    // A packaged dependency's templates are not files of the fleet.
    expect(objectNamed(app, 'ServiceAccount', 'webrel-packaged').provenance.file).toBeUndefined();
    expect(deployment.provenance).toEqual({ app: { repo: 'kubernetes/argocd-apps', name: 'web' }, sourceIndex: 0, kind: 'helm', file: { repo: 'apps/web', file: 'chart/templates/deployment.yaml', owned: true } });
  });

  it('points a rendered field at the line the user owns: values line, parameter, template line, Application', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': { ...CHART, 'chart/charts/packaged-0.2.0.tgz': packaged },
      'kubernetes/argocd-apps': {
        'apps/web.yaml': application(
          'web',
          `  source:
    repoURL: https://gitlab.homelab.local/homelab/apps/web.git
    path: chart
    helm:
      valueFiles: [values-prod.yaml]
      parameters:
        - name: replicaCount
          value: "3"`,
        ),
      },
    });
    const result = await render(fleet);
    const app = appNamed(result, 'web');
    const deployment = objectNamed(app, 'Deployment', 'web-web');
    const image = ['spec', 'template', 'spec', 'containers', 0, 'image'];
    // The tag that makes the image came from values-prod.yaml (the higher precedence file).
    expect(result.locate(deployment, image)).toMatchObject({ repo: 'apps/web', file: 'chart/values-prod.yaml', range: { startLine: 2 }, via: 'values' });
    expect(result.locate(deployment, ['spec', 'replicas'])).toMatchObject({ repo: 'kubernetes/argocd-apps', file: 'apps/web.yaml', range: { startLine: 15 }, via: 'values' });
    expect(result.locate(deployment, ['metadata', 'labels', 'app'])).toMatchObject({ file: 'chart/templates/deployment.yaml', range: { startLine: 6 }, via: 'template' });
    expect(result.locate(deployment, ['spec', 'template', 'spec', 'containers', 0, 'name'])).toMatchObject({ file: 'chart/templates/deployment.yaml', range: { startLine: 12 }, via: 'template' });
    const account = objectNamed(app, 'ServiceAccount', 'web-packaged');
    expect(result.locate(account, ['metadata', 'name'])).toMatchObject({ repo: 'kubernetes/argocd-apps', file: 'apps/web.yaml', path: ['spec', 'source'], via: 'application' });
  });

  it('resolves $ref value files of a multi-source Application in the ref repo', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': CHART_WITHOUT_DEPENDENCIES,
      'platform/values': { 'envs/prod/web.yaml': 'image:\n  tag: "2.0"\n' },
      'kubernetes/argocd-apps': {
        'apps/web.yaml': application(
          'web',
          `  sources:
    - repoURL: https://gitlab.homelab.local/homelab/apps/web.git
      path: chart
      helm:
        valueFiles:
          - $values/envs/prod/web.yaml
          - values-missing.yaml
        ignoreMissingValueFiles: true
    - repoURL: https://gitlab.homelab.local/homelab/platform/values.git
      ref: values`,
        ),
      },
    });
    const result = await render(fleet);
    const app = appNamed(result, 'web');
    expect(app.errors).toEqual([]);
    expect(app.sources.map((source) => source.status)).toEqual(['rendered', 'ref-only']);
    const deployment = objectNamed(app, 'Deployment', 'web-web');
    const image = ['spec', 'template', 'spec', 'containers', 0, 'image'];
    expect(deployment.value).toMatchObject({ spec: { template: { spec: { containers: [{ image: 'nginx:2.0' }] } } } });
    expect(at(result.locate(deployment, image))).toBe('envs/prod/web.yaml:2');
    expect(result.locate(deployment, image).repo).toBe('platform/values');
  });

  it('merges .argocd-source-<app>.yaml overrides (argocd-image-updater\'s write-back) and locates what they set', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': {
        ...CHART_WITHOUT_DEPENDENCIES,
        'chart/.argocd-source-web.yaml': `helm:
  parameters:
    - name: image.tag
      value: 1.29.1
      forceString: true
`,
      },
      'kubernetes/argocd-apps': {
        'apps/web.yaml': application('web', '  source:\n    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: chart\n    helm:\n      valueFiles: [values-prod.yaml]'),
      },
    });
    const result = await render(fleet);
    const deployment = objectNamed(appNamed(result, 'web'), 'Deployment', 'web-web');
    const image = ['spec', 'template', 'spec', 'containers', 0, 'image'];
    expect(deployment.value).toMatchObject({ spec: { template: { spec: { containers: [{ image: 'nginx:1.29.1' }] } } } });
    expect(result.locate(deployment, image)).toMatchObject({ repo: 'apps/web', file: 'chart/.argocd-source-web.yaml', range: { startLine: 4 }, via: 'values' });
    // The override's merge patch keeps the Application's value files: values-prod.yaml still enables the Service.
    expect(objectNamed(appNamed(result, 'web'), 'Service', 'web-web')).toBeDefined();
  });

  it('reports a $ref that names no source as ArgoCD does', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': CHART_WITHOUT_DEPENDENCIES,
      'kubernetes/argocd-apps': {
        'apps/web.yaml': application(
          'web',
          `  sources:
    - repoURL: https://gitlab.homelab.local/homelab/apps/web.git
      path: chart
      helm:
        valueFiles: [$vals/web.yaml]
    - repoURL: https://gitlab.homelab.local/homelab/apps/web.git
      ref: values`,
        ),
      },
    });
    const app = appNamed(await render(fleet), 'web');
    expect(app.errors).toHaveLength(1);
    expect(app.errors[0]).toMatchObject({ ruleId: 'render-error', severity: 'error', file: 'apps/web.yaml', path: ['spec', 'sources', 0] });
    expect(app.errors[0]?.message).toBe('Application web: source referenced "$vals", which is not one of the available sources ($values)');
  });

  it('turns a chart that fails into one render-error with helm\'s message, credentials scrubbed', async () => {
    const fleet = await fleetFromFiles({
      'apps/broken': {
        'chart/Chart.yaml': 'apiVersion: v2\nname: broken\nversion: 0.1.0\n',
        'chart/values.yaml': 'database: https://admin:s3cr3tpass@db.homelab.local/app\n',
        'chart/templates/cm.yaml': '{{ fail (printf "cannot reach %s" .Values.database) }}\n',
      },
      'kubernetes/argocd-apps': {
        'apps/broken.yaml': application('broken', '  source:\n    repoURL: https://gitlab.homelab.local/homelab/apps/broken.git\n    path: chart'),
      },
    });
    const app = appNamed(await render(fleet), 'broken');
    expect(app.objects).toEqual([]);
    expect(app.sources[0]?.status).toBe('error');
    expect(app.errors).toHaveLength(1);
    const message = app.errors[0]?.message ?? '';
    expect(message).toMatch(/^Application broken: helm template failed: Error: .*cm\.yaml.*cannot reach https:\/\/\*\*\*@db\.homelab\.local\/app/s);
    expect(message).not.toContain('s3cr3tpass');
    // The workspace is written as the repo id, never as a temporary path.
    expect(message).not.toMatch(/fleetlint-render-/);
  });

  it('reports a Helm source without a chart, and a missing value file, as render errors', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': { ...CHART_WITHOUT_DEPENDENCIES, 'helm/values.yaml': 'a: 1\n' },
      'kubernetes/argocd-apps': {
        'apps/nochart.yaml': application('nochart', '  source:\n    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: helm\n    helm:\n      valueFiles: [values.yaml]'),
        'apps/novalues.yaml': application('novalues', '  source:\n    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: chart\n    helm:\n      valueFiles: [values-staging.yaml]'),
      },
    });
    const result = await render(fleet);
    // ArgoCD's own words (getHelmDependencyRepos), and what a folder of values alone is most often meant for.
    expect(appNamed(result, 'nochart').errors.map((error) => error.message)).toEqual([
      'Application nochart: ArgoCD fails to render apps/web/helm with Helm: error reading helm chart from helm/Chart.yaml: no such file or directory. The folder holds only Helm values. To install a chart with these values, make this a multi-source Application: the chart from its Helm repository with `helm.valueFiles: [$values/helm/values.yaml]`, and this repository as a source with `ref: values`',
    ]);
    const missing = appNamed(result, 'novalues').errors.map((error) => error.message);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toContain('apps/web/chart/values-staging.yaml');
  });
});

const CHART_WITHOUT_DEPENDENCIES = Object.fromEntries(
  Object.entries(CHART)
    .filter(([file]) => !file.startsWith('chart/charts/'))
    .map(([file, text]) => [file, file === 'chart/Chart.yaml' ? 'apiVersion: v2\nname: web\nversion: 0.1.0\n' : text]),
);
