import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetFromFiles } from '../support/fleet.js';
import { appNamed, at, objectNamed, realTools, render, tempFolder } from '../support/render.js';

const run = promisify(execFile);

/**
 * A real Helm chart repository on 127.0.0.1: charts packaged by helm, an index.yaml made by `helm repo index`,
 * served as static files (what a chart repository is).
 */
let server: Server;
let repoURL: string;
const requests: string[] = [];

beforeAll(async () => {
  const { helm } = await realTools();
  const folder = await tempFolder();
  const charts = join(folder, 'repo');
  await mkdir(charts);
  for (const [name, version] of [
    ['remote-web', '0.3.0'],
    ['common', '1.2.0'],
  ] as const) {
    const chart = join(folder, name);
    await mkdir(join(chart, 'templates'), { recursive: true });
    await writeFile(join(chart, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
    await writeFile(join(chart, 'values.yaml'), 'image: nginx:1.25\n');
    await writeFile(
      join(chart, 'templates', 'deployment.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: {{ .Values.image }}\n`,
    );
    await run(helm.path, ['package', chart, '--destination', charts]);
  }
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const file = normalize(join(charts, decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/')));
    if (!file.startsWith(charts)) {
      response.writeHead(403).end();
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) throw new Error('not a file');
        response.writeHead(200, { 'content-length': info.size });
        createReadStream(file).pipe(response);
      },
      () => response.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  repoURL = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  await run(helm.path, ['repo', 'index', charts, '--url', repoURL]);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function remoteApplication(): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: remote
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${repoURL}
    chart: remote-web
    targetRevision: 0.3.0
    helm:
      valuesObject:
        image: harbor.homelab.local/library/nginx:1.27
  destination:
    server: https://kubernetes.default.svc
    namespace: remote
`;
}

const DEPENDENT_CHART = {
  'chart/Chart.yaml': `apiVersion: v2
name: umbrella
version: 0.1.0
dependencies:
  - name: common
    version: 1.2.0
    repository: REPO
`,
  'chart/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: umbrella\n',
};

function dependentFleet(): Parameters<typeof fleetFromFiles>[0] {
  const app = (name: string): string => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://gitlab.homelab.local/homelab/apps/umbrella.git
    path: chart
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
`;
  return {
    'apps/umbrella': { ...DEPENDENT_CHART, 'chart/Chart.yaml': DEPENDENT_CHART['chart/Chart.yaml'].replace('REPO', repoURL) },
    'kubernetes/argocd-apps': { 'one.yaml': app('one'), 'two.yaml': app('two') },
  };
}

describe('remote charts', () => {
  it('notes a chart from a Helm repository without renderRemote, and fetches nothing', async () => {
    const before = requests.length;
    const fleet = await fleetFromFiles({ 'kubernetes/argocd-apps': { 'remote.yaml': remoteApplication() } });
    const app = appNamed(await render(fleet), 'remote');
    expect(app.sources[0]?.status).toBe('not-rendered');
    expect(app.notes.map((note) => [note.ruleId, at(note), note.message])).toEqual([
      ['render-skipped', 'remote.yaml:10', `chart remote-web 0.3.0 from ${repoURL} is not rendered: charts from Helm repositories are rendered only with --render-remote`],
    ]);
    expect(requests.length).toBe(before);
  });

  it('pulls and renders it with renderRemote, into the chart cache, and uses the cache next time', async () => {
    const chartCacheDir = await tempFolder();
    const fleet = await fleetFromFiles({ 'kubernetes/argocd-apps': { 'remote.yaml': remoteApplication() } });
    const before = requests.length;
    const result = await render(fleet, { renderRemote: true, chartCacheDir });
    const app = appNamed(result, 'remote');
    expect(app.errors).toEqual([]);
    expect(app.sources[0]).toMatchObject({ kind: 'helm', status: 'rendered' });
    const deployment = objectNamed(app, 'Deployment', 'remote-remote-web');
    expect(deployment.value).toMatchObject({ spec: { template: { spec: { containers: [{ image: 'harbor.homelab.local/library/nginx:1.27' }] } } } });
    // The chart's templates are not the user's; the image was set in the Application's valuesObject.
    expect(deployment.provenance.file).toBeUndefined();
    expect(result.locate(deployment, ['spec', 'template', 'spec', 'containers', 0, 'image'])).toMatchObject({ file: 'remote.yaml', range: { startLine: 14 }, via: 'values' });
    expect(result.locate(deployment, ['metadata', 'name'])).toMatchObject({ file: 'remote.yaml', path: ['spec', 'source'], via: 'application' });
    expect(requests.slice(before).some((url) => url.endsWith('remote-web-0.3.0.tgz'))).toBe(true);
    expect((await readdir(join(chartCacheDir, 'pulled'))).length).toBe(1);

    const again = requests.length;
    const second = await render(fleet, { renderRemote: true, chartCacheDir });
    expect(objectNamed(appNamed(second, 'remote'), 'Deployment', 'remote-remote-web').value).toEqual(deployment.value);
    expect(requests.length).toBe(again);
  });

  it('notes a fleet chart whose dependency is not vendored once, at its Chart.yaml', async () => {
    const result = await render(await fleetFromFiles(dependentFleet()));
    const notes = result.apps.flatMap((app) => app.notes);
    expect(notes.map((note) => [note.repo, at(note), note.message])).toEqual([
      ['apps/umbrella', 'chart/Chart.yaml:4', `chart apps/umbrella/chart needs common 1.2.0 from ${repoURL}, not vendored in charts/: rendered only with --render-remote`],
    ]);
    expect(result.apps.map((app) => app.sources[0]?.status)).toEqual(['not-rendered', 'not-rendered']);
  });

  it('builds the dependency from its repository with renderRemote, as ArgoCD runs helm dependency build', async () => {
    const chartCacheDir = await tempFolder();
    const result = await render(await fleetFromFiles(dependentFleet()), { renderRemote: true, chartCacheDir });
    const one = appNamed(result, 'one');
    expect(one.errors).toEqual([]);
    expect(one.objects.map((object) => `${object.kind}/${object.name ?? ''}`).sort()).toEqual(['ConfigMap/umbrella', 'Deployment/one-common']);
  });
});
