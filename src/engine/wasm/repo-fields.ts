import type { Repo } from '../../model/types.js';
import { repoJson } from '../../model/policy-input.js';
import inputSchema from '../../../schemas/policy-input.schema.json' with { type: 'json' };

/** What to keep of a JSON value: all of it, or some of its keys (of each element, in an array). */
type Selection = true | Map<string, Selection>;

/**
 * The repo as a policy that declares these `custom.repoFields` reads it. Without them, every field. Else `id`
 * and the fields named, where a dotted path keeps only part of a field: `ci.jobs.name` keeps of `ci` only its
 * `jobs`, and of each job only its `name` (a path goes through every element of an array on its way).
 */
export function repoReader(fields: readonly string[] | undefined): (repo: Repo) => Record<string, unknown> {
  if (!fields) return (repo) => repoJson(repo);
  const selection = new Map<string, Selection>([['id', true]]);
  for (const field of fields) select(selection, field.split('.').filter((key) => key !== ''));
  const topLevel = [...selection.keys()];
  if ([...selection.values()].every((inner) => inner === true)) return (repo) => repoJson(repo, topLevel);
  return (repo) => pick(repoJson(repo, topLevel), selection) as Record<string, unknown>;
}

function select(selection: Map<string, Selection>, path: readonly string[]): void {
  const [key, ...rest] = path;
  if (key === undefined) return;
  const current = selection.get(key);
  if (rest.length === 0) {
    selection.set(key, true);
  } else if (current !== true) {
    const inner = current ?? new Map<string, Selection>();
    selection.set(key, inner);
    select(inner, rest);
  }
}

function pick(value: unknown, selection: Selection): unknown {
  if (selection === true || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => pick(item, selection));
  const record = value as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const [key, inner] of selection) if (Object.hasOwn(record, key)) picked[key] = pick(record[key], inner);
  return picked;
}

type SchemaNode = Record<string, unknown>;

/**
 * Why a `custom.repoFields` entry names nothing the repo input has (`imagez`, `ci.job.name`), with the fields that
 * are there; undefined when it is a field of schemas/policy-input.schema.json. A typo would otherwise give the
 * policy an input without the field, and a policy that quietly finds nothing.
 */
export function repoFieldProblem(field: string): string | undefined {
  let node: SchemaNode = inputSchema.properties.repos.items;
  const walked: string[] = [];
  for (const key of field.split('.')) {
    const object = objectOf(node);
    const next = object ? childOf(object, key) : undefined;
    if (!next) {
      const where = walked.length === 0 ? 'the repo input' : walked.join('.');
      const known = object?.properties ? ` (its fields: ${Object.keys(object.properties).join(', ')})` : ', which has no fields';
      return `${where} has no field ${key}${known}`;
    }
    walked.push(key);
    node = next;
  }
  return undefined;
}

/** A key's schema in an object schema: a named property, else any key of a map (`additionalProperties`). */
function childOf(object: SchemaNode, key: string): SchemaNode | undefined {
  const named = (object.properties as Record<string, SchemaNode> | undefined)?.[key];
  if (named) return named;
  const other = object.additionalProperties;
  return typeof other === 'object' && other !== null ? (other as SchemaNode) : undefined;
}

/** The object schema a field path goes through: past `$ref`, array `items` and `oneOf` alternatives (ci is null or a pipeline). */
function objectOf(node: SchemaNode): SchemaNode | undefined {
  const resolved = resolveRef(node);
  if (resolved.properties || typeof resolved.additionalProperties === 'object') return resolved;
  if (resolved.items) return objectOf(resolved.items as SchemaNode);
  for (const alternative of (resolved.oneOf ?? resolved.anyOf ?? []) as SchemaNode[]) {
    const object = objectOf(alternative);
    if (object) return object;
  }
  return undefined;
}

function resolveRef(node: SchemaNode): SchemaNode {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) return node;
  return resolveRef((inputSchema.definitions as Record<string, SchemaNode>)[ref.slice('#/definitions/'.length)] ?? {});
}
