import type { FactOrigin } from '../origin.js';
import type { YamlDocument } from '../yaml/parse.js';

/** A Helm values file (`values*.yaml` in a chart or `helm/` folder), source-mapped. */
export interface HelmValuesFile {
  file: string;
  document: YamlDocument;
}

export interface HelmChart {
  file: string;
  name?: string;
  version?: string;
  appVersion?: string;
  origin: FactOrigin;
}

export interface HelmFacts {
  values: HelmValuesFile[];
  charts: HelmChart[];
}
