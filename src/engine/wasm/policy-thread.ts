import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PolicyEvaluation } from './decisions.js';
import type { PortableHost } from './host.js';
import { packageRoot } from '../../package.js';

/** A batch of inputs for one entrypoint, and what a policy thread answers for each (undefined: it failed there). */
export interface PolicyRequest {
  id: number;
  entrypoint: string;
  inputs: string[];
}
export interface PolicyAnswer {
  id: number;
  results: (PolicyEvaluation | undefined)[];
}

/**
 * A policy module evaluated in a worker thread (the bundled dist/policy-worker.mjs), so that a large audit's
 * repo-scope policies run while the main thread does the rest of the checks. Evaluations are the same as the
 * host's: the thread holds a copy of it. A failed evaluation comes back undefined, and the caller evaluates it
 * itself (and reports the failure as it always does). The thread does not keep the process alive.
 */
export class PolicyThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (results: (PolicyEvaluation | undefined)[]) => void>();
  #next = 0;
  #failed = false;

  constructor(host: PortableHost) {
    const script = join(packageRoot(), 'dist', 'policy-worker.mjs');
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\``);
    this.#worker = new Worker(script, { workerData: host });
    this.#worker.unref();
    this.#worker.on('message', (answer: PolicyAnswer) => {
      this.#pending.get(answer.id)?.(answer.results);
      this.#pending.delete(answer.id);
    });
    // A thread that fails answers nothing more: whoever waits gets no results and evaluates for itself.
    const fail = (): void => {
      this.#failed = true;
      for (const resolve of this.#pending.values()) resolve([]);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', fail);
  }

  evaluate(entrypoint: string, inputs: string[]): Promise<(PolicyEvaluation | undefined)[]> {
    if (this.#failed) return Promise.resolve([]);
    const id = this.#next++;
    const answer = new Promise<(PolicyEvaluation | undefined)[]>((resolve) => {
      this.#pending.set(id, resolve);
    });
    this.#worker.postMessage({ id, entrypoint, inputs } satisfies PolicyRequest);
    return answer;
  }

  close(): Promise<number> {
    return this.#worker.terminate();
  }
}
