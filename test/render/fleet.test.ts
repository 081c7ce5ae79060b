import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetFromFiles } from '../support/fleet.js';
import { appNamed, at, objectNamed, realTools, render, tempFolder } from '../support/render.js';
import { findTools } from '../../src/render/tools.js';
import { renderFleet } from '../../src/render/render-fleet.js';

function application(name: string, source: string, namespace = 'argocd'): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  project: default
  source:
${source}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
`;
}

const MANIFESTS = {
  'manifests/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.25
`,
  'manifests/extra/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n',
  'manifests/skipped.yaml': '# +argocd:skip-file-rendering\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: skipped\n',
  'manifests/list.json': '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"from-json"}}]}',
  'manifests/notes.txt': 'not a manifest\n',
};

describe('plain directories', () => {
  it('reads the folder as ArgoCD does and keeps real positions', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': MANIFESTS,
      'kubernetes/argocd-apps': {
        'flat.yaml': application('flat', '    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: manifests'),
        'deep.yaml': application('deep', '    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: manifests\n    directory:\n      recurse: true\n      exclude: "{*.json,*/skip*}"'),
      },
    });
    const result = await render(fleet);
    const names = (name: string): string[] => appNamed(result, name).objects.map((object) => `${object.kind}/${object.name ?? ''}`).sort();
    expect(names('flat')).toEqual(['ConfigMap/from-json', 'Deployment/web']);
    expect(names('deep')).toEqual(['ConfigMap/extra', 'Deployment/web']);
    const deployment = objectNamed(appNamed(result, 'flat'), 'Deployment', 'web');
    expect(deployment.provenance.file).toEqual({ repo: 'apps/web', file: 'manifests/deployment.yaml', docIndex: 0, owned: true });
    expect(result.locate(deployment, ['spec', 'template', 'spec', 'containers', 0, 'image'])).toMatchObject({ repo: 'apps/web', file: 'manifests/deployment.yaml', range: { startLine: 10 }, via: 'manifest' });
  });

  it('notes plugins, repos outside the fleet and missing paths without rendering them', async () => {
    const fleet = await fleetFromFiles({
      'apps/web': MANIFESTS,
      'kubernetes/argocd-apps': {
        'plugin.yaml': application('plugin', '    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: manifests\n    plugin:\n      name: sops'),
        'external.yaml': application('external', '    repoURL: https://github.com/example/elsewhere.git\n    path: deploy'),
        'external-too.yaml': application('external-too', '    repoURL: https://github.com/example/elsewhere.git\n    path: other'),
        'group.yaml': application('group', '    repoURL: https://gitlab.homelab.local/homelab/apps.git\n    path: web'),
        'missing.yaml': application('missing', '    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: nowhere'),
        'both.yaml': application('both', '    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: manifests\n    helm: {}\n    kustomize: {}'),
      },
    });
    const result = await render(fleet);
    expect(appNamed(result, 'plugin').notes.map((note) => [note.ruleId, at(note), note.message])).toEqual([
      ['render-skipped', 'plugin.yaml:11', 'Application plugin: source 0 is rendered by the Config Management Plugin sops, which fleetlint does not run'],
    ]);
    expect(appNamed(result, 'external').notes.map((note) => note.message)).toEqual(['https://github.com/example/elsewhere.git is not a repository of the fleet: Applications whose sources are there are not rendered']);
    // Once per URL, and not for a URL on the fleet's GitLab (argocd-app-source reports that one).
    expect(appNamed(result, 'external-too').notes).toEqual([]);
    expect(appNamed(result, 'group')).toMatchObject({ notes: [], errors: [], sources: [{ status: 'not-rendered' }] });
    // argocd-app-source reports a missing path; rendering says nothing more.
    expect(appNamed(result, 'missing')).toMatchObject({ notes: [], errors: [], sources: [{ status: 'missing-path' }] });
    expect(appNamed(result, 'both').errors.map((error) => error.message)).toEqual(['Application both: multiple application sources defined: Kustomize,Helm']);
  });
});

