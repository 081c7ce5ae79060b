import { posix } from 'node:path';
import { REPO_KINDS, type RepoFile, type RepoKind } from '../types.js';
import type { ParsedYamlFile } from '../yaml/parse.js';

/**
 * Helm values by name, wherever they are: `values.yaml`, `values-prod.yaml`, `values.lab.yaml`, `traefik-values.yaml`
 * (the same rule as `isValuesFileName` in helm/values-files.ts).
 * Not only next to a Chart.yaml or under helm/: fleet repos keep values for upstream charts per component
 * (`prometheus/values.yaml`, `grafana/values.yaml`) that an Argo CD Application points at.
 */
export function isHelmValuesFile(path: string): boolean {
  return /^(?:[^/]*[-_.])?values(?:[-_.][^/]*)?\.ya?ml$/i.test(posix.basename(path));
}

const TERRAFORM = /\.tf(?:\.json)?$/;
const DOCKERFILE = /^(?:(?:Dockerfile|Containerfile)(?:\.[^/]+)?|[^/]+\.(?:Dockerfile|Containerfile))$/i;
const DOCS = /^readme(?:\..+)?$|\.(?:md|markdown)$/i;
/** Ansible folders at the top or under an `ansible/` folder: elsewhere `inventory/` or `playbooks/` can mean anything. */
const ANSIBLE_FOLDER = /^(?:(?:[^/]+\/)*ansible\/)?(?:playbooks|inventory|inventories|group_vars|host_vars)\//;
/** A role by its layout (`roles/<name>/tasks/main.yml`): a bare `roles/` folder also holds Teleport or RBAC roles. */
const ANSIBLE_ROLE = /(?:^|\/)roles\/[^/]+\/(?:tasks|handlers|defaults|vars|meta)\/[^/]+\.ya?ml$/;
const ARGO_KINDS = new Set(['Application', 'AppProject', 'ApplicationSet']);
/** Documents with apiVersion and kind that are tool configuration, not objects applied to a cluster. */
const NOT_MANIFESTS = new Set(['kustomize.config.k8s.io/Kustomization', 'kustomize.config.k8s.io/Component', 'v1/Config']);

/** What kinds of content a repository holds, in REPO_KINDS order. */
export function detectKinds(files: readonly RepoFile[], yaml: ReadonlyMap<string, ParsedYamlFile>, buildsImages: boolean): RepoKind[] {
  const kinds = new Set<RepoKind>();
  if (buildsImages) kinds.add('docker');
  const chartDirs = new Set(files.filter((file) => posix.basename(file.path) === 'Chart.yaml').map((file) => posix.dirname(file.path)));
  if (chartDirs.size > 0) kinds.add('helm');

  for (const { path } of files) {
    if (path.split('/').includes('.terraform')) continue; // providers and modules terraform downloaded, not the repo's own
    const name = posix.basename(path);
    if (TERRAFORM.test(name)) kinds.add('terraform');
    if (name === 'ansible.cfg' || ANSIBLE_FOLDER.test(path) || ANSIBLE_ROLE.test(path)) kinds.add('ansible');
    if (isHelmValuesFile(path) || name === 'helmfile.yaml') kinds.add('helm');
    if (DOCKERFILE.test(name)) kinds.add('docker');
    if (DOCS.test(name) || path.startsWith('docs/')) kinds.add('docs');
  }

  for (const [path, parsed] of yaml) {
    const name = posix.basename(path);
    const inTemplates = [...chartDirs].some((dir) => path.startsWith(dir === '.' ? 'templates/' : `${dir}/templates/`));
    for (const document of parsed.documents) {
      if (document.broken) continue;
      const value = document.value;
      if (/^requirements\.ya?ml$/.test(name) && isGalaxyRequirements(value)) kinds.add('ansible');
      if (isPlayList(value)) kinds.add('ansible');
      const object = apiObject(value);
      if (!object || inTemplates || isHelmValuesFile(path) || name === 'Chart.yaml') continue;
      if (object.apiVersion.startsWith('argoproj.io/') && ARGO_KINDS.has(object.kind)) kinds.add('argocd');
      else if (!NOT_MANIFESTS.has(`${object.apiVersion.replace(/\/v[^/]*$/, '')}/${object.kind}`)) kinds.add('k8s-manifests');
    }
  }
  return REPO_KINDS.filter((kind) => kinds.has(kind));
}

function apiObject(value: unknown): { apiVersion: string; kind: string } | undefined {
  if (!isMap(value)) return undefined;
  const { apiVersion, kind } = value;
  return typeof apiVersion === 'string' && typeof kind === 'string' ? { apiVersion, kind } : undefined;
}

/** `roles:`/`collections:` (current format) or a list of `- src:` entries (the older one). */
function isGalaxyRequirements(value: unknown): boolean {
  if (isMap(value)) return 'roles' in value || 'collections' in value;
  return Array.isArray(value) && value.some((item) => isMap(item) && 'src' in item);
}

/** A playbook: a list of plays, each with `hosts:` (or importing another playbook). */
function isPlayList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isMap(item) && ('hosts' in item || 'import_playbook' in item || 'ansible.builtin.import_playbook' in item));
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
