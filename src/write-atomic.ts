import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes a file whole or not at all: into a temporary file beside it, then renamed over it. A run killed halfway,
 * or a full disk, leaves the previous file (or none), never half a report, cache or fragment that a later run or
 * job would read. The temporary file is removed when the write fails.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await atomically(path, (temporary) => writeFile(temporary, data, mode === undefined ? {} : { mode }));
}

/** The same for text given in pieces (a streamed report), which is never held whole. */
export async function writeChunksAtomic(path: string, chunks: Iterable<string>): Promise<void> {
  await atomically(path, (temporary) => pipeline(Readable.from(chunks), createWriteStream(temporary)));
}

async function atomically(path: string, write: (temporary: string) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(path)}.${String(process.pid)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await write(temporary);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
