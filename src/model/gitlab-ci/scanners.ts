/**
 * The one table of security scanners fleetlint recognises in a CI script line, by scan category, and of the ways a
 * script tells a scanner to pass whatever it finds. The model turns it into each job's `scans` facts (scans.ts);
 * required-scans decides, from those facts, what is missing, not gating or non-blocking. A fleet adds its own
 * scanners with the config's `scanners` (appended to this table).
 */

/** A scanner: the category of scan it makes, its name as messages show it, and how a script line runs it. */
export interface ScannerDefinition {
  /** `iac`, `manifests`, `image`, `secrets`, or a category of the fleet's own. */
  category: string;
  /** The command as people call it: `trivy config`, `checkov`. */
  tool: string;
  /** Matches a script line that runs it (anywhere in the line, as a shell would). */
  pattern: RegExp;
}

const scanner = (category: string, tool: string, pattern: RegExp): ScannerDefinition => ({ category, tool, pattern });

/** Built-in scanners, in the order messages list them per category. */
export const SCANNERS: readonly ScannerDefinition[] = [
  scanner('iac', 'checkov', /\bcheckov\b/),
  scanner('iac', 'tfsec', /\btfsec\b/),
  scanner('iac', 'terrascan', /\bterrascan\b/),
  scanner('iac', 'kics', /\bkics\b/),
  scanner('iac', 'trivy config', /\btrivy\s+(config|conf)\b/),
  scanner('manifests', 'kubescape', /\bkubescape\b/),
  scanner('manifests', 'trivy config', /\btrivy\s+(config|conf|k8s|kubernetes)\b/),
  scanner('manifests', 'polaris', /\bpolaris\b/),
  scanner('manifests', 'kube-score', /\bkube-score\b/),
  scanner('manifests', 'kube-linter', /\bkube-linter\b/),
  // Plain checkov scans Terraform; it scans manifests only when told to.
  scanner('manifests', 'checkov --framework kubernetes/helm', /\bcheckov\b.*--framework[= ]+\S*(kubernetes|helm)/),
  scanner('image', 'trivy image', /\btrivy\s+(image|i)\b/),
  scanner('image', 'grype', /\bgrype\b/),
  scanner('image', 'snyk container', /\bsnyk\s+container\b/),
  scanner('secrets', 'gitleaks', /\bgitleaks\b/),
  scanner('secrets', 'trufflehog', /\btrufflehog\b/),
  scanner('secrets', 'detect-secrets', /\bdetect-secrets\b/),
];

/** Script text that makes a scanner pass whatever it finds: `--exit-code 0`, `--soft-fail`, `|| true`, ... */
export const NON_FAILING_PATTERNS: readonly RegExp[] = [/--exit-code[= ]+0\b/, /--soft-fail\b/, /\|\|\s*true\b/, /--exit-zero\b/, /--no-fail\b/];

/** A scanner of the config's `scanners` list, as written there. */
export interface ScannerSetting {
  category: string;
  tool: string;
  /** A JavaScript regular expression, matched anywhere in a script line. */
  pattern: string;
}

/** The built-in table with the fleet's own scanners after it. */
export function scannerTable(settings: readonly ScannerSetting[] = []): readonly ScannerDefinition[] {
  if (settings.length === 0) return SCANNERS;
  return [...SCANNERS, ...settings.map((setting) => scanner(setting.category, setting.tool, new RegExp(setting.pattern)))];
}
