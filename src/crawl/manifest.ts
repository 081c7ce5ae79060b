import type { ErrorObject } from 'ajv';
import type { FindingDraft } from '../model/findings.js';
import type { ArgoCluster, FleetSettings } from '../model/types.js';
import { webRoot } from '../model/web-link.js';
import { locatePath } from '../model/yaml/locate.js';
import { parseYamlFile, type YamlDocument } from '../model/yaml/parse.js';
import { fleetManifest } from '../generated/fleet-manifest-validator.js';
import { isAtOrBelow, schemaFindings, schemaProblems } from './schema-findings.js';

export const MANIFEST_FILE = 'fleet.yaml';

/** A repo listed in fleet.yaml, with the document it was read from so later findings can point at it. */
export interface ManifestRepo {
  path: string;
  index: number;
  document: YamlDocument;
}

export interface Manifest {
  settings: FleetSettings;
  repos: ManifestRepo[];
  diagnostics: FindingDraft[];
}

/** schemas/fleet-manifest.schema.json, compiled ahead by scripts/build-validators.mjs. */
function validate(value: unknown): { ok: boolean; errors: ErrorObject[] } {
  const ok = fleetManifest(value);
  return { ok, errors: fleetManifest.errors ?? [] };
}

/**
 * Reads fleet.yaml. Every problem is reported at once as a `config-error` on the key it is about; the valid
 * parts are still used, so one bad entry does not hide the rest of the fleet.
 */
export function readManifest(text: string): Manifest {
  const { parsed, diagnostics } = parseYamlFile('.', MANIFEST_FILE, text);
  const settings: FleetSettings = { registries: [], providers: [] };
  const repos: ManifestRepo[] = [];
  const document = parsed.documents[0];
  if (!document || document.broken || document.value === undefined || document.value === null) return { settings, repos, diagnostics };

  const result = validate(document.value);
  const problems = result.ok ? [] : schemaProblems(result.errors);
  diagnostics.push(...schemaFindings(document, problems, { ruleId: 'config-error', severity: 'error', repo: '.', file: MANIFEST_FILE }));
  const valid = (...path: (string | number)[]): boolean => !problems.some((problem) => isAtOrBelow(problem.path, path));

  const value = asMap(document.value);
  const gitlab = asMap(value?.gitlab);
  if (typeof gitlab?.host === 'string' && valid('gitlab', 'host')) settings.gitlabHost = gitlab.host;
  if (typeof gitlab?.group === 'string' && valid('gitlab', 'group')) settings.group = gitlab.group;
  const webUrl = typeof gitlab?.url === 'string' && valid('gitlab', 'url') ? webRoot(gitlab.url) : undefined;
  if (webUrl !== undefined) settings.webUrl = webUrl;
  if (Array.isArray(value?.registries)) {
    settings.registries = value.registries.filter((registry, index): registry is string => typeof registry === 'string' && valid('registries', index));
  }

  const argocd = asMap(value?.argocd);
  if (Array.isArray(argocd?.clusters) && valid('argocd', 'clusters')) settings.argocdClusters = argocd.clusters.flatMap((entry) => {
    const cluster = asMap(entry);
    return cluster ? [clusterOf(cluster)] : [];
  });
  if (Array.isArray(argocd?.instances) && valid('argocd', 'instances')) settings.argocdInstances = argocd.instances.flatMap((entry) => {
    const instance = asMap(entry);
    const paths: unknown[] = Array.isArray(instance?.paths) ? instance.paths : [];
    return typeof instance?.name === 'string' ? [{ name: instance.name, paths: paths.filter((path): path is string => typeof path === 'string') }] : [];
  });

  const seen = new Map<string, number>();
  const listed: unknown[] = Array.isArray(value?.repos) ? value.repos : [];
  listed.forEach((entry, index) => {
    const path = typeof entry === 'string' ? entry : asMap(entry)?.path;
    if (typeof path !== 'string' || !valid('repos', index)) return;
    const first = seen.get(path);
    if (first !== undefined) {
      const { range } = locatePath(document, ['repos', index]);
      const message = `\`repos[${index}]\` lists ${path} again (first at \`repos[${first}]\`)`;
      diagnostics.push({ ruleId: 'config-error', severity: 'warning', message, repo: '.', file: MANIFEST_FILE, range, path: ['repos', index], subject: `duplicate repo ${path}` });
      return;
    }
    seen.set(path, index);
    repos.push({ path, index, document });
  });
  return { settings, repos, diagnostics };
}

function asMap(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A cluster entry the schema accepted. */
function clusterOf(entry: Record<string, unknown>): ArgoCluster {
  const strings = (value: unknown): Record<string, string> | undefined => {
    const map = asMap(value);
    return map ? Object.fromEntries(Object.entries(map).filter((pair): pair is [string, string] => typeof pair[1] === 'string')) : undefined;
  };
  const labels = strings(entry.labels);
  const annotations = strings(entry.annotations);
  return {
    name: String(entry.name),
    server: String(entry.server),
    ...(typeof entry.project === 'string' ? { project: entry.project } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}
