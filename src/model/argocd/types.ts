import type { DocPath } from '../findings.js';
import type { FactOrigin } from '../origin.js';

export interface ArgoSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  helmValueFiles: string[];
  /** The fleet repo the repoURL names, when it names one (host and `.git` ignored). */
  fleetRepo?: string;
  /** `ref` of a multi-source entry, which other sources' value files name as `$ref/...`. */
  ref?: string;
  /** Path of `helm.valuesObject` in the Application's document, when the source has inline values. */
  helmValuesObjectPath?: DocPath;
  /** `directory.recurse: true`: a plain-manifest source reads subfolders too (ArgoCD's default is not to). */
  directoryRecurse?: boolean;
  origin: FactOrigin;
}

export interface ArgoApplication {
  kind: 'Application';
  name: string;
  namespace?: string;
  project?: string;
  sources: ArgoSource[];
  destination: { server?: string; name?: string; namespace?: string };
  automatedSync: boolean;
  /** The parsed `argocd.argoproj.io/sync-wave`; 0 when the annotation is missing, as ArgoCD does. */
  wave: number;
  /** The annotation's raw text, when present. */
  waveAnnotation?: string;
  /** False when the annotation is present but is not an integer. */
  waveValid: boolean;
  /**
   * Why the wave is not valid: not an integer (ArgoCD then falls back to 0), or written as a YAML number or
   * other non-string (the API server rejects non-string annotation values; `wave` still holds the number).
   */
  waveProblem?: 'not-an-integer' | 'not-a-string';
  /**
   * True when the annotation is a substitution placeholder (`"${ARGOCD_ENV_wave}"`, envsubst, a plugin): the wave
   * is known only once substituted. `wave` is then 0 and `waveValid` true (nothing is known to be wrong); checks
   * that compare waves skip the app.
   */
  waveUnknown?: true;
  /** Names from `fleetlint.dev/depends-on`. */
  declaredDependsOn: string[];
  /** Where `fleetlint.dev/depends-on` is, when present. */
  dependsOnOrigin?: FactOrigin;
  /** Keys under `spec` that the Application CRD does not have (e.g. the seed's `syncWaves`). */
  unknownSpecKeys: string[];
  /** Where each unknown spec key is, in the order of `unknownSpecKeys`. */
  unknownSpecKeyOrigins: FactOrigin[];
  origin: FactOrigin;
  /** Where the wave annotation is (or `metadata` when there is none). */
  waveOrigin: FactOrigin;
  /**
   * The app-of-apps chain above this Application, parent first, up to the root: set by `assignAppOfAppsAncestors`
   * once the whole fleet is loaded. Absent when no fleet Application deploys this one.
   */
  ancestors?: AppRef[];
  /**
   * The ApplicationSet that generates this Application (in the same repo), set by `expandApplicationSets`: its
   * positions are in the ApplicationSet's template. Absent for an Application written as a manifest.
   */
  generatedBy?: AppRef;
  /**
   * Where the Application's object is in its document, for paths to its fields (`[...documentPath, 'spec',
   * 'project']`): absent for a manifest (the document itself), `['spec', 'template']` for a generated one.
   */
  documentPath?: DocPath;
}

/** An Application by the repo its manifest is in and its name. */
export interface AppRef {
  repo: string;
  name: string;
}

export interface ArgoAppProject {
  kind: 'AppProject';
  name: string;
  sourceRepos: string[];
  destinations: { server?: string; name?: string; namespace?: string }[];
  origin: FactOrigin;
}

export interface ArgoApplicationSet {
  kind: 'ApplicationSet';
  name: string;
  origin: FactOrigin;
}

export interface ArgoFacts {
  applications: ArgoApplication[];
  projects: ArgoAppProject[];
  applicationSets: ArgoApplicationSet[];
}
