/**
 * Worker thread entry: builds the repos the main thread asks for (see build-in-threads.ts). It gets every repo's
 * texts up front, since a repo's CI may include files of any other repo.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { release, RepoBuilder } from '../model/repo-builder.js';
import { repoMessage } from '../model/repo-transfer.js';
import type { BuildWorkerData, BuiltBatch, BuiltRepo } from './build-in-threads.js';
import type { Repo } from '../model/types.js';
import { MemorySource } from '../sources/memory.js';
import { isRepoCheck } from '../engine/check.js';
import { checkRepo, type PlannedCheck } from '../engine/repo-checks.js';
import { ruleSettingFor } from '../engine/rule-settings.js';
import { TYPESCRIPT_RULES } from '../../rules/index.js';

const port = parentPort;
if (!port) throw new Error('build-worker runs as a worker thread');
const data = workerData as BuildWorkerData;
const builder = new RepoBuilder(data.settings, data.repos, data.unavailable);
// Repo-scope TypeScript rules read only their repo, so they run here, while the repo's trees are at hand.
const rules = data.checkConfig ? TYPESCRIPT_RULES.filter(isRepoCheck) : [];

/** Rules read a repo's files from its facts, never from its source, which stays with the main thread. */
const NO_SOURCE = new MemorySource({});

async function build(id: string): Promise<BuiltRepo> {
  const facts = builder.buildKeepingTrees(id);
  const config = data.checkConfig;
  let checks: BuiltRepo['checks'];
  if (config) {
    const repo: Repo = { ...facts, source: NO_SOURCE };
    // Which rules run with which options, as the runner decides it (config severity and overrides).
    const planned = rules.flatMap((check): PlannedCheck[] => {
      const setting = ruleSettingFor(config, check.meta, id);
      return setting.enabled ? [{ check, options: setting.options }] : [];
    });
    checks = await checkRepo(planned, repo, data.settings);
  }
  release(facts);
  return { message: repoMessage(facts), ...(checks ? { checks } : {}) };
}

port.on('message', (ids: string[]) => {
  void (async () => {
    const built: BuiltBatch['built'] = [];
    for (const id of ids) {
      try {
        built.push({ id, ...(await build(id)) });
      } catch (error) {
        built.push({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    }
    port.postMessage({ built, parseMs: builder.parseMs } satisfies BuiltBatch);
  })();
});
