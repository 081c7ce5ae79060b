import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { findTools, type ToolLookup } from '../../src/render/tools.js';
import { renderFleet } from '../../src/render/render-fleet.js';
import type { FleetRender, RenderOptions, RenderedApp, RenderedObject } from '../../src/render/types.js';
import { scrubCredentials } from '../../src/secrets/redact.js';
import type { Fleet } from '../../src/model/types.js';

let tools: Promise<ToolLookup> | undefined;

/**
 * The real helm, helm3 and kustomize, from PATH or `.tools/bin` (`npm run tools` installs the pinned ones). A test
 * that renders fails without them: a skipped render test would hide a broken render stage.
 */
export async function realTools(): Promise<ToolLookup & Required<Pick<ToolLookup, 'helm' | 'kustomize' | 'helm3'>>> {
  tools ??= findTools();
  const found = await tools;
  if (!found.helm || !found.kustomize || !found.helm3) {
    throw new Error(`render tests need helm, helm3 and kustomize: ${found.missing.map((tool) => tool.reason).join('; ') || 'helm3 is not on PATH'} (run npm run tools)`);
  }
  return found as ToolLookup & Required<Pick<ToolLookup, 'helm' | 'kustomize' | 'helm3'>>;
}

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

/** A temporary folder removed after the test file. */
export async function tempFolder(prefix = 'fleetlint-render-test-'): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

/** Renders with the real tools, no cache unless asked, secrets scrubbed as the run layer does. */
export async function render(fleet: Fleet, options: RenderOptions = {}): Promise<FleetRender> {
  return renderFleet(fleet, { tools: await realTools(), cacheDir: false, scrub: scrubCredentials, ...options });
}

export function appNamed(result: FleetRender, name: string): RenderedApp {
  const app = result.apps.find((candidate) => candidate.app.name === name);
  if (!app) throw new Error(`no rendered Application ${name}; have ${result.apps.map((candidate) => candidate.app.name).join(', ')}`);
  return app;
}

export function objectNamed(app: RenderedApp, kind: string, name: string): RenderedObject {
  const object = app.objects.find((candidate) => candidate.kind === kind && candidate.name === name);
  if (!object) throw new Error(`no ${kind} ${name} in ${app.app.name}; have ${app.objects.map((candidate) => `${candidate.kind}/${candidate.name ?? ''}`).join(', ')}`);
  return object;
}

/** `file:line` of a location, for compact assertions. */
export function at(location: { file?: string; range?: { startLine: number } }): string {
  return `${location.file ?? ''}:${String(location.range?.startLine ?? 0)}`;
}
