/**
 * Worker thread entry: builds the repos the main thread asks for (see build-in-threads.ts). It gets every repo's
 * texts up front, since a repo's CI may include files of any other repo.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RepoBuilder } from './repo-builder.js';
import { repoMessage } from './repo-transfer.js';
import type { BuildWorkerData, BuiltBatch } from './build-in-threads.js';

const port = parentPort;
if (!port) throw new Error('build-worker runs as a worker thread');
const data = workerData as BuildWorkerData;
const builder = new RepoBuilder(data.settings, data.repos);

port.on('message', (ids: string[]) => {
  const batch: BuiltBatch = ids.map((id) => {
    try {
      return { id, message: repoMessage(builder.build(id)) };
    } catch (error) {
      return { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
  });
  port.postMessage(batch);
});
