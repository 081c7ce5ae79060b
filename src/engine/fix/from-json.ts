import type { DocPath, FileEdit, Fix, FindingData, JsonValue } from '../../model/findings.js';

/**
 * A Rego decision proposes a repair as `data.fix`: `{description, edits: [{repo, file, docIndex?, op, path, value?,
 * to?}]}`, each edit a structured YAML edit (set, append, delete, rename). Returns the data without it and the fix, or the
 * reason the fix is malformed.
 */
export function splitFix(data: FindingData): { data?: FindingData; fix?: Fix } | { invalid: string } {
  if (!('fix' in data)) return { data };
  const { fix: raw, ...rest } = data;
  const fix = fixFromJson(raw);
  if (typeof fix === 'string') return { invalid: `data.fix: ${fix}` };
  return { ...(Object.keys(rest).length > 0 ? { data: rest } : {}), fix };
}

function fixFromJson(raw: JsonValue | undefined): Fix | string {
  if (!isObject(raw)) return 'expected an object {description, edits}';
  if (typeof raw.description !== 'string' || raw.description === '') return 'description must be a non-empty string';
  if (!Array.isArray(raw.edits) || raw.edits.length === 0) return 'edits must be a non-empty array';
  const edits: FileEdit[] = [];
  for (const [index, item] of raw.edits.entries()) {
    const edit = editFromJson(item);
    if (typeof edit === 'string') return `edits[${index}]: ${edit}`;
    edits.push(edit);
  }
  return { description: raw.description, edits };
}

function editFromJson(raw: JsonValue): FileEdit | string {
  if (!isObject(raw)) return 'expected an object';
  const { repo, file, docIndex, op, path } = raw;
  if (typeof repo !== 'string' || typeof file !== 'string') return 'repo and file must be strings';
  if (docIndex !== undefined && !(typeof docIndex === 'number' && Number.isInteger(docIndex) && docIndex >= 0)) return 'docIndex must be a whole number';
  if (!Array.isArray(path) || !path.every((segment) => typeof segment === 'string' || (typeof segment === 'number' && Number.isInteger(segment) && segment >= 0))) {
    return 'path must be a list of keys and indexes';
  }
  const base = { repo, file, kind: 'yaml' as const, path: path as DocPath, ...(docIndex !== undefined ? { docIndex } : {}) };
  if (op === 'set') return raw.value === undefined ? 'set needs a value' : { ...base, op, value: sortedKeys(raw.value) };
  if (op === 'append') return raw.value === undefined ? 'append needs a value' : { ...base, op, value: sortedKeys(raw.value) };
  if (op === 'delete') return { ...base, op };
  if (op === 'rename') return typeof raw.to === 'string' && raw.to !== '' ? { ...base, op, to: raw.to } : 'rename needs `to`, a key';
  return 'op must be set, append, delete or rename';
}

/** The value with its maps' keys sorted: the policy engine gives an object's keys in an order of its own. */
function sortedKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys(value[key] ?? null)]));
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
