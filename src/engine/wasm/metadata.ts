import { basename } from 'node:path';
import { repoFieldProblem } from './repo-fields.js';
import { SEVERITIES, type Severity } from '../../model/findings.js';
import { isRecord } from './decisions.js';

export type PolicyScope = 'repo' | 'fleet';
export const POLICY_SCOPES: readonly PolicyScope[] = ['repo', 'fleet'];

/** A Rego policy's metadata, from the `# METADATA` block of its package (see scripts/build-policies.mjs). */
export interface PolicyMetadata {
  /** Kebab-case rule id; the package is `fleetlint.<id with - as _>`. */
  id: string;
  title: string;
  description: string;
  /** Default severity; a decision may override it. */
  severity: Severity;
  /** `repo`: `deny` is evaluated once per repo; `fleet`: once with the whole fleet. */
  scope: PolicyScope;
  help: string;
  tags: string[];
  docsUrl?: string;
  /** JSON Schema of the policy's options (`custom.options`); the runner passes them as `input.options`. */
  options?: Record<string, unknown>;
  /**
   * The repo fields the policy reads (`custom.repoFields`), sorted: the repo of a repo-scope policy's input, and
   * each repo of a fleet-scope one's, then holds only `id` and these, so that WebAssembly does not parse every
   * repo's every fact on each evaluation. Without it a policy gets every field.
   */
  repoFields?: string[];
  package: string;
  /** `fleetlint/<id_with_underscores>/deny`. */
  entrypoint: string;
  /** The policy's file, relative to its policies folder. */
  file: string;
}

/** `policies/metadata.json`, written by `npm run policies:build`. */
export interface PolicyMetadataFile {
  opaVersion: string;
  policies: PolicyMetadata[];
}

const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Reads metadata from `opa inspect -a --format json` output, reporting every convention problem. The same
 * checks run in scripts/build-policies.mjs (plain JS, no build step); a test keeps the two in agreement.
 */
export function policiesFromInspect(inspected: unknown, options: { requireFileNames: boolean }): { policies: PolicyMetadata[]; problems: string[] } {
  const problems: string[] = [];
  const policies: PolicyMetadata[] = [];
  const root = isRecord(inspected) ? inspected : {};
  const namespaces = isRecord(root.namespaces) ? root.namespaces : {};
  const annotations = Array.isArray(root.annotations) ? (root.annotations as unknown[]).filter(isRecord) : [];

  for (const [namespace, filesValue] of Object.entries(namespaces)) {
    const pkg = namespace.replace(/^data\./, '');
    const files = Array.isArray(filesValue) ? (filesValue as unknown[]).filter((f): f is string => typeof f === 'string') : [];
    const file = (files[0] ?? '').replace(/^\//, '');
    if (pkg.startsWith('fleetlint.lib.')) continue;
    if (!pkg.startsWith('fleetlint.') || pkg.split('.').length !== 2) {
      problems.push(`${files.join(', ')}: package ${pkg} must be fleetlint.<policy_id> (or fleetlint.lib.* for helpers)`);
      continue;
    }
    if (files.length !== 1) problems.push(`package ${pkg} is split over ${files.join(', ')}: one policy, one file`);
    const found = annotations.find((a) => isRecord(a.annotations) && a.annotations.scope === 'package' && annotationPath(a.path) === pkg);
    if (!found || !isRecord(found.annotations)) {
      problems.push(`${file}: package ${pkg} has no package-scope # METADATA block`);
      continue;
    }
    const where = locationOf(found.location) ?? file;
    const policy = policyFromAnnotation(found.annotations, pkg, file, options, (message) => problems.push(`${where}: ${message}`));
    if (policy) policies.push(policy);
  }
  return { policies: policies.sort((a, b) => compare(a.id, b.id)), problems: problems.sort() };
}

function policyFromAnnotation(
  a: Record<string, unknown>,
  pkg: string,
  file: string,
  options: { requireFileNames: boolean },
  bad: (message: string) => void,
): PolicyMetadata | undefined {
  const custom = isRecord(a.custom) ? a.custom : {};
  const { id, severity, scope, help, tags, options: optionsSchema, repoFields } = custom;
  const found: string[] = [];
  const fail = (message: string): void => {
    found.push(message);
    bad(message);
  };
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) fail('custom.id must be a kebab-case id');
  else if (id.replaceAll('-', '_') !== pkg.slice('fleetlint.'.length)) fail(`package must be fleetlint.${id.replaceAll('-', '_')} for id ${id}`);
  else if (options.requireFileNames && basename(file) !== `${id}.rego`) fail(`file must be named ${id}.rego`);
  if (typeof a.title !== 'string' || a.title === '') fail('title is required');
  if (typeof a.description !== 'string' || a.description === '') fail('description is required');
  if (!SEVERITIES.includes(severity as Severity)) fail(`custom.severity must be one of ${SEVERITIES.join(', ')}`);
  if (!POLICY_SCOPES.includes(scope as PolicyScope)) fail(`custom.scope must be one of ${POLICY_SCOPES.join(', ')}`);
  if (typeof help !== 'string' || help === '') fail('custom.help is required');
  const tagList = tags === undefined ? [] : tags;
  if (!Array.isArray(tagList) || !(tagList as unknown[]).every((t) => typeof t === 'string')) fail('custom.tags must be a list of strings');
  if (optionsSchema !== undefined && !isRecord(optionsSchema)) fail('custom.options must be a JSON Schema object');
  if (repoFields !== undefined && !(Array.isArray(repoFields) && (repoFields as unknown[]).every((f) => typeof f === 'string'))) fail('custom.repoFields must be a list of repo field names');
  else if (Array.isArray(repoFields)) {
    for (const field of repoFields as string[]) {
      const problem = repoFieldProblem(field);
      if (problem) fail(`custom.repoFields names ${field}, but ${problem}`);
    }
  }
  if (found.length > 0) return undefined;

  const resources = Array.isArray(a.related_resources) ? (a.related_resources as unknown[]) : [];
  const firstResource = resources[0];
  const docsUrl = isRecord(firstResource) && typeof firstResource.ref === 'string' ? firstResource.ref : undefined;
  return {
    id: id as string,
    title: a.title as string,
    description: a.description as string,
    severity: severity as Severity,
    scope: scope as PolicyScope,
    help: help as string,
    tags: [...(tagList as string[])].sort(),
    ...(docsUrl === undefined ? {} : { docsUrl }),
    ...(isRecord(optionsSchema) ? { options: optionsSchema } : {}),
    ...(Array.isArray(repoFields) ? { repoFields: [...(repoFields as string[])].sort() } : {}),
    package: pkg,
    entrypoint: `${pkg.replaceAll('.', '/')}/deny`,
    file,
  };
}

