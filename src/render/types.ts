import type { AppRef } from '../model/argocd/types.js';
import type { DocPath, FindingDraft, SourceLocation } from '../model/findings.js';
import type { PlainMap } from '../model/k8s/value.js';
import type { RenderTool, ToolLookup } from './tools.js';

/** How ArgoCD's repo-server would generate a source's manifests. */
export type SourceKind = 'helm' | 'kustomize' | 'directory' | 'plugin';

export interface RenderOptions {
  /** Explicit binaries (`--helm`, `--kustomize`); otherwise PATH, then fleetlint's `.tools/bin`. */
  helm?: string;
  kustomize?: string;
  /** A Helm 3 for kustomize's `helmCharts` (kustomize 5.7 cannot run Helm 4); `helm3` on PATH by default. */
  helm3?: string;
  /** Tools found already (a caller that renders twice); skips the lookup. */
  tools?: ToolLookup;
  /** Where renders are cached by content hash; false: no cache. Default `.fleetlint-cache/render` in the working directory. */
  cacheDir?: string | false;
  /** Render charts from Helm repositories and fetch remote dependencies and kustomize bases (off by default). */
  renderRemote?: boolean;
  /** Where charts pulled with `renderRemote` are kept. Default `<cacheDir>/charts`. */
  chartCacheDir?: string;
  /** Tool processes at once; default: the number of CPUs. */
  concurrency?: number;
  /** A tool run is killed (with its process group) after this long. Default 90 s, as ArgoCD's exec timeout. */
  timeoutMs?: number;
  /** App-of-apps levels rendered below the fleet's own Applications. Default 5. */
  maxDepth?: number;
  /** `--kube-version` for Helm when an Application does not set one (ArgoCD passes the cluster's). */
  kubeVersion?: string;
  /** `--api-versions` for Helm when an Application does not set them (ArgoCD passes the cluster's). */
  apiVersions?: readonly string[];
  /** ArgoCD's `kustomize.buildOptions` (argocd-cm), e.g. `['--enable-helm']`; by default read from the fleet's argocd-cm. */
  kustomizeBuildOptions?: readonly string[];
  /**
   * Only the Applications whose inputs include one of these files (by repo id) are rendered, with what they
   * produce: `lint --staged`. An Application's own manifest counts as one of its inputs.
   */
  changedFiles?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Applied to every message that quotes a tool's output (the run layer passes the secret scrubber). */
  scrub?: (text: string) => string;
  /** Milliseconds are added here: `render.total`, and `render.tools` (time in tool processes, summed over parallel runs). */
  timings?: Record<string, number>;
}

/** What rendering produced for the fleet. */
export interface FleetRender {
  apps: RenderedApp[];
  tools: { helm?: RenderTool; kustomize?: RenderTool; helm3?: RenderTool };
  /** ArgoCD settings the renders used, and where in the fleet they were found. */
  settings: { kustomizeBuildOptions: readonly string[]; foundIn?: { repo: string; file: string } };
  /**
   * Said once in the run's summary when a tool is missing: which sources were read statically instead.
   * Undefined when every tool that was needed was there.
   */
  fallback?: string;
  stats: RenderStats;
  /**
   * The most specific place the user owns for a field of a rendered object: the values line that set it,
   * else the manifest or template line, else the Application. `path` is a path into `object.value`.
   */
  locate(object: RenderedObject, path: DocPath): RenderLocation;
}

export interface RenderStats {
  apps: number;
  sources: number;
  /** Sources rendered with a tool or read as a plain directory. */
  rendered: number;
  /** Of `rendered`, how many came from the cache. */
  cached: number;
  errors: number;
  notes: number;
  /** Sources left to the static reading because their tool is missing. */
  staticFallback: number;
}

export interface RenderedApp {
  app: AppRef;
  /** The app-of-apps that rendered this Application; absent for the fleet's own (static) Applications. */
  parent?: AppRef;
  /** Levels below a static Application (0 for a static one). */
  depth: number;
  sources: RenderedSource[];
  objects: RenderedObject[];
  /** The Applications among `objects` (app-of-apps); each is rendered in turn as an app of its own. */
  childApplications: RenderedObject[];
  /** What was not rendered and why (severity note, rule `render-skipped`). */
  notes: FindingDraft[];
  /** Sources that failed to render as they would in ArgoCD (rule `render-error`); their static facts still apply. */
  errors: FindingDraft[];
}

export interface RenderedSource {
  index: number;
  kind?: SourceKind;
  /** The fleet repo and folder it was read from; a chart from a Helm repository has neither. */
  repo?: string;
  path?: string;
  status: SourceStatus;
}

/**
 * - `rendered`: objects come from the tool or the directory;
 * - `error`: the tool failed (a render-error finding);
 * - `static`: the tool is missing, the static reading stands;
 * - `not-rendered`: a plugin, a remote chart or base without `renderRemote`, a repo outside the fleet (a note);
 * - `missing-path`: the path is not in the fleet's copy of the repo (`argocd-app-source` reports it);
 * - `ref-only`: a multi-source entry that only provides `$ref` value files;
 * - `unchanged`: left out by `changedFiles`.
 */
export type SourceStatus = 'rendered' | 'error' | 'static' | 'not-rendered' | 'missing-path' | 'ref-only' | 'unchanged';

/** A Kubernetes object as ArgoCD would apply it, with where it came from. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  /** The object as plain JSON (kustomize's origin annotations removed). */
  value: PlainMap;
  provenance: Provenance;
}

export interface Provenance {
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

/** A place in the user's files, and how it was chosen. */
export interface RenderLocation extends SourceLocation {
  /**
   * - `values`: a values file, inline values, a parameter, a patch or a kustomize `images` entry set the field;
   * - `manifest`: the object's own line in a plain or kustomize resource file;
   * - `template`: a line of the Helm template that wrote the object;
   * - `application`: the Application (nothing more specific is in the fleet).
   */
  via: 'values' | 'manifest' | 'template' | 'application';
}