describe('app-of-apps', () => {
  const CHILDREN_CHART = {
    'apps/Chart.yaml': 'apiVersion: v2\nname: apps\nversion: 1.0.0\n',
    'apps/values.yaml': `apps:
  - name: web
    path: manifests
  - name: loop
    path: apps
`,
    'apps/templates/apps.yaml': `{{- range .Values.apps }}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ .name }}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://gitlab.homelab.local/homelab/kubernetes/argocd-apps.git
    path: {{ .path }}
  destination:
    server: https://kubernetes.default.svc
    namespace: {{ .name }}
{{- end }}
`,
    'manifests/deployment.yaml': MANIFESTS['manifests/deployment.yaml'],
    'root.yaml': application('root', '    repoURL: https://gitlab.homelab.local/homelab/kubernetes/argocd-apps.git\n    path: apps'),
  };

  it('renders the Applications a chart makes, once each, and locates them through their template', async () => {
    const fleet = await fleetFromFiles({ 'kubernetes/argocd-apps': CHILDREN_CHART });
    const result = await render(fleet);
    expect(result.apps.map((app) => [app.app.name, app.depth, app.parent?.name ?? null])).toEqual([
      ['loop', 1, 'root'],
      ['root', 0, null],
      ['web', 1, 'root'],
    ]);
    const root = appNamed(result, 'root');
    expect(root.childApplications.map((child) => child.name)).toEqual(['web', 'loop']);
    // `loop` renders the same chart again: the Applications it makes are rendered already, so the cycle ends there.
    const loop = appNamed(result, 'loop');
    expect(loop.childApplications.map((child) => child.name)).toEqual(['web', 'loop']);
    expect(result.apps.filter((app) => app.app.name === 'web')).toHaveLength(1);
    const web = appNamed(result, 'web');
    expect(web.sources).toEqual([{ index: 0, kind: 'directory', repo: 'kubernetes/argocd-apps', path: 'manifests', status: 'rendered' }]);
    expect(objectNamed(web, 'Deployment', 'web').provenance.app).toEqual({ repo: 'kubernetes/argocd-apps', name: 'web' });
    // The child's source path was set by values.yaml: a finding about it points there.
    const child = objectNamed(root, 'Application', 'web');
    expect(result.locate(child, ['spec', 'source', 'path'])).toMatchObject({ file: 'apps/values.yaml', range: { startLine: 3 }, via: 'values' });
  });

  it('stops at the depth limit with a note', async () => {
    const fleet = await fleetFromFiles({ 'kubernetes/argocd-apps': CHILDREN_CHART });
    const result = await render(fleet, { maxDepth: 0 });
    expect(result.apps.map((app) => app.app.name)).toEqual(['root']);
    expect(appNamed(result, 'root').notes.map((note) => note.message)).toEqual([
      'Application web is deeper than 0 app-of-apps levels and is not rendered',
      'Application loop is deeper than 0 app-of-apps levels and is not rendered',
    ]);
  });
});

