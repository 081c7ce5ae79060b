/**
 * Worker thread entry: builds the repos the main thread asks for (see build-in-threads.ts). It gets every repo's
 * texts up front, since a repo's CI may include files of any other repo.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { release, RepoBuilder } from '../model/repo-builder.js';
import { repoMessage, type RepoMessage } from '../model/repo-transfer.js';
import type { BuildWorkerData, BuiltBatch } from './build-in-threads.js';
import type { Fleet, Repo } from '../model/types.js';
import { MemorySource } from '../sources/memory.js';
import { evaluateRepoChecks, type RepoCheckResults } from '../engine/repo-checks.js';
import { TYPESCRIPT_RULES } from '../../rules/index.js';

const port = parentPort;
if (!port) throw new Error('build-worker runs as a worker thread');
const data = workerData as BuildWorkerData;
const builder = new RepoBuilder(data.settings, data.repos);
// Repo-scope TypeScript rules read only their repo, so they run here, while the repo's files are at hand.
const checks = data.checkConfig ? TYPESCRIPT_RULES.filter((rule) => rule.meta.scope === 'repo') : [];

/** Rules read a repo's files from its facts, never from its source, which stays with the main thread. */
const NO_SOURCE = new MemorySource({});

async function build(id: string): Promise<RepoMessage> {
  const facts = builder.buildKeepingTrees(id);
  let results: RepoCheckResults | undefined;
  if (data.checkConfig) {
    const repo: Repo = { ...facts, source: NO_SOURCE };
    // The fleet a repo-scope rule sees here: the settings and its own repo.
    const fleet: Fleet = { root: '', settings: data.settings, repos: [repo], dependencies: [], unprovided: [], diagnostics: [] };
    results = await evaluateRepoChecks(checks, data.checkConfig, fleet, repo);
  }
  release(facts);
  return { ...repoMessage(facts), ...(results ? { checks: results } : {}) };
}

port.on('message', (ids: string[]) => {
  void (async () => {
    const built: BuiltBatch['built'] = [];
    for (const id of ids) {
      try {
        built.push({ id, message: await build(id) });
      } catch (error) {
        built.push({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    }
    port.postMessage({ built, parseMs: builder.parseMs } satisfies BuiltBatch);
  })();
});
