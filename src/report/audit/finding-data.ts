/** Reading the structured `data` of findings (see FindingData): the audit report never parses a message or subject. */
import type { Finding, JsonValue } from '../../model/findings.js';

/** `data.kind` of a finding, when it has one. */
export function dataKind(finding: Finding): string | undefined {
  return dataString(finding, 'kind');
}

/** A string field of a finding's data. */
export function dataString(finding: Finding, key: string): string | undefined {
  const value = finding.data?.[key];
  return typeof value === 'string' ? value : undefined;
}

export interface AppRef {
  repo: string;
  name: string;
}

/** An Application named in data as `{repo, name}`. */
export function appRef(value: JsonValue | undefined): AppRef | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { repo, name } = value;
  return typeof repo === 'string' && typeof name === 'string' ? { repo, name } : undefined;
}

/** Applications named in data as a list of `{repo, name}`. */
export function appRefs(value: JsonValue | undefined): AppRef[] {
  return Array.isArray(value) ? value.flatMap((item) => appRef(item) ?? []) : [];
}
