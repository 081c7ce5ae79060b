/**
 * The render phase in runs: what rendering adds to the model (rendered and patched Applications, the app-of-apps
 * tree, images at the lines the user owns, documents set aside), with the real helm and kustomize, over
 * fixtures/cases/rendered (whose findings test/cases/expect-markers.test.ts checks) and small fleets.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { configure } from '../../src/cli/configure.js';
import { runChecks } from '../../src/engine/runner.js';
import type { ArgoApplication } from '../../src/model/argocd/types.js';
import type { Fleet, Repo } from '../../src/model/types.js';
import { packageRoot } from '../../src/package.js';
import { auditChecks } from '../../src/run/audit.js';
import { localCandidates, openFleet, openLocalFleet } from '../../src/run/open-fleet.js';
import { repoResultsKey } from '../../src/run/repo-results.js';
import { modelSummary } from '../../src/cli/summary.js';
import { fleetFromFiles } from '../support/fleet.js';
import { cli } from '../modes/helpers.js';
import { commitFiles, initRepo, tempDir, writeFiles } from '../sources/git-fixture.js';
import { realTools } from '../support/render.js';

const RENDERED = join(packageRoot(), 'fixtures', 'cases', 'rendered');

const repoOf = (fleet: Fleet, id: string): Repo => {
  const repo = fleet.repos.find((candidate) => candidate.id === id);
  if (!repo) throw new Error(`no repo ${id}`);
  return repo;
};
const appsOf = (fleet: Fleet): ArgoApplication[] => fleet.repos.flatMap((repo) => repo.argocd.applications);
const appNamed = (fleet: Fleet, name: string): ArgoApplication => {
  const app = appsOf(fleet).find((candidate) => candidate.name === name);
  if (!app) throw new Error(`no Application ${name}; have ${appsOf(fleet).map((candidate) => candidate.name).join(', ')}`);
  return app;
};
const line = (origin: { file: string; line: number }): string => `${origin.file}:${String(origin.line)}`;

describe('fixtures/cases/rendered, as the audit loads it', () => {
  let fleet: Fleet;
  let staticFleet: Fleet;

  beforeAll(async () => {
    await realTools();
    fleet = await openLocalFleet(RENDERED, [], {});
    staticFleet = await openLocalFleet(RENDERED, [], {}, { off: '--no-render' });
  });

  it('makes an Application fact of every Application the Helm app-of-apps renders, with its parent as ancestor', () => {
    const children = appsOf(fleet).filter((app) => app.renderedBy?.name === 'root');
    expect(children.map((app) => app.name).sort()).toEqual(['legacy', 'legacy-helm', 'shop', 'web']);
    for (const child of children) expect(child.ancestors).toEqual([{ repo: 'bootstrap', name: 'root' }]);
    // The facts of a rendered Application point at the lines that wrote them: its wave at the values line.
    const web = appNamed(fleet, 'web');
    expect(web).toMatchObject({ wave: 5, waveValid: true });
    expect(line(web.waveOrigin)).toBe('values-prod.yaml:5');
    expect(web.sources[0]).toMatchObject({ fleetRepo: 'apps/web', path: 'chart' });
    // Without rendering, the chart's Applications do not exist.
    expect(appsOf(staticFleet).some((app) => app.name === 'web')).toBe(false);
  });

  it('replaces an Application an overlay patches by its rendered form, from the bootstrap kustomization', () => {
    const cache = appNamed(fleet, 'cache');
    expect(cache.renderedBy).toEqual({ repo: 'clusters', name: 'kustomization prod' });
    expect(cache.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'apps' });
    // Applied by hand: a root, not the child of an Application.
    expect(cache.ancestors).toBeUndefined();
    expect(appsOf(fleet).filter((app) => app.name === 'cache')).toHaveLength(1);
    const raw = repoOf(fleet, 'clusters').k8s.find((object) => object.document.file === 'base/cache.yaml');
    expect(raw?.supersededBy).toEqual({ repo: 'clusters', name: 'kustomization prod' });
    // The patch is part of an object, not one.
    expect(repoOf(fleet, 'clusters').k8s.find((object) => object.document.file === 'prod/destination.yaml')?.kustomizePatch).toBe('prod/kustomization.yaml');
    expect(appsOf(staticFleet).find((app) => app.name === 'cache')?.destination).toEqual({});
  });

  it('links the Applications a rendered plain directory deploys, and sets aside one it leaves out of its folder', () => {
    expect(appNamed(fleet, 'registry-config').ancestors).toEqual([{ repo: 'clusters', name: 'registry' }]);
    expect(appsOf(fleet).some((app) => app.name === 'old')).toBe(false);
    expect(appsOf(staticFleet).some((app) => app.name === 'old')).toBe(true);
  });

  it('keeps each Application\'s desired objects with their provenance, and locates a field at the values line', () => {
    const desired = fleet.desired;
    if (!desired) throw new Error('no desired state');
    expect(desired.rendering).toEqual({ ran: true });
    const web = desired.apps.find((app) => app.app.name === 'web');
    // An Application belongs to the repo that writes it: the chart's template.
    expect(web).toMatchObject({ app: { repo: 'platform/apps', name: 'web' }, parent: { repo: 'bootstrap', name: 'root' }, depth: 1, complete: true });
    const deployment = web?.objects.find((object) => object.kind === 'Deployment');
    expect(deployment?.provenance).toMatchObject({ app: { repo: 'platform/apps', name: 'web' }, kind: 'helm', file: { repo: 'apps/web', file: 'chart/templates/deployment.yaml', owned: true } });
    if (!deployment) throw new Error('no Deployment');
    expect(desired.locate(deployment, ['spec', 'template', 'spec', 'containers', 0, 'image'])).toMatchObject({ repo: 'apps/web', file: 'chart/values.yaml', line: 3, via: 'values' });
    expect(desired.locate(deployment, ['spec', 'replicas'])).toMatchObject({ file: 'chart/values.yaml', line: 4, via: 'values' });
    // The bootstrap kustomization is no Application: its Applications have no parent in the desired state.
    expect(desired.apps.some((app) => app.app.name.startsWith('kustomization '))).toBe(false);
    expect(desired.apps.find((app) => app.app.name === 'cache')?.parent).toBeUndefined();
    expect(desired.apps.find((app) => app.app.name === 'legacy-helm')).toMatchObject({ complete: false, sources: [{ status: 'error', kind: 'helm' }] });
  });

  it('adds rendered images at the lines the user owns, and drops the static image of a base every overlay pins', () => {
    const images = (id: string): string[] => repoOf(fleet, id).images.map((image) => `${image.raw} ${line(image.origin)}`).sort();
    expect(images('apps/web')).toEqual(['registry.example.test/web/exporter:latest chart/templates/exporter.yaml:7', 'registry.example.test/web/frontend:latest chart/values.yaml:3']);
    expect(images('apps/shop')).toEqual(['registry.example.test/shop/api:3.1.0 overlays/prod/kustomization.yaml:5']);
    expect(repoOf(staticFleet, 'apps/shop').images.map((image) => image.raw)).toEqual(['registry.example.test/shop/api:latest']);
    // What the render phase added is what results are keyed on; a repo it did not touch has no digest.
    expect(repoOf(fleet, 'apps/shop').renderDigest).toMatch(/^[0-9a-f]{32}$/);
    expect(repoOf(fleet, 'bootstrap').renderDigest).toBeUndefined();
    expect(repoResultsKey(repoOf(fleet, 'apps/shop'), 'base', () => 'head')).not.toBe(repoResultsKey({ ...repoOf(fleet, 'apps/shop'), renderDigest: 'other' }, 'base', () => 'head'));
  });

  it('says in the summary what was rendered, and when rendering was off, with a note for the reports', () => {
    expect(modelSummary(fleet)).toContain('rendered 8 applications (7 in full), 10 objects');
    expect(modelSummary(staticFleet)).toContain('rendering off (--no-render): Applications are read statically, as written');
    expect(staticFleet.diagnostics.map((draft) => `${draft.ruleId} ${draft.repo} ${draft.message}`)).toEqual(['render-skipped . rendering off (--no-render): Applications are read statically, as written']);
  });

  it('gives the same findings whether the build threads checked the repos before the render or not', async () => {
    const { config, checks } = await configure(undefined, RENDERED);
    const findings = async (threads: number): Promise<string[]> => {
      const opened = await openFleet(await localCandidates(RENDERED), { providers: config.providers, threads, config, render: { cacheDir: false } });
      const { result, results } = await auditChecks(opened, { config, checks, threads });
      if (threads > 1) expect(opened.threadResults.size).toBeGreaterThan(0);
      if (threads > 1) expect(results.stats.evaluated).toBeGreaterThan(0);
      return result.findings.map((finding) => `${finding.repo}/${finding.file ?? ''}:${String(finding.range?.startLine)} ${finding.ruleId} ${finding.message}`);
    };
    const single = await findings(1);
    expect(single.some((finding) => finding.includes('no-latest-tag'))).toBe(true);
    expect(await findings(2)).toEqual(single);
  });
});

describe('rendering off or without its tools', () => {
  it('reads the fleet statically when helm and kustomize cannot run, and says so once', async () => {
    const files = {
      'apps/web': {
        'argocd/application.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  project: default\n  source:\n    repoURL: https://gitlab.homelab.local/homelab/apps/web.git\n    path: chart\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: web\n',
        'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
        'chart/values.yaml': 'image:\n  repository: nginx\n  tag: latest\n',
        'chart/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n',
      },
    };
    const fleet = await fleetFromFiles(files, undefined, [], { helm: '/nonexistent/helm', kustomize: '/nonexistent/kustomize', cacheDir: false });
    expect(fleet.desired?.rendering).toEqual({ ran: true, fallback: expect.stringContaining('helm sources were read statically') as unknown });
    // Only the tool the fleet needs is named.
    expect(fleet.diagnostics.map((draft) => draft.message)).toEqual([expect.stringMatching(/^rendering partly off: \/nonexistent\/helm does not run: .*: helm sources were read statically, not rendered/) as unknown]);
    // The static reading stands: the values file's image is still a fact.
    expect(fleet.repos[0]?.images.map((image) => image.raw)).toEqual(['nginx:latest']);
    const { config, checks } = await configure(undefined, RENDERED);
    const { findings } = await runChecks({ fleet, checks, config });
    expect(findings.filter((finding) => finding.ruleId === 'no-latest-tag').map((finding) => `${finding.file ?? ''}:${String(finding.range?.startLine)}`)).toEqual(['chart/values.yaml:3']);
  });
});

describe('a kustomize source that does not render', () => {
  it('gives a base\'s images the tag its overlay\'s images: entry sets, at that entry', async () => {
    const files = {
      'apps/shop': {
        'argocd/application.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\nspec:\n  project: default\n  source:\n    repoURL: https://gitlab.homelab.local/homelab/apps/shop.git\n    path: overlays/prod\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n',
        'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'base/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.test/shop/api\n',
        // The overlay names a file that is not there: kustomize fails, as it would in ArgoCD.
        'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n  - missing.yaml\nimages:\n  - name: registry.example.test/shop/api\n    newTag: "1.10"\n',
      },
    };
    const images = (fleet: Fleet): string[] => (fleet.repos[0]?.images ?? []).map((image) => `${image.raw} ${line(image.tagOrigin ?? image.origin)}`);
    const failed = await fleetFromFiles(files, undefined, [], { cacheDir: false });
    expect(failed.repos[0]?.diagnostics.map((draft) => draft.ruleId)).toEqual(['render-error']);
    expect(images(failed)).toEqual(['registry.example.test/shop/api:1.10 overlays/prod/kustomization.yaml:6']);
    // Without kustomize at all, the same reading.
    const missing = await fleetFromFiles(files, undefined, [], { kustomize: '/nonexistent/kustomize', cacheDir: false });
    expect(images(missing)).toEqual(['registry.example.test/shop/api:1.10 overlays/prod/kustomization.yaml:6']);
    // kustomize cannot build it (its images transformer and a PodSecurityPolicy): a note, and the same reading.
    const psp = 'apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: shop\nspec:\n  volumes:\n    - secret\n';
    const limited = await fleetFromFiles({ 'apps/shop': { ...files['apps/shop'], 'base/psp.yaml': psp, 'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - psp.yaml\n', 'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\nimages:\n  - name: registry.example.test/shop/api\n    newTag: "1.10"\n' } }, undefined, [], { cacheDir: false });
    expect(limited.repos[0]?.diagnostics.map((draft) => draft.ruleId)).toEqual(['render-skipped']);
    expect(images(limited)).toEqual(['registry.example.test/shop/api:1.10 overlays/prod/kustomization.yaml:5']);
    // Not rendered at all: the file as written.
    expect(images(await fleetFromFiles(files))).toEqual(['registry.example.test/shop/api base/deployment.yaml:10']);
  });
});

describe('lint --staged', () => {
  it('renders only the Applications whose files the staged change touches', async () => {
    const { dir, cleanup } = await tempDir('fleetlint-render-staged-');
    try {
      await writeFiles(dir, { 'fleet.yaml': 'gitlab:\n  host: gitlab.example.test\n  group: acme\nrepos:\n  - gitops\n' });
      const repo = join(dir, 'gitops');
      const git = await initRepo(repo);
      const application = (name: string): string =>
        `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\nspec:\n  project: default\n  source:\n    repoURL: https://gitlab.example.test/acme/gitops.git\n    path: charts/${name}\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: ${name}\n`;
      const chart = (name: string): Record<string, string> => ({
        [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`,
        [`charts/${name}/values.yaml`]: 'app:\n  name: nginx\n  version: latest\nreplicas: 1\n',
        [`charts/${name}/templates/deployment.yaml`]: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "{{ .Values.app.name }}:{{ .Values.app.version }}"\n`,
      });
      await commitFiles(git, repo, { 'apps/a.yaml': application('a'), 'apps/b.yaml': application('b'), ...chart('a'), ...chart('b') }, 'two charts');
      const latest = (run: Awaited<ReturnType<typeof cli>>): string[] => run.report.findings.filter((finding) => finding.ruleId === 'no-latest-tag').map((finding) => finding.file ?? '').sort();
      // Nothing staged: nothing rendered, so no finding on rendered content.
      expect(latest(await cli(['lint', repo, '--staged', '--fleet', dir]))).toEqual([]);
      await writeFiles(repo, { 'charts/a/values.yaml': 'app:\n  name: nginx\n  version: latest\nreplicas: 2\n' });
      await simpleGit(repo).add('charts/a/values.yaml');
      expect(latest(await cli(['lint', repo, '--staged', '--fleet', dir]))).toEqual(['charts/a/values.yaml']);
      // As the hooks run it (--since HEAD): HEAD renders the same Applications, so a's old tag is no news; a new chart's is.
      expect(latest(await cli(['lint', repo, '--staged', '--since', 'HEAD', '--fleet', dir]))).toEqual([]);
      await writeFiles(repo, { 'apps/c.yaml': application('c'), ...chart('c') });
      await simpleGit(repo).add('.');
      expect(latest(await cli(['lint', repo, '--staged', '--since', 'HEAD', '--fleet', dir]))).toEqual(['charts/c/values.yaml']);
      await simpleGit(repo).reset(['--hard']);
      // The working tree: everything.
      expect(latest(await cli(['lint', repo, '--fleet', dir]))).toEqual(['charts/a/values.yaml', 'charts/b/values.yaml']);
    } finally {
      await cleanup();
    }
  });
});
