import type { CheckMeta } from './check.js';

/**
 * Findings fleetlint itself raises about its input or its own run, rather than policy violations. They have
 * metadata like any rule so that they can be configured, documented and listed in SARIF.
 */
function diagnostic(id: string, defaultSeverity: CheckMeta['defaultSeverity'], shortDescription: string, help: string): CheckMeta {
  return {
    id,
    shortDescription,
    fullDescription: `${shortDescription}. ${help}`,
    defaultSeverity,
    help,
    docsPath: `docs/rules/${id}.md`,
    tags: ['fleetlint-diagnostic'],
    scope: 'repo',
    implementation: 'typescript',
  };
}

export const DIAGNOSTICS: readonly CheckMeta[] = [
  diagnostic('config-error', 'error', 'A fleet manifest entry is invalid', 'Fix the entry in fleet.yaml at the line given; the rest of the fleet is still checked.'),
  diagnostic('crawl-error', 'error', 'A repository could not be found, listed or cloned', 'The repository is left out of this run; the message names the cause.'),
  diagnostic('expired-waiver', 'warning', 'A waiver in the config has expired', 'Its findings are reported again. Fix them, or renew the waiver with a new expiry date and a reason.'),
  diagnostic('internal-error', 'error', 'A check failed while running', 'fleetlint went on with the other checks. Please report the message, which names the check, as a bug.'),
  diagnostic('invalid-suppression', 'warning', 'A suppression comment is malformed', 'Write `# fleetlint-disable-next-line <rule-id> -- <reason>`; a reason is required.'),
  diagnostic('parse-error', 'error', 'A YAML file could not be parsed', 'The file is skipped by the checks that need its content until the syntax error is fixed.'),
  diagnostic('skipped-file', 'note', 'A file was not read', 'Files over the size limit are not read; their content is not checked.'),
  diagnostic('unreadable-file', 'error', 'A file could not be read or decoded', 'The file is not checked. Make it readable UTF-8 text, or remove it from the repository.'),
  diagnostic('unexpanded-applicationset', 'note', 'An ApplicationSet generator could not be evaluated from the fleet', 'List, git (directories and files, on fleet repositories), cluster (over fleet.yaml `argocd.clusters`), matrix and merge generators are expanded; SCM provider, pull request, cluster decision resource and plugin generators need ArgoCD, and git generators on repositories outside the fleet need their files. The Applications they generate are not checked.'),
  diagnostic('unresolved-include', 'error', 'A GitLab CI include could not be resolved', 'Includes of project files are resolved from the fleet; templates, remote URLs and components cannot be read offline and are reported as notes.'),
  diagnostic('unused-suppression', 'warning', 'A suppression or waiver matches no finding', 'Remove it, so that it cannot hide a future finding by accident.'),
];
