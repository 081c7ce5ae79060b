/**
 * What each Application would apply: its desired objects as ArgoCD's repo-server would generate them, each with
 * where it came from. The model defines the shape; the render stage (src/render/) fills it in the run's render
 * phase, and rules and fleet-wide facts read it from `Fleet.desired`.
 */
import type { AppRef } from './argocd/types.js';
import type { DocPath } from './findings.js';
import type { PlainMap } from './k8s/value.js';
import type { FactOrigin } from './origin.js';

/** How ArgoCD's repo-server generates a source's manifests. */
export type SourceKind = 'helm' | 'kustomize' | 'directory' | 'plugin';

/**
 * What became of a source:
 * - `rendered`: objects come from the tool or the directory;
 * - `error`: the tool failed (a render-error finding);
 * - `static`: the tool is missing, the static reading stands;
 * - `not-rendered`: a plugin, a remote chart or base without `renderRemote`, a repo outside the fleet (a note);
 * - `missing-path`: the path is not in the fleet's copy of the repo (`argocd-app-source` reports it);
 * - `ref-only`: a multi-source entry that only provides `$ref` value files;
 * - `unchanged`: left out by `changedFiles` (`lint --staged`): rendered in other runs, not in this one.
 */
export type SourceStatus = 'rendered' | 'error' | 'static' | 'not-rendered' | 'missing-path' | 'ref-only' | 'unchanged';

/** Where a desired object was written. */
export interface ObjectProvenance {
  /** The Application that applies it. */
  app: AppRef;
  sourceIndex: number;
  kind: SourceKind;
  /**
   * The file the object was written in: a Helm template (`# Source:`), a kustomize resource (origin
   * annotation), a plain manifest. `owned`: the file is in the fleet (not in a pulled chart or remote base).
   * `docIndex` only for plain manifests, whose positions are exact.
   */
  file?: { repo: string; file: string; docIndex?: number; owned: boolean };
  /** Kustomize generators: the kustomization that configured the object. */
  configuredIn?: { repo: string; file: string };
}

/** A Kubernetes object as ArgoCD would apply it, with where it came from. */
export interface DesiredObject {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  /** The object as plain JSON (kustomize's origin annotations removed). */
  value: PlainMap;
  provenance: ObjectProvenance;
}

/** One source of an Application, as rendered. */
export interface DesiredSource {
  index: number;
  kind?: SourceKind;
  /** The fleet repo and folder it was read from; a chart from a Helm repository has neither. */
  repo?: string;
  path?: string;
  status: SourceStatus;
}

/** An Application and everything it would apply. */
export interface DesiredApplication {
  app: AppRef;
  /** The app-of-apps whose render produced this Application; absent for one written in the fleet's files. */
  parent?: AppRef;
  /** App-of-apps levels below an Application written in the fleet's files (0 for one of those). */
  depth: number;
  sources: DesiredSource[];
  /** Every object, child Applications included, in the order the tools printed them. */
  objects: DesiredObject[];
  /**
   * True when every source was rendered (or only provides `$ref` values): `objects` is all the Application
   * applies. False when a source failed, was not rendered, or kept its static reading: `objects` is a part.
   */
  complete: boolean;
}

/** Where a field of a desired object was set, and how that place was chosen. */
export interface DesiredLocation extends FactOrigin {
  /**
   * - `values`: a values file, inline values, a parameter, a kustomize patch or `images` entry set the field;
   * - `manifest`: the object's own line in a plain manifest or kustomize resource (or the kustomization whose
   *   generator made it);
   * - `template`: a line of the Helm template that wrote the object;
   * - `application`: the Application's source (nothing more specific is in the fleet).
   */
  via: 'values' | 'manifest' | 'template' | 'application';
}

/** The desired state of the fleet: what the render phase computed. */
export interface DesiredState {
  /**
   * Whether rendering ran. `fallback` says which sources kept their static reading for want of a tool; `reason`
   * why rendering did not run at all (`--no-render`, a shard). Both are said in the run's summary.
   */
  rendering: { ran: true; fallback?: string } | { ran: false; reason: string };
  /** Every Application rendered, sorted by repo and name; each Application once. */
  apps: DesiredApplication[];
  /** The most specific place the user owns for a field of an object of `apps`: a path into `object.value`. */
  locate(object: DesiredObject, path: DocPath): DesiredLocation;
}

/** A desired state in which nothing was rendered. */
export function notRendered(reason: string): DesiredState {
  return {
    rendering: { ran: false, reason },
    apps: [],
    locate: (object) => {
      throw new Error(`the ${object.kind} ${object.name ?? ''} was not rendered: ${reason}`);
    },
  };
}
