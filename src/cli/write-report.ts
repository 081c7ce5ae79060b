import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeChunksAtomic } from '../write-atomic.js';

/** Pieces are gathered up to this many characters before a write: one write per JSON token would be slow. */
const BATCH = 1 << 20;

/**
 * Writes a report given in pieces (reportChunks) to a file, or to stdout when there is no path, as a stream that
 * waits whenever the file or the pipe is behind: the report is never held whole, in a string or in a buffer. A file
 * is written whole or not at all (writeChunksAtomic).
 */
export async function writeReport(path: string | undefined, chunks: Iterable<string>): Promise<void> {
  if (path === undefined) {
    await pipeline(Readable.from(batched(chunks)), process.stdout, { end: false });
    return;
  }
  await writeChunksAtomic(path, batched(chunks));
}

function* batched(chunks: Iterable<string>): Generator<string> {
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length >= BATCH) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}
