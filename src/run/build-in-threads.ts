import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FleetSettings } from '../model/types.js';
import type { RepoTexts } from '../model/read-files.js';
import type { RepoMessage } from '../model/repo-transfer.js';
import type { FleetlintConfig } from '../engine/config-types.js';
import type { RepoCheckResults } from '../engine/repo-checks.js';
import { THREADED_FLEET_SIZE } from '../concurrency.js';
import { packageRoot } from '../package.js';

export interface BuildWorkerData {
  settings: FleetSettings;
  repos: { id: string; texts: RepoTexts }[];
  /** Fleet repos that could not be read (see LoadFleetOptions.unavailable). */
  unavailable?: string[];
  /** When given, the repo-scope TypeScript rules are evaluated on each repo built, with this config. */
  checkConfig?: FleetlintConfig;
}

/** A repo built in a thread: its facts as data, and the results of its repo-scope TypeScript rules when asked for. */
export interface BuiltRepo {
  message: RepoMessage;
  checks?: RepoCheckResults;
}

/** What a worker sends back for one batch of repo ids, with its time spent parsing YAML so far. */
export interface BuiltBatch {
  built: ({ id: string } & (BuiltRepo | { error: string }))[];
  parseMs: number;
}

/** Default build threads at most: each holds every repo's texts, so memory grows with their number. */
const MAX_DEFAULT_THREADS = 8;

/** The default number of build threads for a fleet: one per CPU (at most 8) for a large fleet, none (1) for a small one. */
export function threadsFor(repoCount: number): number {
  return repoCount >= THREADED_FLEET_SIZE ? Math.min(availableParallelism(), MAX_DEFAULT_THREADS) : 1;
}

/** Repos per request: small enough that both threads finish together, large enough that messages are few. */
const BATCH_SIZE = 25;

/**
 * Parsing YAML and building facts is most of a large audit's time, and each repo's work is independent: it is
 * spread over worker threads (the bundled dist/build-worker.mjs), each asking for the next batch when done.
 * Results come back in the order of `ids`. Each worker holds every repo's texts (any repo may include another's
 * CI files); the texts are a small part of the memory a build needs.
 */
export async function buildReposInThreads(data: BuildWorkerData, ids: readonly string[], threads: number): Promise<{ built: BuiltRepo[]; parseMs: number }> {
  const script = join(packageRoot(), 'dist', 'build-worker.mjs');
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\``);
  const results = new Map<string, BuiltRepo>();
  const parseMsOf = new Map<Worker, number>();
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(threads, Math.ceil(ids.length / BATCH_SIZE))) }, () => new Worker(script, { workerData: data }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const ask = (): void => {
              if (next >= ids.length) {
                resolve();
                return;
              }
              worker.postMessage(ids.slice(next, (next += BATCH_SIZE)));
            };
            worker.on('message', (batch: BuiltBatch) => {
              parseMsOf.set(worker, batch.parseMs);
              for (const built of batch.built) {
                if ('error' in built) {
                  reject(new Error(`building ${built.id} failed: ${built.error}`));
                  return;
                }
                results.set(built.id, built);
              }
              ask();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (next < ids.length || code !== 0) reject(new Error(`a build worker thread stopped (exit code ${code})`));
            });
            ask();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  const built = ids.map((id) => {
    const repo = results.get(id);
    if (!repo) throw new Error(`repo ${id} was not built`);
    return repo;
  });
  // The threads parse side by side: their parse time over their number is its share of the wall time.
  const parseMs = [...parseMsOf.values()].reduce((sum, ms) => sum + ms, 0) / Math.max(1, workers.length);
  return { built, parseMs };
}