/** Validates `policies/metadata.json` (or a custom bundle's), naming the file and key of each problem. */
export function parsePolicyMetadataFile(value: unknown, source: string): PolicyMetadataFile {
  const fail = (key: string, expected: string): never => {
    throw new Error(`${source}: ${key} must be ${expected}`);
  };
  if (!isRecord(value)) return fail('the file', 'an object {opaVersion, policies}');
  if (typeof value.opaVersion !== 'string') fail('opaVersion', 'a string');
  if (!Array.isArray(value.policies)) return fail('policies', 'an array');
  const policies = (value.policies as unknown[]).map((item, index): PolicyMetadata => {
    const key = `policies[${index}]`;
    if (!isRecord(item)) return fail(key, 'an object');
    for (const field of ['id', 'title', 'description', 'help', 'package', 'entrypoint', 'file'] as const) {
      if (typeof item[field] !== 'string') fail(`${key}.${field}`, 'a string');
    }
    if (!SEVERITIES.includes(item.severity as Severity)) fail(`${key}.severity`, SEVERITIES.join(' | '));
    if (!POLICY_SCOPES.includes(item.scope as PolicyScope)) fail(`${key}.scope`, POLICY_SCOPES.join(' | '));
    if (!Array.isArray(item.tags) || !(item.tags as unknown[]).every((t) => typeof t === 'string')) fail(`${key}.tags`, 'a list of strings');
    if (item.docsUrl !== undefined && typeof item.docsUrl !== 'string') fail(`${key}.docsUrl`, 'a string');
    if (item.options !== undefined && !isRecord(item.options)) fail(`${key}.options`, 'a JSON Schema object');
    if (item.repoFields !== undefined && !(Array.isArray(item.repoFields) && (item.repoFields as unknown[]).every((f) => typeof f === 'string'))) fail(`${key}.repoFields`, 'a list of strings');
    return item as unknown as PolicyMetadata;
  });
  return { opaVersion: value.opaVersion as string, policies };
}

function annotationPath(path: unknown): string {
  if (!Array.isArray(path)) return '';
  return (path as unknown[])
    .slice(1)
    .map((part) => (isRecord(part) ? String(part.value) : ''))
    .join('.');
}

function locationOf(location: unknown): string | undefined {
  if (!isRecord(location) || typeof location.file !== 'string') return undefined;
  return `${location.file.replace(/^\//, '')}:${typeof location.row === 'number' ? location.row : 1}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
