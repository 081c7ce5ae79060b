import type { AppRef, ArgoApplication } from '../model/argocd/types.js';
import type { DocPath, FindingDraft } from '../model/findings.js';
import type { PlainMap } from '../model/k8s/value.js';
import type { RepoResolver } from '../model/types.js';
import type { AppSourceSpec, AppSpec } from './app-spec.js';
import type { CachedRender, OutputDocument } from './cache.js';
import type { RepoIndex } from './repo-index.js';
import type { ToolRun } from './run-tool.js';
import type { RenderTool } from './tools.js';
import type { RenderLocation, SourceKind, SourceStatus } from './types.js';
import type { Workspace } from './workspace.js';

/** What every step of one fleet render shares. */
export interface RenderContext {
  indexes: ReadonlyMap<string, RepoIndex>;
  resolveRepo: RepoResolver;
  /** The fleet's GitLab host and group, whose unresolved URLs are argocd-app-source's to report. */
  gitlabHost?: string;
  group?: string;
  helm?: RenderTool;
  kustomize?: RenderTool;
  helm3?: RenderTool;
  renderRemote: boolean;
  chartCacheDir: string;
  kubeVersion?: string;
  apiVersions: readonly string[];
  kustomizeBuildOptions: readonly string[];
  /** Runs a tool with the time limit, counting its time. */
  exec: (tool: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv) => Promise<ToolRun>;
  timeoutMs: number;
}

/** An Application to render: a static one from the model, or one that rendering produced. */
export interface AppTask {
  ref: AppRef;
  spec: AppSpec;
  depth: number;
  parent?: AppRef;
  /** Where a path of the Application's own manifest is. */
  locateInApp(path: DocPath): RenderLocation;
  /** The manifest file, for `changedFiles`; absent for a rendered Application. */
  manifest?: { repo: string; file: string };
  /** The model's fact, for an Application of the fleet's files (depth 0). */
  fact?: ArgoApplication;
  /** The rendered object, for an Application an app-of-apps rendered (depth > 0). */
  value?: PlainMap;
  /** A kustomization of Applications that no Application deploys (the bootstrap), rendered as if applied. */
  bootstrap?: { repo: string; file: string };
}

/**
 * A source ready to run: a tool job (cached by content hash) whose documents become objects, or a finished
 * outcome (a plain directory, a note, an error).
 */
export interface ToolJob {
  kind: 'helm' | 'kustomize';
  tool: RenderTool;
  /** Files the tool reads, by repo id: materialized into the workspace and hashed into the cache key. */
  inputs: ReadonlyMap<string, ReadonlySet<string>>;
  /** Everything besides the files that decides the output (arguments, inline values, edits). */
  settings: unknown;
  /** Bytes outside the fleet that the output depends on (a pulled chart), by digest. */
  externalDigests?: string[];
  run(workspace: Workspace): Promise<CachedRender | { timeout: string }>;
  /** Turns the tool's documents into objects with provenance. */
  provenanceOf(document: OutputDocument): SourceFileInfo;
}

export interface SourceFileInfo {
  file?: { repo: string; file: string; owned: boolean };
  configuredIn?: { repo: string; file: string };
  /** The template path as Helm printed it, for a chart outside the fleet. */
  template?: string;
}

/** A source's result before objects are made of a job's documents. */
export interface SourcePlan {
  kind?: SourceKind;
  repo?: string;
  path?: string;
  status: SourceStatus;
  job?: ToolJob;
  notes: FindingDraft[];
  errors: FindingDraft[];
  /** What provenance needs of this source: the values that can set fields. */
  setters: Setter[];
  /** Plain-directory objects, read without a tool. */
  directoryObjects?: { value: Record<string, unknown>; repo: string; file: string; docIndex: number }[];
}

/**
 * A user-owned document whose scalars may set fields of the rendered objects, in increasing precedence:
 * a chart's own values.yaml, value files, inline values, parameters; for kustomize, patches and `images`, and the
 * values of charts it inflates. `path` narrows a values document to a part of it (a kustomization's `valuesInline`).
 */
export type Setter =
  | { kind: 'values-file'; repo: string; file: string; path?: DocPath }
  | { kind: 'inline-values'; path: DocPath; value: unknown; task: AppTask }
  | { kind: 'inline-values-text'; path: DocPath; text: string; task: AppTask }
  | { kind: 'parameter'; path: DocPath; value: string; name: string; task: AppTask }
  | { kind: 'patch-file'; repo: string; file: string }
  | { kind: 'kustomize-images'; repo: string; file: string }
  | { kind: 'app-images'; path: DocPath; images: string[]; task: AppTask };

export function sourceAt(source: AppSourceSpec, ...rest: (string | number)[]): DocPath {
  return [...source.docPath, ...rest];
}

/**
 * Why a source is not rendered: an error ArgoCD would report, or a note. `path` is in the Application; `at`, when
 * given, is a better place in the fleet (a chart's `dependencies`), and `once` makes the note appear once per run.
 */
export interface Problem {
  problem: 'error' | 'note';
  message: string;
  path: DocPath;
  at?: { repo: string; file: string; path: DocPath };
  once?: string;
}
