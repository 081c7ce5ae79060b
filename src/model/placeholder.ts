/**
 * Substitution placeholders: text that a tool replaces before the value means anything. A value holding one is
 * unknown, not wrong: rules skip it (or give a note) instead of reporting an invalid wave, image or field.
 *
 * - `${VAR}`, `${VAR:-default}`, `$VAR`: envsubst, ArgoCD's config-management plugins (`$ARGOCD_ENV_*`), Flux
 *   post-build substitution, CI variables;
 * - `{{ ... }}`: Go templates (Helm, ApplicationSets) and Jinja left unrendered;
 * - `<PLACEHOLDER>`, `<cluster-name>`: markers a bootstrap tool or a person fills in (kubefirst);
 * - `((var))`: Concourse and Carvel ytt-style parameters.
 *
 * Words that only look like placeholders (`changeme`, `REPLACE_ME`) are values as far as a tool is concerned;
 * they are not recognized here.
 */
const PLACEHOLDER = /\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+-][^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*?\}\}|<[A-Za-z][A-Za-z0-9_.-]*>|\(\([^()\s]+\)\)/s;

/** The first placeholder in `text`, as written; undefined when there is none. */
export function placeholderIn(text: string): string | undefined {
  return PLACEHOLDER.exec(text)?.[0];
}

/** True when `text` holds a placeholder: its value is known only after substitution. */
export function isUnresolvedPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text);
}

/** Every placeholder in `text`, with where it starts. */
export function placeholdersIn(text: string): { text: string; index: number }[] {
  const found: { text: string; index: number }[] = [];
  const pattern = new RegExp(PLACEHOLDER.source, 'gs');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) found.push({ text: match[0], index: match.index });
  return found;
}
