import type { PathSegment } from '../model/findings.js';
import type { ParsedYamlFile, YamlDocument } from '../model/yaml/parse.js';
import { locatePath } from '../model/yaml/locate.js';
import { isMap } from '../model/k8s/value.js';
import { isCredentialKey, isInert, isPlaceholder, isReference, isReferenceMap, isSecretObjectName } from './classify.js';
import type { SecretHit } from './types.js';

/** Credential keys with literal values anywhere in a YAML document, and plain Kubernetes Secrets. */
export function yamlHits(parsed: ParsedYamlFile): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const document of parsed.documents) {
    if (document.broken || !isMap(document.value)) continue;
    const kind = document.value.kind;
    if (kind === 'SealedSecret') continue; // encryptedData is ciphertext, safe to commit
    if (kind === 'Secret' && typeof document.value.apiVersion === 'string') {
      hits.push(...kubernetesSecretHits(document));
      continue;
    }
    // ExternalSecrets and secret stores only say where secrets live.
    if (typeof kind === 'string' && /^(ExternalSecret|ClusterExternalSecret|SecretStore|ClusterSecretStore)$/.test(kind)) continue;
    walk(document.value, [], (parent, key, value, siblings) => {
      if (!isCredentialKey(key) || isReferenceMap(siblings)) return;
      const text = typeof value === 'number' ? String(value) : value;
      if (isInert(text) || isReference(text) || isSecretObjectName(key, text)) return;
      hits.push(hit(document, [...parent, key], `credential in key ${key}`, text, 'fleetlint/yaml-key'));
    });
  }
  return hits;
}

/** A Secret manifest keeps its values in git in plain text (`data` is only base64). */
function kubernetesSecretHits(document: YamlDocument): SecretHit[] {
  const value = document.value as Record<string, unknown>;
  const name = isMap(value.metadata) && typeof value.metadata.name === 'string' ? value.metadata.name : 'unnamed';
  const hits: SecretHit[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const entries = value[field];
    if (!isMap(entries)) continue;
    for (const [key, entry] of Object.entries(entries)) {
      if (typeof entry !== 'string' || entry.trim() === '' || isReference(entry)) continue;
      hits.push(hit(document, [field, key], `value of ${key} in Kubernetes Secret ${name} (${field})`, entry, 'fleetlint/kubernetes-secret'));
    }
  }
  return hits;
}

function hit(document: YamlDocument, path: PathSegment[], kind: string, value: string, detector: string): SecretHit {
  const { range } = locatePath(document, path);
  return { kind, value, file: document.file, range, path, docIndex: document.index, placeholder: isPlaceholder(value), detector };
}

/** Visits every scalar string or number under a map key, with the path of its map and the keys beside it. */
function walk(value: unknown, path: PathSegment[], visit: (parent: PathSegment[], key: string, value: string | number, siblings: string[]) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, [...path, index], visit);
    });
  } else if (isMap(value)) {
    const keys = Object.keys(value);
    for (const key of keys) {
      const child = value[key];
      if (typeof child === 'string' || typeof child === 'number') visit(path, key, child, keys);
      else if (typeof child === 'object' && child !== null) walk(child, [...path, key], visit);
    }
  }
}
