import type { ErrorObject } from 'ajv';
import type { DocPath, FindingDraft } from '../model/findings.js';
import { locatePath } from '../model/yaml/locate.js';
import type { YamlDocument } from '../model/yaml/parse.js';

/** A schema violation, pointed at the key it is about. */
export interface SchemaProblem {
  path: DocPath;
  message: string;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { object: 'a map', array: 'a list', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', null: 'empty' };

/**
 * Turns ajv errors (compiled with `allErrors` and `verbose`) into one readable problem each, naming the key
 * and what was expected. `if` errors only repeat the branch's own errors, so they are dropped.
 */
export function schemaProblems(errors: readonly ErrorObject[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const path = docPath(error.instancePath);
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'additionalProperties') {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      problems.push({ path: [...path, key], message: `${keyName([...path, key])} is not a known key${known.length > 0 ? ` (expected one of: ${known.join(', ')})` : ''}` });
    } else {
      problems.push({ path, message: `${keyName(path)} ${expectation(error, params)}` });
    }
  }
  return problems;
}

/** Findings for the problems, located on the keys of the document. */
export function schemaFindings(document: YamlDocument, problems: readonly SchemaProblem[], base: Omit<FindingDraft, 'message' | 'range' | 'path'>): FindingDraft[] {
  return problems.map((problem) => {
    const { range } = locatePath(document, problem.path);
    return { ...base, message: problem.message, range, path: problem.path, subject: `${pathKey(problem.path)}: ${problem.message}` };
  });
}

/** True when `path` is `prefix` or lies below it. */
export function isAtOrBelow(path: DocPath, prefix: DocPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => String(segment) === String(path[index]));
}

function expectation(error: ErrorObject, params: Record<string, unknown>): string {
  const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
  switch (error.keyword) {
    case 'type': {
      if (typeof description === 'string') return `must be ${description}`;
      const types = Array.isArray(params.type) ? params.type : [params.type];
      return `must be ${types.map((type) => TYPE_NAMES[String(type)] ?? String(type)).join(' or ')}`;
    }
    case 'pattern':
      return `must be ${typeof description === 'string' ? description : `a string matching ${String(params.pattern)}`}`;
    case 'required':
      return `is missing the required key \`${String(params.missingProperty)}\``;
    default:
      return error.message ?? `fails the schema's ${error.keyword} check`;
  }
}

function docPath(instancePath: string): DocPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function pathKey(path: DocPath): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}

function keyName(path: DocPath): string {
  return path.length === 0 ? 'the file' : `\`${pathKey(path)}\``;
}
