import type { PathSegment } from '../model/findings.js';
import type { ParsedYamlFile, YamlDocument } from '../model/yaml/parse.js';
import { locatePath } from '../model/yaml/locate.js';
import { childOf, resolveAlias, type TreeNode } from '../model/yaml/tree.js';
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
export function yamlHits(parsed: ParsedYamlFile, mayNameCredential: boolean, text?: string): YamlScan {
  const hits: SecretHit[] = [];
  const embeddedLines = new Set<number>();
  let lines: string[] | undefined;
  const textLines = (): string[] | undefined => (lines ??= text?.split('\n'));
  for (const document of parsed.documents) {
    if (document.broken) continue;
    // A list at the top (an Ansible play or task file, a homepage services.yaml) holds maps with keys like any other.
    if (Array.isArray(document.value)) {
      if (mayNameCredential) walk(document.value, [], credentialVisitor(document, hits, embeddedLines, textLines));
      continue;
    }
    if (!isMap(document.value)) continue;
    const kind = document.value.kind;
    if (kind === 'SealedSecret') continue; // encryptedData is ciphertext, safe to commit
    if (kind === 'Secret' && typeof document.value.apiVersion === 'string') {
      hits.push(...kubernetesSecretHits(document));
      continue;
    }
    // ExternalSecrets and secret stores only say where secrets live.
    if (typeof kind === 'string' && /^(ExternalSecret|ClusterExternalSecret|SecretStore|ClusterSecretStore|PushSecret)$/.test(kind)) continue;
    if (!mayNameCredential) continue;
    walk(document.value, [], credentialVisitor(document, hits, embeddedLines, textLines));
  }
  return { hits, embeddedLines };
}

/** Credential keys with literal values, env entries, and the lines of block scalars (kept for the text scan). */
function credentialVisitor(document: YamlDocument, hits: SecretHit[], embeddedLines: Set<number>, textLines: () => string[] | undefined): Visit {
  return (parent, key, value, siblings) => {
    if (typeof value !== 'string' && typeof value !== 'number') {
      if (isCredentialKey(key) && !isReferenceMap(siblings)) hits.push(...listHits(document, [...parent, key], key, value));
      return;
    }
    const multiLine = typeof value === 'string' && value.includes('\n');
    const envEntry = key === 'value' && typeof siblings.name === 'string';
    if (!multiLine && !envEntry && !isCredentialKey(key)) return; // most keys: no path to build
    const path = [...parent, key];
    if (multiLine) {
      const { range } = locatePath(document, path);
      // cloud-init's `chpasswd: {list: |}`: a `user:password` a line.
      if (key === 'list' && parent.at(-1) === 'chpasswd') hits.push(...chpasswdHits(document, path, range.startLine + 1, range.endLine, textLines()));
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
    if (isInert(text) || isReference(text) || isSecretObjectName(key, text) || isDocumentedExample(text) || isTaggedReference(document, path)) return;
    hits.push(hit(document, path, `credential in key ${key}`, text, 'fleetlint/yaml-key', key));
  };
}

/**
 * A list under a credential key: a key as a list of byte values (Zigbee2MQTT's `network_key: [1, 2, …]`) is one
 * secret; a list of strings (Vault's `unseal_keys_b64`, `api_tokens`) is one secret an item.
 */
function listHits(document: YamlDocument, path: PathSegment[], key: string, items: readonly (string | number)[]): SecretHit[] {
  if (items.length >= 8 && items.every((item) => typeof item === 'number' && Number.isInteger(item) && item >= 0 && item <= 255)) {
    return [hit(document, path, `credential in key ${key} (a list of bytes)`, items.join(','), 'fleetlint/yaml-key', key)];
  }
  const hits: SecretHit[] = [];
  items.forEach((item, index) => {
    if (typeof item !== 'string' || isInert(item) || isReference(item) || isSecretObjectName(key, item) || isDocumentedExample(item)) return;
    hits.push(hit(document, [...path, index], `credential in key ${key}`, item, 'fleetlint/yaml-key', key));
  });
  return hits;
}

/** `root:password` lines of cloud-init's chpasswd list (`RANDOM` asks cloud-init to make one up). */
function chpasswdHits(document: YamlDocument, path: PathSegment[], firstLine: number, lastLine: number, lines: readonly string[] | undefined): SecretHit[] {
  const hits: SecretHit[] = [];
  for (let line = firstLine; lines !== undefined && line <= lastLine; line += 1) {
    const match = /^(\s*[\w.-]+:)(\S+)\s*$/.exec(lines[line - 1] ?? '');
    const value = match?.[2];
    if (match === null || value === undefined || /^(?:R|RANDOM)$/.test(value) || isReference(value)) continue;
    const column = (match[1] ?? '').length + 1;
    hits.push({
      ...hit(document, path, 'password in cloud-init chpasswd.list', value, 'fleetlint/yaml-key', 'list'),
      range: { startLine: line, startColumn: column, endLine: line, endColumn: column + value.length },
    });
  }
  return hits;
}

/** Home Assistant's and ESPHome's `!secret name` (and `!env_var`, `!include`): the value is kept elsewhere. */
function isTaggedReference(document: YamlDocument, path: readonly PathSegment[]): boolean {
  let node: TreeNode | undefined = document.tree;
  for (const segment of path) node = resolveAlias(childOf(resolveAlias(node), segment)?.node ?? undefined);
  return node?.tag !== undefined && /^!(?:secret|env_var|include|input)$/.test(node.tag);
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

type Visit = (parent: PathSegment[], key: string, value: string | number | readonly (string | number)[], siblings: Readonly<Record<string, unknown>>) => void;

/**
 * Visits every scalar string or number under a map key, and every list of them, with the path of its map and the
 * map itself. The path given to `visit` is the walk's own, changed as it goes on: copy it to keep it.
 */
function walk(value: unknown, path: PathSegment[], visit: Visit): void {
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
      else if (Array.isArray(child) && child.length > 0 && child.every((item) => typeof item === 'string' || typeof item === 'number')) visit(path, key, child, value);
      else if (typeof child === 'object' && child !== null) {
        path.push(key);
        walk(child, path, visit);
        path.pop();
      }
    }
  }
}
