import type { CiJob, CiPipeline } from '../gitlab-ci/types.js';
import type { FleetSettings } from '../types.js';
import type { ParsedYamlFile } from '../yaml/parse.js';
import { isMap, valueAt } from '../k8s/value.js';
import type { VariableLookup } from './variables.js';

/** Finds the parsed YAML of a file in any fleet repo (CI templates live in other repos). */
export type YamlLookup = (repo: string, file: string) => ParsedYamlFile | undefined;

export interface CiVariableContext {
  /** The linted repo, for GitLab's predefined project variables. */
  repo?: string;
  settings?: FleetSettings;
  yamlOf?: YamlLookup;
}

/**
 * The variables GitLab expands in a job's `image:`, `services:` and script, as far as the YAML tells: the job's
 * (its own or inherited `variables:` map), then the pipeline's global ones, then the predefined project variables
 * that follow from the repo id and the fleet group. CI/CD settings variables are not in the YAML and stay unknown.
 *
 * The CI model does not carry variables yet. When CiJob/CiPipeline gain `variables` (name to string, or to
 * `{ value }`), they are used; until then the job's map is read where `keyOrigins.variables` points (the last
 * `variables:` that extends merged, so keys only a further parent set are missing) and the global map from the
 * top level of the repo's own CI file (not from its includes).
 */
export function ciVariables(job: CiJob, pipeline: CiPipeline | undefined, context: CiVariableContext = {}): VariableLookup {
  const own = variablesOf(job) ?? mapAtOrigin(job.keyOrigins.variables, context.yamlOf);
  const global = variablesOf(pipeline) ?? globalVariables(pipeline, context);
  const predefined = predefinedVariables(context);
  return (name) => own.get(name) ?? global.get(name) ?? predefined.get(name);
}

/** `variables` on the CI model, when the resolver provides it. */
function variablesOf(holder: object | undefined): Map<string, string> | undefined {
  const variables: unknown = holder && 'variables' in holder ? holder.variables : undefined;
  return isMap(variables) ? toStrings(variables) : undefined;
}

function mapAtOrigin(origin: CiJob['keyOrigins'][string] | undefined, yamlOf: YamlLookup | undefined): Map<string, string> {
  if (!origin?.path || !yamlOf) return new Map<string, string>();
  const document = yamlOf(origin.repo, origin.file)?.documents[origin.docIndex ?? 0];
  const map = document && !document.broken ? valueAt(document.value, origin.path) : undefined;
  return isMap(map) ? toStrings(map) : new Map<string, string>();
}

function globalVariables(pipeline: CiPipeline | undefined, context: CiVariableContext): Map<string, string> {
  if (!pipeline || context.repo === undefined || !context.yamlOf) return new Map<string, string>();
  const document = context.yamlOf(context.repo, pipeline.file)?.documents[0];
  const map = document && !document.broken ? valueAt(document.value, ['variables']) : undefined;
  return isMap(map) ? toStrings(map) : new Map<string, string>();
}

/** CI_PROJECT_NAME and friends, which GitLab derives from the project path (`homelab/<repo id>`). */
function predefinedVariables({ repo, settings }: CiVariableContext): Map<string, string> {
  const result = new Map<string, string>();
  if (repo === undefined || settings?.group === undefined) return result;
  const projectPath = `${settings.group}/${repo}`;
  const slash = projectPath.lastIndexOf('/');
  result.set('CI_PROJECT_PATH', projectPath);
  result.set('CI_PROJECT_NAME', projectPath.slice(slash + 1));
  result.set('CI_PROJECT_NAMESPACE', projectPath.slice(0, slash));
  if (settings.gitlabHost !== undefined) result.set('CI_SERVER_HOST', settings.gitlabHost);
  return result;
}

function toStrings(variables: Readonly<Record<string, unknown>>): Map<string, string> {
  const result = new Map<string, string>();
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') result.set(name, value);
    else if (typeof value === 'number' || typeof value === 'boolean') result.set(name, String(value));
    else if (isMap(value) && typeof value.value === 'string') result.set(name, value.value);
  }
  return result;
}
