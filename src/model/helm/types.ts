import type { FactOrigin } from '../origin.js';
import type { YamlDocument } from '../yaml/parse.js';

/**
 * A Helm values file, source-mapped. Which files count is decided in `values-files.ts`: files named like values
 * (`values.yaml`, `values-prod.yml`, `prod-values.yaml`) anywhere outside a chart's `templates/`, and any file an
 * Application of the repo names in `helm.valueFiles`.
 */
export interface HelmValuesFile {
  file: string;
  document: YamlDocument;
  /** True when an Application of this repo names the file in `helm.valueFiles`. */
  referenced: boolean;
}

export interface HelmChart {
  file: string;
  /** The chart's folder (`helm`, `.` for a chart at the repo root). */
  dir: string;
  name?: string;
  version?: string;
  appVersion?: string;
  origin: FactOrigin;
}

export interface HelmFacts {
  values: HelmValuesFile[];
  charts: HelmChart[];
}