describe('tools, cache and time limit', () => {
  const CHART = {
    'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'chart/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n',
    'overlay/kustomization.yaml': 'resources:\n  - cm.yaml\n',
    'overlay/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: overlay\n',
    'plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n',
  };
  const APPS = {
    'chart.yaml': application('chart', '    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: chart'),
    'overlay.yaml': application('overlay', '    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: overlay'),
    'plain.yaml': application('plain', '    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: plain'),
  };

  it('falls back to the static reading without the tools and says so once', async () => {
    const fleet = await fleetFromFiles({ 'apps/web': CHART, 'kubernetes/argocd-apps': APPS });
    const empty = await tempFolder();
    const tools = await findTools({ env: { PATH: empty }, extraDirs: [] });
    expect(tools.missing.map((tool) => tool.name)).toEqual(['helm', 'kustomize']);
    const result = await renderFleet(fleet, { tools, cacheDir: false });
    expect(result.fallback).toBe('helm is not on PATH; kustomize is not on PATH: helm and kustomize sources were read statically, not rendered (install the pinned tools with `npm run tools`, or pass --helm/--kustomize)');
    expect(result.apps.map((app) => [app.app.name, app.sources[0]?.status, app.objects.length])).toEqual([
      ['chart', 'static', 0],
      ['overlay', 'static', 0],
      ['plain', 'rendered', 1],
    ]);
    expect(result.stats).toMatchObject({ apps: 3, sources: 3, rendered: 1, staticFallback: 2, errors: 0, notes: 0 });
  });

  it('caches renders by content and renders again when an input changes', async () => {
    const cacheDir = await tempFolder();
    const first = await render(await fleetFromFiles({ 'apps/web': CHART, 'kubernetes/argocd-apps': APPS }), { cacheDir });
    expect(first.stats).toMatchObject({ rendered: 3, cached: 0 });
    const second = await render(await fleetFromFiles({ 'apps/web': CHART, 'kubernetes/argocd-apps': APPS }), { cacheDir });
    expect(second.stats).toMatchObject({ rendered: 3, cached: 2 });
    expect(second.apps.map((app) => app.objects.map((object) => object.value))).toEqual(first.apps.map((app) => app.objects.map((object) => object.value)));
    const changed = { ...CHART, 'overlay/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: renamed\n' };
    const third = await render(await fleetFromFiles({ 'apps/web': changed, 'kubernetes/argocd-apps': APPS }), { cacheDir });
    expect(third.stats).toMatchObject({ rendered: 3, cached: 1 });
    expect(objectNamed(appNamed(third, 'overlay'), 'ConfigMap', 'renamed').provenance.file).toEqual({ repo: 'apps/web', file: 'overlay/cm.yaml', owned: true });
  });

  it('renders only the Applications a change touches with changedFiles', async () => {
    const fleet = await fleetFromFiles({ 'apps/web': CHART, 'kubernetes/argocd-apps': APPS });
    const result = await render(fleet, { changedFiles: new Map([['apps/web', new Set(['chart/templates/cm.yaml'])]]) });
    expect(result.apps.map((app) => [app.app.name, app.sources[0]?.status, app.objects.length])).toEqual([
      ['chart', 'rendered', 1],
      ['overlay', 'unchanged', 0],
      ['plain', 'unchanged', 0],
    ]);
    const plainChanged = await render(fleet, { changedFiles: new Map([['apps/web', new Set(['plain/new.yaml'])]]) });
    expect(plainChanged.apps.map((app) => app.sources[0]?.status)).toEqual(['unchanged', 'unchanged', 'rendered']);
    const manifestChanged = await render(fleet, { changedFiles: new Map([['kubernetes/argocd-apps', new Set(['overlay.yaml'])]]) });
    expect(manifestChanged.apps.map((app) => app.sources[0]?.status)).toEqual(['unchanged', 'rendered', 'unchanged']);
  });

  it('kills a renderer that hangs, with its children, and reports it once', async () => {
    const { kustomize } = await realTools();
    const folder = await tempFolder();
    // A stand-in helm that never answers: it tests fleetlint's time limit, not a render result.
    const helm = join(folder, 'helm');
    const pidFile = join(folder, 'sleep.pid');
    await writeFile(helm, `#!/bin/sh\nsleep 600 &\necho $! > ${pidFile}\nwait\n`);
    await chmod(helm, 0o755);
    const fleet = await fleetFromFiles({ 'apps/web': CHART, 'kubernetes/argocd-apps': APPS });
    const result = await renderFleet(fleet, { tools: { helm: { name: 'helm', path: helm, version: 'hanging' }, kustomize, missing: [] }, cacheDir: false, timeoutMs: 500 });
    expect(appNamed(result, 'chart').errors.map((error) => error.message)).toEqual(['Application chart: helm template did not finish in time and was stopped (time limit 500 ms)']);
    expect(appNamed(result, 'overlay').errors).toEqual([]);
    // The whole process group was killed: the script's own child is gone too (once init has reaped it).
    const sleeper = Number((await readFile(pidFile, 'utf8')).trim());
    await expect.poll(() => isAlive(sleeper), { timeout: 10_000 }).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
