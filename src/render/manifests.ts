import yaml from 'js-yaml';
import { isMap, type PlainMap } from '../model/k8s/value.js';
import type { OutputDocument } from './cache.js';

/** A line that ends one YAML document and starts the next, as helm and kustomize print them. */
const DOCUMENT_START = /^---[ \t]*(?:#.*)?$/;
const HELM_SOURCE = /^# Source: (.+?)\s*$/m;

/**
 * Splits a tool's output into documents, keeping Helm's `# Source:` comment with each. Values are read with
 * the YAML 1.2 core schema (no dates, as Kubernetes reads JSON); the tools print with go-yaml, which quotes any
 * string that would read otherwise. Throws with the document's number when one does not parse.
 */
export function parseManifestStream(text: string): OutputDocument[] {
  const documents: OutputDocument[] = [];
  let lines: string[] = [];
  const flush = (): void => {
    const chunk = lines.join('\n');
    lines = [];
    if (chunk.trim() === '') return;
    let value: unknown;
    try {
      value = yaml.load(chunk, { schema: yaml.CORE_SCHEMA });
    } catch (error) {
      throw new Error(`document ${String(documents.length + 1)} of the output does not parse: ${(error as Error).message.split('\n')[0] ?? ''}`);
    }
    if (value === null || value === undefined) return;
    const source = HELM_SOURCE.exec(chunk)?.[1];
    documents.push({ ...(source !== undefined ? { source } : {}), value });
  };
  for (const line of text.split('\n')) {
    if (DOCUMENT_START.test(line)) flush();
    else lines.push(line);
  }
  flush();
  return documents;
}

/** A Kubernetes object's identity, when the value is one. */
export interface ObjectHeader {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
}

export function objectHeader(value: unknown): ObjectHeader | undefined {
  if (!isMap(value)) return undefined;
  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const name = isMap(metadata) && typeof metadata.name === 'string' ? metadata.name : undefined;
  const namespace = isMap(metadata) && typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  return { apiVersion, kind, ...(name !== undefined ? { name } : {}), ...(namespace !== undefined ? { namespace } : {}) };
}

/** The objects a document stands for: a `List` (`kind: ...List` with `items`) stands for its items, as in ArgoCD. */
export function objectsOf(value: unknown): PlainMap[] {
  if (!isMap(value)) return [];
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && 'items' in value) {
    return Array.isArray(value.items) ? value.items.filter((item): item is PlainMap => objectHeader(item) !== undefined) : [];
  }
  return objectHeader(value) ? [value] : [];
}

export function isApplication(header: ObjectHeader): boolean {
  return header.kind === 'Application' && header.apiVersion.startsWith('argoproj.io/');
}

/** The plain value of inline `helm.values`, for provenance; undefined when it does not parse. */
export function parseInlineValues(text: string): unknown {
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
}
