import { posix } from 'node:path';
import type { RepoFile } from './types.js';

/**
 * Why a file is a template, an input to rendering rather than a manifest:
 *
 * - `helm`: inside a Helm chart's `templates/` folder (a `Chart.yaml` in the folder above it), or a `.tpl` file; a
 *   YAML file there without any `{{` is not one: Helm copies it as it is, so its text is its rendering;
 * - `jinja`: a Jinja or Ansible template (`*.j2`, `*.jinja`, `*.jinja2`, anything in an Ansible role's `templates/`);
 * - `go-template`: YAML holding Go-template or Jinja actions where YAML structure goes (a line that is an action,
 *   `{{- if .x }}`, `{% for %}`; a key or an unquoted value that starts with one), which no YAML tool reads as meant;
 * - `placeholders`: YAML with lines that are only substitution placeholders where keys go
 *   (`<CERT_MANAGER_ANNOTATION>`), filled in by a tool (kubefirst) before anything reads the file as YAML; or with
 *   an unquoted `${VAR}` inside a flow collection (`targets: [vault.${DOMAIN}:8200]`), which Flux's or envsubst's
 *   substitution fills in before the YAML is read (its `{` would open a flow mapping).
 */
export type TemplateKind = 'helm' | 'jinja' | 'go-template' | 'placeholders';

const JINJA_FILE = /\.(?:j2|jinja2?)$/i;
const ROLE_TEMPLATES = /(?:^|\/)roles\/[^/]+\/templates\//;
const YAML_FILE = /\.ya?ml$/i;

/**
 * Whether a repo file is a template (see TemplateKind), by its path and, for YAML outside charts and roles, by
 * its text.
 * Files that are YAML as written stay manifests even when strings in them hold `{{ }}`: a PrometheusRule's
 * `{{ $labels.pod }}`, an ApplicationSet's `'{{path.basename}}'`, an Ansible playbook's `"{{ var }}"`, a
 * ConfigMap embedding a template in a block scalar. A chart's `values.yaml`, `Chart.yaml` and `crds/` are YAML.
 *
 * `chartDirs` are the folders that hold a `Chart.yaml` (`chartDirsOf`).
 */
export function templateKindOf(path: string, text: string | undefined, chartDirs: ReadonlySet<string>): TemplateKind | undefined {
  if (path.endsWith('.tpl')) return 'helm';
  if (JINJA_FILE.test(path)) return 'jinja';
  // Helm copies a template without actions as it is: that text is its own rendering, and a manifest.
  if (isInChartTemplates(path, chartDirs) && !(YAML_FILE.test(path) && text !== undefined && !text.includes('{{'))) return 'helm';
  if (ROLE_TEMPLATES.test(path)) return 'jinja';
  if (text === undefined || !YAML_FILE.test(path)) return undefined;
  return yamlTemplateKind(text);
}

/** The folders of a repo's files that hold a `Chart.yaml`. */
export function chartDirsOf(files: readonly { path: string }[]): Set<string> {
  return new Set(files.filter((file) => posix.basename(file.path) === 'Chart.yaml').map((file) => posix.dirname(file.path)));
}

/** Sets `template` on each of the files that is one (templateKindOf). */
export function markTemplates(files: readonly RepoFile[]): void {
  const chartDirs = chartDirsOf(files);
  for (const file of files) {
    const kind = templateKindOf(file.path, file.text, chartDirs);
    if (kind !== undefined) file.template = kind;
  }
}

/** In `<chart>/templates/` at any depth, for a chart folder of the repo. */
function isInChartTemplates(path: string, chartDirs: ReadonlySet<string>): boolean {
  if (chartDirs.size === 0) return false;
  const parts = path.split('/');
  for (let index = parts.length - 2; index >= 0; index -= 1) {
    if (parts[index] !== 'templates') continue;
    if (chartDirs.has(index === 0 ? '.' : parts.slice(0, index).join('/'))) return true;
  }
  return false;
}

/** A map key at the start of a line's content: plain (no `: ` or ` #` inside), or quoted. */
const KEY = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#{[\]},&*!|>%@`-][^#]*?|-[^\s#][^#]*?)\s*:(?=\s|$)/;
/** A value that leaves the node open for a nested block: nothing, a comment, an anchor or a tag. */
const NO_VALUE = /^(?:(?:&\S+|!\S*)\s*)*(?:#.*)?$/;
/** A line that is only placeholders such as `<CERT_MANAGER_ISSUER_ANNOTATION_1>`. */
const PLACEHOLDER_LINE = /^(?:<[A-Z][A-Z0-9_]*>\s*)+$/;

/**
 * Reads a YAML text line by line, as YAML nests it: the lines more indented than a key (or `- `) that has a
 * value on its own line are that value's continuation (a multi-line scalar, a block scalar, a flow collection)
 * and are text, whatever they hold. Among the other lines, the first whose content (after any `- `) starts with
 * a template action, or is a key whose value does, or is only placeholders, decides. Cheap enough to run on every
 * YAML file before parsing.
 */
export function yamlTemplateKind(text: string): TemplateKind | undefined {
  if (!text.includes('{{') && !text.includes('{%') && !text.includes('{#') && !text.includes('<') && !text.includes('${')) return undefined;
  // Lines more indented than this belong to the value of the line that set it.
  let valueIndent = -1;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let indent = start;
    while (indent < end && text.charCodeAt(indent) === 32) indent++;
    let column = indent - start;
    let content = text.slice(indent, end).replace(/\r$/, '');
    start = end + 1;
    if (content === '' || content.startsWith('#')) continue;
    if (column > valueIndent && valueIndent >= 0) continue;
    valueIndent = -1;
    if (column === 0 && (content.startsWith('---') || content.startsWith('...'))) continue;
    let dashColumn = -1;
    for (let dash = /^-(?:\s+|$)/.exec(content); dash; dash = /^-(?:\s+|$)/.exec(content)) {
      dashColumn = column;
      column += dash[0].length;
      content = content.slice(dash[0].length);
    }
    if (content === '' || content.startsWith('#')) continue;
    if (content.startsWith('{{') || content.startsWith('{%') || content.startsWith('{#')) return 'go-template';
    // `- <NAME>` is a list item with a placeholder value, valid YAML; a bare one stands where keys go.
    if (dashColumn < 0 && content.startsWith('<') && PLACEHOLDER_LINE.test(content)) return 'placeholders';
    if (dashColumn >= 0 && isSubstitutedFlow(content)) return 'placeholders';
    const key = KEY.exec(content);
    if (key) {
      const value = content.slice(key[0].length).trim();
      if (value.startsWith('{{') || value.startsWith('{%')) return 'go-template';
      if (isSubstitutedFlow(value)) return 'placeholders';
      if (!NO_VALUE.test(value)) valueIndent = column;
    } else if (dashColumn >= 0) {
      valueIndent = dashColumn;
    }
  }
  return undefined;
}

/** A flow collection with an unquoted `${VAR}` in it: valid YAML only once the variable is substituted. */
function isSubstitutedFlow(value: string): boolean {
  if (!value.startsWith('[') && !value.startsWith('{')) return false;
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, '');
  return /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(unquoted);
}
