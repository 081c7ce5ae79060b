import type { PathSegment } from '../model/findings.js';
import type { ParsedYamlFile, YamlDocument } from '../model/yaml/parse.js';
import { locatePath } from '../model/yaml/locate.js';
import { isMap } from '../model/k8s/value.js';
import { isCredentialKey, isDocumentedExample, isInert, isOwnKeyName, isPlaceholder, isPublicSecretKey, isReference, isReferenceMap, isSecretObjectName } from './classify.js';
import { privateKeyBlocks, textHits } from './text-detectors.js';
import type { SecretHit } from './types.js';

export interface YamlScan {
  hits: SecretHit[];
  /** Lines inside multi-line strings (block scalars that embed a config file): read as `key: value` text. */
  embeddedLines: Set<number>;
}

/**
 * Credential keys with literal values anywhere in a YAML document, container env entries, and Kubernetes Secrets.
 * `mayNameCredential`: whether the file's text holds a credential word (CREDENTIAL_HINT). Without one no key is a
 * credential key and no env entry names one; embedded lines would only be read for such keys too. Only Secrets, whose
 * keys can be anything, are still read.
 */
export function yamlHits(parsed: ParsedYamlFile, mayNameCredential: boolean): YamlScan {
  const hits: SecretHit[] = [];
  const embeddedLines = new Set<number>();
  for (const document of parsed.documents) {
    if (document.broken || !isMap(document.value)) continue;
    const kind = document.value.kind;
    if (kind === 'SealedSecret') continue; // encryptedData is ciphertext, safe to commit
    if (kind === 'Secret' && typeof document.value.apiVersion === 'string') {
      hits.push(...kubernetesSecretHits(document));
      continue;
    }
    // ExternalSecrets and secret stores only say where secrets live.
    if (typeof kind === 'string' && /^(ExternalSecret|ClusterExternalSecret|SecretStore|ClusterSecretStore|PushSecret)$/.test(kind)) continue;
    if (!mayNameCredential) continue;
    walk(document.value, [], (parent, key, value, siblings) => {
      const multiLine = typeof value === 'string' && value.includes('\n');
      const envEntry = key === 'value' && typeof siblings.name === 'string';
      if (!multiLine && !envEntry && !isCredentialKey(key)) return; // most keys: no path to build
      const path = [...parent, key];
      if (multiLine) {
        const { range } = locatePath(document, path);
        for (let line = range.startLine + 1; line <= range.endLine; line += 1) embeddedLines.add(line);
        return;
      }
      const text = typeof value === 'number' ? String(value) : value;
      if (key === 'value' && typeof siblings.name === 'string' && isCredentialKey(siblings.name)) {
        // A container's env entry: `- name: DB_PASSWORD` / `value: "x"`.
        if (!isInert(text) && !isReference(text)) hits.push(hit(document, path, `credential in env ${siblings.name}`, text, 'fleetlint/yaml-env', siblings.name));
        return;
      }
      if (!isCredentialKey(key) || isReferenceMap(siblings)) return;
      if (isInert(text) || isReference(text) || isSecretObjectName(key, text) || isDocumentedExample(text)) return;
      hits.push(hit(document, path, `credential in key ${key}`, text, 'fleetlint/yaml-key', key));
    });
  }
  return { hits, embeddedLines };
}

/**
 * A Secret manifest keeps its values in git in plain text (`data` is only base64). Values are read decoded: keys
 * that hold no secret (`username`, an ArgoCD repository's `url` and `type`, a public `tls.crt`) are skipped, empty
 * and placeholder values are too (or are notes), a docker config counts only with credentials in it.
 */
function kubernetesSecretHits(document: YamlDocument): SecretHit[] {
  const value = document.value as Record<string, unknown>;
  const name = isMap(value.metadata) && typeof value.metadata.name === 'string' ? value.metadata.name : 'unnamed';
  const hits: SecretHit[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const entries = value[field];
    if (!isMap(entries)) continue;
    for (const [key, entry] of Object.entries(entries)) {
      if (typeof entry !== 'string' || entry.trim() === '' || isReference(entry) || isPublicSecretKey(key)) continue;
      const plain = field === 'data' ? decodeBase64(entry) : entry;
      if (plain === undefined || plain.trim() === '' || isReference(plain) || isDocumentedExample(plain)) continue;
      const path = [field, key];
      const where = `${key} in Kubernetes Secret ${name} (${field}${field === 'data' ? ', decoded' : ''})`;
      if (/\.?dockerconfigjson$|^config\.json$/.test(key)) {
        if (!/"(auth|password|identitytoken)"\s*:\s*"[^"$]/.test(plain)) continue;
        hits.push(hit(document, path, `registry credential in ${where}`, entry, 'fleetlint/kubernetes-secret', key));
        continue;
      }
      if (plain.includes('\n')) {
        // A file in a Secret (a config, a key): reported for the secrets found in it. A config file with none (a
        // scrape config, an Elasticsearch role) is kept in a Secret for convenience, not for secrecy.
        const inner = privateKeyBlocks(plain).length > 0 ? ['private key'] : innerKinds(key, plain);
        if (inner.length > 0) hits.push({ ...hit(document, path, `${inner.join(', ')} in ${where}`, entry, 'fleetlint/kubernetes-secret', key), placeholder: false });
        continue;
      }
      if (isInert(plain)) continue;
      const found = hit(document, path, `value of ${where}`, entry, 'fleetlint/kubernetes-secret', key);
      hits.push({ ...found, placeholder: isPlaceholder(plain) || isOwnKeyName(key, plain) });
    }
  }
  return hits;
}

/** What the text scan finds in a file kept in a Secret, named by kind, without duplicates. */
function innerKinds(key: string, text: string): string[] {
  const { specific, generic } = textHits(key, text, { keyValues: 'all' });
  return [...new Set([...specific, ...generic].filter((inner) => !inner.placeholder).map((inner) => inner.kind))].slice(0, 3);
}

function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  // Binary content (a keystore) is reported as it is, by its base64.
  return decoded.includes('\uFFFD') ? compact : decoded;
}

function hit(document: YamlDocument, path: PathSegment[], kind: string, value: string, detector: string, key: string): SecretHit {
  const { range } = locatePath(document, path);
  return {
    kind,
    value,
    file: document.file,
    range,
    path,
    docIndex: document.index,
    key: path.join('.'),
    placeholder: isPlaceholder(value) || isOwnKeyName(key, value),
    detector,
  };
}

/** Visits every scalar string or number under a map key, with the path of its map and the map itself. */
/** The path given to `visit` is the walk's own, changed as it goes on: copy it to keep it. */
function walk(value: unknown, path: PathSegment[], visit: (parent: PathSegment[], key: string, value: string | number, siblings: Readonly<Record<string, unknown>>) => void): void {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      path.push(index);
      walk(value[index], path, visit);
      path.pop();
    }
  } else if (isMap(value)) {
    for (const key of Object.keys(value)) {
      const child = value[key];
      if (typeof child === 'string' || typeof child === 'number') visit(path, key, child, value);
      else if (typeof child === 'object' && child !== null) {
        path.push(key);
        walk(child, path, visit);
        path.pop();
      }
    }
  }
}
