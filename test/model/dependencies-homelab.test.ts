import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseYamlFile, type ParsedYamlFile } from '../../src/model/yaml/parse.js';
import type { FleetSettings, Repo, RepoFile } from '../../src/model/types.js';
import { loadK8sObjects } from '../../src/model/k8s/load.js';
import { loadArgoFacts } from '../../src/model/argocd/load.js';
import { makeRepoResolver } from '../../src/model/argocd/repo-url.js';
import { assignAppOfAppsAncestors } from '../../src/model/argocd/app-of-apps.js';
import { loadHelmFacts } from '../../src/model/helm/load.js';
import { extractImages } from '../../src/model/images/extract.js';
import { homelabProviders } from '../support/presets.js';
import { inferDependencies } from '../../src/model/dependencies/infer.js';

const ROOT = path.resolve(import.meta.dirname, '../../fixtures/homelab');

/** The fixture fleet through the ArgoCD, Helm, Kubernetes and image loaders (CI is not needed here). */
function loadFleet(): { repos: Repo[]; settings: FleetSettings } {
  const manifest = parse(fs.readFileSync(path.join(ROOT, 'fleet.yaml'), 'utf8')) as { repos: string[]; registries: string[] };
  const settings: FleetSettings = { gitlabHost: 'gitlab.homelab.local', group: 'homelab', registries: manifest.registries, providers: [] };
  const resolve = makeRepoResolver(settings, new Set(manifest.repos));
  const repos = manifest.repos.map((id): Repo => {
    const files: RepoFile[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else {
          const text = fs.readFileSync(full, 'utf8');
          files.push({ path: path.relative(path.join(ROOT, id), full).split(path.sep).join('/'), size: text.length, text });
        }
      }
    };
    if (fs.existsSync(path.join(ROOT, id))) walk(path.join(ROOT, id));
    files.sort((a, b) => (a.path < b.path ? -1 : 1));
    const yaml = new Map<string, ParsedYamlFile>(files.filter((file) => /\.ya?ml$/.test(file.path)).map((file) => [file.path, parseYamlFile(id, file.path, file.text ?? '').parsed]));
    const k8s = loadK8sObjects(id, yaml);
    const argocd = loadArgoFacts(id, k8s, resolve).facts;
    const helm = loadHelmFacts(id, files, yaml, argocd.applications);
    const { images } = extractImages(id, { ci: undefined, dockerfiles: [], helm, k8s, settings });
    return {
      id,
      source: { description: 'fixture', listFiles: () => Promise.resolve([]), readFile: () => Promise.reject(new Error('not read')) },
      files,
      kinds: [],
      yaml,
      argocd,
      helm,
      k8s,
      dockerfiles: [],
      images,
      invalidImages: [],
      publishedImages: [],
      diagnostics: [],
    };
  });
  return { repos, settings };
}

describe('fixtures/homelab (see MISTAKES.md)', () => {
  const { repos } = loadFleet();
  const dependencies = inferDependencies(repos, homelabProviders());
  const edge = (from: string, to: string) => dependencies.find((dependency) => dependency.from === from && dependency.to === to);
  const evidence = (from: string, to: string) => edge(from, to)?.evidence.map((item) => `${item.origin.file}:${String(item.origin.line)}`);

  it('finds the planted ordering dependencies with their evidence', () => {
    // S1: traefik's LoadBalancer needs MetalLB.
    expect(evidence('traefik', 'metallb')).toEqual(['helm/values.yaml:7', 'helm/values.yaml:9']);
    // S5: MinIO stores on longhorn-retain, a StorageClass the longhorn Application deploys.
    expect(edge('minio', 'longhorn')?.capability).toBe('StorageClass longhorn-retain');
    // S6: the vault-backend ClusterSecretStore reads Vault.
    expect(edge('external-secrets-operator', 'vault')?.capability).toBe('secrets backend vault');
    // W1: MinIO switches on a ServiceMonitor.
    expect(edge('minio', 'prometheus-stack')?.capability).toBe('monitoring CRDs');
    // W2: declared, and an ExternalSecret on vault-backend.
    expect(edge('external-dns', 'vault')?.capability).toBe('declared dependency');
    expect(edge('external-dns', 'external-secrets-operator')?.capability).toBe('secret store vault-backend');
    // W3: the issuers app ships a SealedSecret.
    expect(edge('cert-manager-issuers', 'sealed-secrets')?.capability).toBe('sealed secrets');
  });

  it('leaves out what is not deployed or switched off', () => {
    // The middleware folder of traefik is not under the Application's path; cilium's Hubble ingress is disabled.
    expect(dependencies.filter((dependency) => dependency.from === 'traefik').map((dependency) => dependency.to)).toEqual(['metallb']);
    expect(dependencies.some((dependency) => dependency.from === 'cilium')).toBe(false);
    // harbor and loki-stack keep their ServiceMonitors disabled.
    expect(edge('harbor', 'prometheus-stack')).toBeUndefined();
    expect(edge('loki-stack', 'prometheus-stack')).toBeUndefined();
    // Config shipped with its own CRDs in the same Application is not a dependency on itself.
    expect(dependencies.some((dependency) => dependency.from === dependency.to)).toBe(false);
  });

  it('links the app-of-apps tree as ArgoCD reads the sources', () => {
    assignAppOfAppsAncestors(repos);
    const app = (repo: string, name: string) => repos.find((candidate) => candidate.id === repo)?.argocd.applications.find((candidate) => candidate.name === name);
    expect(app('applications/media/jellyfin', 'jellyfin')?.ancestors).toEqual([{ repo: 'kubernetes/argocd-apps', name: 'jellyfin-app' }]);
    // S3: the root app reads argocd-apps at `path: .` without recurse, so it deploys none of the registrations.
    expect(app('kubernetes/argocd-apps', 'jellyfin-app')?.ancestors).toBeUndefined();
  });
});
