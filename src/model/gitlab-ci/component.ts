import type { VarLookup } from './expression.js';

/** `include: component: <host>/<project path>/<name>@<version>`, as written and as far as it is known offline. */
export interface ComponentAddress {
  /** The host as written (`gitlab.com`, `$CI_SERVER_FQDN`). */
  host: string;
  /** The host is this GitLab instance (`$CI_SERVER_FQDN`, `$CI_SERVER_HOST`), whatever its name. */
  thisInstance: boolean;
  /** The project path, predefined variables (`$CI_PROJECT_PATH`) expanded. */
  project: string;
  name: string;
  /** A tag, branch, SHA, `~latest`, or a variable (`$CI_COMMIT_SHA`). */
  version: string;
  /** The project path is `$CI_PROJECT_PATH`: the pipeline's own project. */
  sameProject: boolean;
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Parses a component address; undefined when it is not one (or its project path uses unknown variables). */
export function parseComponent(target: string, vars: VarLookup): ComponentAddress | undefined {
  const at = target.lastIndexOf('@');
  if (at <= 0) return undefined;
  const address = target.slice(0, at);
  const version = target.slice(at + 1);
  const segments = address.split('/').filter((segment) => segment !== '');
  if (segments.length < 3 || version === '') return undefined;
  const host = segments[0] ?? '';
  const name = segments[segments.length - 1] ?? '';
  const rawProject = segments.slice(1, -1).join('/');
  const unknown: string[] = [];
  const project = rawProject.replace(VARIABLE, (match, braced: string | undefined, bare: string | undefined) => {
    const value = vars(braced ?? bare ?? '');
    if (value.kind === 'value') return value.value;
    unknown.push(match);
    return match;
  });
  if (unknown.length > 0 || project.includes('$[[') || name.includes('$')) return undefined;
  return {
    host,
    thisInstance: /^\$\{?CI_SERVER_(FQDN|HOST)\}?$/.test(host),
    project,
    name,
    version,
    sameProject: /^\$\{?CI_PROJECT_PATH\}?$/.test(rawProject),
  };
}

/** Where a component's file is in its project: `templates/<name>.yml`, or `templates/<name>/template.yml`. */
export function componentFiles(name: string): string[] {
  return [`templates/${name}.yml`, `templates/${name}/template.yml`];
}
