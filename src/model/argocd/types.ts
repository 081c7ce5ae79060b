import type { FactOrigin } from '../origin.js';

export interface ArgoSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  helmValueFiles: string[];
  /** The fleet repo the repoURL names, when it names one (host and `.git` ignored). */
  fleetRepo?: string;
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
  /** Names from `fleetlint.dev/depends-on`. */
  declaredDependsOn: string[];
  /** Keys under `spec` that the Application CRD does not have (e.g. the seed's `syncWaves`). */
  unknownSpecKeys: string[];
  origin: FactOrigin;
  /** Where the wave annotation is (or `metadata` when there is none). */
  waveOrigin: FactOrigin;
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
