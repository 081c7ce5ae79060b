import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Socket } from 'node:net';

interface Pending {
  oid: string;
  resolve: (blob: Buffer) => void;
  reject: (error: Error) => void;
}

/**
 * Reads blobs through one long-lived `git cat-file --batch` per repository: each read is a line on its
 * stdin, so reading N files costs one process instead of N. The process starts on the first read, keeps
 * the event loop alive only while reads are pending, and ends with `close()` (or with fleetlint itself,
 * since git exits when its stdin closes).
 */
export class BlobReader {
  #process: CatFileBatch | undefined;

  constructor(readonly cwd: string) {}

  read(oid: string): Promise<Buffer> {
    if (!this.#process || this.#process.dead) this.#process = new CatFileBatch(this.cwd);
    return this.#process.read(oid);
  }

  close(): void {
    this.#process?.end();
    this.#process = undefined;
  }
}

/** One `git cat-file --batch` process and the requests written to it, answered in order. */
class CatFileBatch {
  dead = false;
  readonly #child: ChildProcessWithoutNullStreams;
  #pending: Pending[] = [];
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Size of the body the first pending request is waiting for, once its header has arrived. */
  #bodySize: number | undefined;
  #stderr = '';

  constructor(cwd: string) {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: 'pipe' });
    this.#child = child;
    child.stdout.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      this.#drain();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    // A write to a dead process surfaces here and as 'close'; 'close' rejects what is pending.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      this.#fail(error.message);
    });
    child.on('close', (code) => {
      this.#fail(this.#stderr.trim() || `git cat-file exited with code ${String(code)}`);
    });
  }

  read(oid: string): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      this.#pending.push({ oid, resolve, reject });
      this.#keepAlive(true);
      this.#child.stdin.write(`${oid}\n`);
    });
  }

  end(): void {
    this.#child.stdin.end();
  }

  /** Answers every pending request whose full response has arrived. */
  #drain(): void {
    for (;;) {
      const head = this.#pending[0];
      if (!head) {
        this.#keepAlive(false);
        return;
      }
      if (this.#bodySize === undefined) {
        const line = this.#takeLine();
        if (line === undefined) return;
        const [, type, size] = line.split(' ');
        if (type === 'missing' || size === undefined) {
          this.#pending.shift();
          head.reject(new Error(`object ${head.oid} is missing`));
          continue;
        }
        this.#bodySize = Number(size);
      }
      // The body is followed by one newline.
      if (this.#buffered < this.#bodySize + 1) return;
      const body = this.#take(this.#bodySize + 1).subarray(0, this.#bodySize);
      this.#bodySize = undefined;
      this.#pending.shift();
      head.resolve(body);
    }
  }

  #takeLine(): string | undefined {
    const end = this.#joined().indexOf(0x0a);
    if (end < 0) return undefined;
    return this.#take(end + 1).subarray(0, end).toString();
  }

  #take(length: number): Buffer {
    const all = this.#joined();
    const rest = all.subarray(length);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return all.subarray(0, length);
  }

  /** The buffered output as one Buffer; joined only when a response is complete or a header is sought. */
  #joined(): Buffer {
    const [first] = this.#chunks;
    const all = this.#chunks.length === 1 && first ? first : Buffer.concat(this.#chunks);
    this.#chunks = all.length > 0 ? [all] : [];
    return all;
  }

  #fail(reason: string): void {
    this.dead = true;
    const pending = this.#pending;
    this.#pending = [];
    for (const request of pending) request.reject(new Error(`git cat-file failed: ${reason}`));
  }

  /** Ref the process only while reads are pending, so an idle reader never keeps fleetlint running. */
  #keepAlive(active: boolean): void {
    for (const handle of [this.#child, this.#child.stdin, this.#child.stdout, this.#child.stderr]) {
      if (handle instanceof Socket || handle === this.#child) {
        if (active) handle.ref();
        else handle.unref();
      }
    }
  }
}

/** Sizes of many blobs from one `git cat-file --batch-check`, without reading their content. */
export async function blobSizes(cwd: string, oids: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (oids.length === 0) return sizes;
  const output = await runGit(cwd, ['cat-file', '--batch-check'], oids.map((oid) => `${oid}\n`).join(''));
  for (const line of output.split('\n')) {
    const [oid, type, size] = line.split(' ');
    if (oid && type !== 'missing' && size !== undefined) sizes.set(oid, Number(size));
  }
  return sizes;
}

function runGit(cwd: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: 'pipe' });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new Error(`git ${args.join(' ')} failed: ${err.trim() || `exit code ${String(code)}`}`));
    });
    child.stdin.end(input);
  });
}
