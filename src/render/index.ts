/**
 * The render stage: what ArgoCD would deploy for each Application, with the real helm and kustomize, and where
 * each rendered field comes from in the user's files. It reads the model (and through it the sources) only.
 */
export { renderFleet } from './render-fleet.js';
export { findTools, type RenderTool, type ToolLookup, type ToolName } from './tools.js';
export { readAppSpec, type AppSourceSpec, type AppSpec } from './app-spec.js';
export type { FleetRender, Provenance, RenderLocation, RenderOptions, RenderStats, RenderedApp, RenderedObject, RenderedSource, SourceKind, SourceStatus } from './types.js';
