import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from './repo-index.js';

/** A document of a tool's output, with where it came from: Helm's `# Source:` comment, kustomize's origin. */
export interface OutputDocument {
  source?: string;
  /** The fleet file kustomize read the object from. */
  origin?: { repo: string; file: string };
  /** The fleet kustomization whose generator made the object. */
  configuredIn?: { repo: string; file: string };
  value: unknown;
}

/** What a render gave: the parsed documents, or the tool's failure (already redacted). */
export type CachedRender = { ok: true; documents: OutputDocument[] } | { ok: false; message: string };

const FORMAT = 1;

/**
 * Renders by content hash in `<dir>/<2 hex>/<hash>.json`. The key covers every input byte the tool reads (by
 * digest), its arguments with the workspace written as repo slots, and the tool's version, so a hit is what
 * the tool would print again. Files are written under a temporary name and renamed, so concurrent runs never
 * read half a file. Timeouts are not cached: a hang may be the machine's, not the chart's.
 */
export class RenderCache {
  constructor(readonly dir: string | undefined) {}

  static key(parts: unknown): string {
    return sha256(JSON.stringify([FORMAT, parts]));
  }

  async get(key: string): Promise<CachedRender | undefined> {
    if (this.dir === undefined) return undefined;
    try {
      const parsed = JSON.parse(await readFile(this.#file(key), 'utf8')) as unknown;
      return isCachedRender(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: CachedRender): Promise<void> {
    if (this.dir === undefined) return;
    const file = this.#file(key);
    const temp = `${file}.${String(process.pid)}.${String(Math.random()).slice(2)}.tmp`;
    try {
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await writeFile(temp, JSON.stringify(value));
      await rename(temp, file);
    } catch {
      // A cache that cannot be written only costs the next run a render.
    }
  }

  #file(key: string): string {
    return join(this.dir as string, key.slice(0, 2), `${key}.json`);
  }
}

function isCachedRender(value: unknown): value is CachedRender {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (record.ok === true && Array.isArray(record.documents)) || (record.ok === false && typeof record.message === 'string');
}
