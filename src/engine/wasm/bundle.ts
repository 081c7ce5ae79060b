import { readFile } from 'node:fs/promises';
import { list } from 'tar';

/** What the host needs from a compiled policy: the module and the data that ships next to it. */
export interface PolicyArtifact {
  wasm: Uint8Array;
  /** The bundle's `data.json` (opa keeps data out of the module); `{}` for a bare `.wasm`. */
  data: Record<string, unknown>;
}

export class PolicyArtifactError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'PolicyArtifactError';
  }
}

/** Reads an `opa build -t wasm` bundle (`.tar.gz`) or a bare `policy.wasm`. */
export async function readPolicyArtifact(path: string): Promise<PolicyArtifact> {
  if (path.endsWith('.wasm')) return { wasm: await readFile(path), data: {} };
  const entries = await readTarEntries(path);
  const wasm = entries.get('policy.wasm');
  if (wasm === undefined) throw new PolicyArtifactError(path, 'no /policy.wasm in the bundle; build it with `opa build -t wasm`');
  const dataText = entries.get('data.json')?.toString('utf8') ?? '{}';
  let data: unknown;
  try {
    data = JSON.parse(dataText);
  } catch (error) {
    throw new PolicyArtifactError(path, `data.json is not valid JSON: ${String(error)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new PolicyArtifactError(path, 'data.json must hold an object');
  return { wasm, data: data as Record<string, unknown> };
}

async function readTarEntries(path: string): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  try {
    await list({
      file: path,
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        // opa writes absolute member names (`/policy.wasm`).
        entry.on('end', () => entries.set(entry.path.replace(/^\/+/, ''), Buffer.concat(chunks)));
      },
    });
  } catch (error) {
    throw new PolicyArtifactError(path, `not a readable bundle: ${error instanceof Error ? error.message : String(error)}`);
  }
  return entries;
}
