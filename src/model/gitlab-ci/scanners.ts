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

/**
 * GitLab's own CI templates and CI/CD components that run a scanner, known by name: fleetlint does not fetch them
 * (they are outside the fleet), but what they run is public and stable. Each adds its jobs to the pipeline with
 * GitLab's stage, `allow_failure: true` (GitLab's analyzers report findings to the security widget and leave
 * blocking to merge request approval policies) and GitLab's rules: stable templates run in branch pipelines only;
 * `.latest` templates and components also in merge-request pipelines. A job of the same name in the pipeline is
 * merged over it, as GitLab does. Any other GitLab template or `components/` component provides no scan.
 */
export interface KnownProvider {
  type: 'template' | 'component';
  /** The template name, or the component's project path and name (`components/sast/sast`). */
  pattern: RegExp;
  category: string;
  tool: string;
  jobs: readonly string[];
  stage: string;
  /** Runs in merge-request pipelines (`.latest` templates, components), not only in branch pipelines. */
  mergeRequests: boolean;
}

const templates = (name: string): RegExp => new RegExp(`^(?:Jobs|Security)/${name}(\\.latest)?\\.gitlab-ci\\.yml$`);
const components = (project: string, names: string): RegExp => new RegExp(`^components/${project}/(?:${names})$`);

export const KNOWN_PROVIDERS: readonly KnownProvider[] = [
  { type: 'template', pattern: templates('Secret-Detection'), category: 'secrets', tool: 'GitLab secret detection', jobs: ['secret_detection'], stage: 'test', mergeRequests: false },
  { type: 'template', pattern: templates('Container-Scanning'), category: 'image', tool: 'GitLab container scanning', jobs: ['container_scanning'], stage: 'test', mergeRequests: false },
  { type: 'template', pattern: templates('SAST-IaC'), category: 'iac', tool: 'GitLab IaC scanning', jobs: ['kics-iac-sast'], stage: 'test', mergeRequests: false },
  { type: 'template', pattern: templates('SAST'), category: 'sast', tool: 'GitLab SAST', jobs: ['semgrep-sast', 'gitlab-advanced-sast'], stage: 'test', mergeRequests: false },
  { type: 'template', pattern: templates('Dependency-Scanning'), category: 'dependencies', tool: 'GitLab dependency scanning', jobs: ['gemnasium-dependency_scanning'], stage: 'test', mergeRequests: false },
  { type: 'template', pattern: /^(?:Jobs\/)?Code-Quality\.gitlab-ci\.yml$/, category: 'code-quality', tool: 'GitLab code quality', jobs: ['code_quality'], stage: 'test', mergeRequests: false },
  { type: 'component', pattern: components('secret-detection', 'secret-detection|main'), category: 'secrets', tool: 'GitLab secret detection', jobs: ['secret_detection'], stage: 'test', mergeRequests: true },
  { type: 'component', pattern: components('container-scanning', 'container-scanning|main'), category: 'image', tool: 'GitLab container scanning', jobs: ['container_scanning'], stage: 'test', mergeRequests: true },
  { type: 'component', pattern: components('sast', 'iac-sast'), category: 'iac', tool: 'GitLab IaC scanning', jobs: ['kics-iac-sast'], stage: 'test', mergeRequests: true },
  { type: 'component', pattern: components('sast', 'sast|main'), category: 'sast', tool: 'GitLab SAST', jobs: ['semgrep-sast', 'gitlab-advanced-sast'], stage: 'test', mergeRequests: true },
  { type: 'component', pattern: components('dependency-scanning', 'main|dependency-scanning|[a-z-]+'), category: 'dependencies', tool: 'GitLab dependency scanning', jobs: ['dependency-scanning'], stage: 'test', mergeRequests: true },
  { type: 'component', pattern: components('code-quality', 'code-quality|main'), category: 'code-quality', tool: 'GitLab code quality', jobs: ['code_quality'], stage: 'test', mergeRequests: true },
];

/** The known template or component of that name, if any. */
export function knownProvider(type: KnownProvider['type'], name: string): KnownProvider | undefined {
  const bare = type === 'template' ? name.replace(/^\/+/, '') : name;
  const known = KNOWN_PROVIDERS.find((provider) => provider.type === type && provider.pattern.test(bare));
  return known && type === 'template' && bare.includes('.latest.') ? { ...known, mergeRequests: true } : known;
}

/** The rules GitLab gives its scanner jobs, as YAML values (see KnownProvider). */
export function providerRules(provider: KnownProvider): Record<string, string>[] {
  if (!provider.mergeRequests) return [{ if: '$CI_COMMIT_BRANCH' }];
  return [
    { if: '$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS', when: 'never' },
    { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
    { if: '$CI_COMMIT_BRANCH' },
  ];
}
